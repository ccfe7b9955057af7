/** Sliding-window counts of admitted writes per key (device, or device + capability), kept in memory per hub instance. */

export class RateWindow {
  readonly #times = new Map<string, number[]>();

  /** Writes under `key` in the `windowMs` before `now`. */
  count(key: string, windowMs: number, now: number): number {
    const times = this.#times.get(key);
    if (times === undefined) return 0;
    const from = now - windowMs;
    let n = 0;
    for (const t of times) if (t > from) n++;
    return n;
  }

  /** The earliest time a new write under `key` fits again (given `max` per `windowMs`). */
  nextSlot(key: string, max: number, windowMs: number, now: number): number {
    const times = (this.#times.get(key) ?? []).filter((t) => t > now - windowMs);
    return times.length < max ? now : (times[times.length - max] ?? now) + windowMs;
  }

  /** Record a write; entries older than `keepMs` are dropped. */
  add(key: string, now: number, keepMs: number): void {
    const times = (this.#times.get(key) ?? []).filter((t) => t > now - keepMs);
    times.push(now);
    this.#times.set(key, times);
  }
}
