/** Rate limits for notifications: at most one call per key per interval (leading and trailing), and a trailing debounce. */

/** Runs `fire(key)` at once if the key has been quiet for `intervalMs`, else once when the interval ends. */
export class KeyedThrottle {
  readonly #intervalMs: number;
  readonly #fire: (key: string) => void;
  readonly #last = new Map<string, number>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(intervalMs: number, fire: (key: string) => void) {
    this.#intervalMs = intervalMs;
    this.#fire = fire;
  }

  schedule(key: string): void {
    if (this.#timers.has(key)) return;
    const wait = (this.#last.get(key) ?? -Infinity) + this.#intervalMs - Date.now();
    if (wait <= 0) return this.#run(key);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.#run(key);
    }, wait);
    timer.unref();
    this.#timers.set(key, timer);
  }

  /** Forget a key (its pending call is dropped). */
  delete(key: string): void {
    const timer = this.#timers.get(key);
    if (timer) clearTimeout(timer);
    this.#timers.delete(key);
    this.#last.delete(key);
  }

  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#last.clear();
  }

  #run(key: string): void {
    this.#last.set(key, Date.now());
    this.#fire(key);
  }
}

/** Calls `fire` once, `delayMs` after the last `trigger()` of a burst. */
export class Debounce {
  readonly #delayMs: number;
  readonly #fire: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(delayMs: number, fire: () => void) {
    this.#delayMs = delayMs;
    this.#fire = fire;
  }

  trigger(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#fire();
    }, this.#delayMs);
    this.#timer.unref();
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
