/**
 * Single-use confirmation tokens: a planned write, held until a person approves it (or 5 minutes
 * pass). A token is bound to the principal it was issued to: only that principal can redeem it.
 */

interface Held<T> {
  readonly principal: string;
  readonly value: T;
  readonly expires: number;
}

export class ConfirmationTokens<T> {
  readonly #held = new Map<string, Held<T>>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(ttlMs = 5 * 60_000, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  issue(principal: string, value: T): string {
    this.#sweep();
    const token = globalThis.crypto.randomUUID();
    this.#held.set(token, { principal, value, expires: this.#now() + this.#ttlMs });
    return token;
  }

  /**
   * The held value if the token is live and `principal` is the one it was issued to; it is used up
   * then (and when expired). Another principal's attempt leaves it in place: knowing a token is not
   * enough to spend, or to burn, someone else's plan.
   */
  take(token: string, principal: string): { principal: string; value: T } | undefined {
    const held = this.#held.get(token);
    if (held !== undefined && held.principal !== principal && held.expires >= this.#now()) return undefined;
    this.#held.delete(token);
    if (!held || held.expires < this.#now()) return undefined;
    return { principal: held.principal, value: held.value };
  }

  #sweep(): void {
    const now = this.#now();
    for (const [token, held] of this.#held) if (held.expires < now) this.#held.delete(token);
  }
}
