/** Log lines that a hostile peer can trigger at will, limited to one per key per interval. */
import type { Logger } from './logger.ts';

/** Most keys remembered at once; past it the oldest are forgotten (a flood of keys cannot grow memory). */
const MAX_KEYS = 1000;

/**
 * A warn logger that writes at most one line per key (e.g. reason and client id) per interval; the
 * next line written for the key carries `suppressed`, how many were left out. Counting is the
 * caller's job (metrics count every event; the log only samples them).
 */
export class ThrottledLog {
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #keys = new Map<string, { last: number; suppressed: number }>();

  constructor(logger: Logger, intervalMs = 10_000, now: () => number = Date.now) {
    this.#logger = logger;
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  warn(key: string, fields: object, message: string): void {
    const at = this.#now();
    const entry = this.#keys.get(key);
    if (entry !== undefined && at - entry.last < this.#intervalMs) {
      entry.suppressed++;
      return;
    }
    this.#keys.delete(key);
    if (this.#keys.size >= MAX_KEYS) this.#keys.delete(this.#keys.keys().next().value as string);
    this.#keys.set(key, { last: at, suppressed: 0 });
    this.#logger.warn(entry !== undefined && entry.suppressed > 0 ? { ...fields, suppressed: entry.suppressed } : fields, message);
  }
}
