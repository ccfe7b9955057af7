/** Single-use confirmation tokens: a planned write, held until a person approves it (or 5 minutes pass). */

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

  /** The held value if the token is live; it is used up either way. */
  take(token: string): { principal: string; value: T } | undefined {
    const held = this.#held.get(token);
    this.#held.delete(token);
    if (!held || held.expires < this.#now()) return undefined;
    return { principal: held.principal, value: held.value };
  }

  #sweep(): void {
    const now = this.#now();
    for (const [token, held] of this.#held) if (held.expires < now) this.#held.delete(token);
  }
}
