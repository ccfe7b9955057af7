/**
 * LoginThrottle: after `maxFailures` failed logins within `windowMs` for one user name, or for one
 * client address, further attempts for it are refused until the window has passed, without checking
 * the password. Per name stops guessing one account from many addresses; per address stops one client
 * trying many names (OWASP Authentication Cheat Sheet, "Login throttling"). An address is counted by
 * its {@link addressBlock}: an IPv6 client by its /64, which it can rotate through at will. Memory is
 * bounded.
 */
import { addressBlock } from './address-block.ts';

export interface LoginThrottleOptions {
  /** Failures allowed per name and per address (an IPv6 address: per /64) within the window; default 5. */
  readonly maxFailures?: number;
  /** Default 15 minutes. */
  readonly windowMs?: number;
  /** Names and addresses remembered at once; the oldest are forgotten first. Default 10 000. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

interface Failures {
  count: number;
  firstAt: number;
}

export class LoginThrottle {
  readonly #max: number;
  readonly #window: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #failures = new Map<string, Failures>();

  constructor(options: LoginThrottleOptions = {}) {
    this.#max = options.maxFailures ?? 5;
    this.#window = options.windowMs ?? 15 * 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** ms until `name` from `address` may try again, or 0 when it may try now. */
  retryAfterMs(name: string, address: string): number {
    return Math.max(this.#blockedFor(`name:${name}`), this.#blockedFor(`addr:${addressBlock(address)}`));
  }

  /** Count a failed login. */
  failed(name: string, address: string): void {
    for (const key of [`name:${name}`, `addr:${addressBlock(address)}`]) {
      const now = this.#now();
      const entry = this.#failures.get(key);
      if (entry === undefined || now - entry.firstAt >= this.#window) {
        this.#failures.delete(key);
        if (this.#failures.size >= this.#maxEntries) this.#failures.delete(this.#failures.keys().next().value as string);
        this.#failures.set(key, { count: 1, firstAt: now });
      } else entry.count++;
    }
  }

  /** A successful login clears its name's count (not its address's: one valid account must not reset a guesser's budget). */
  succeeded(name: string): void {
    this.#failures.delete(`name:${name}`);
  }

  #blockedFor(key: string): number {
    const entry = this.#failures.get(key);
    if (entry === undefined || entry.count < this.#max) return 0;
    return Math.max(0, entry.firstAt + this.#window - this.#now());
  }
}
