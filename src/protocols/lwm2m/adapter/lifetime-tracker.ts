// Expires LwM2M registrations that were not updated within their lifetime (Core TS 1.2 §6.2.1, `lt`).

/**
 * Grace after the lifetime before a registration expires: 1 s plus 10 % of the lifetime, at most
 * 60 s, so an Update sent just in time but delayed by the broker does not flap the device.
 */
export function lifetimeGraceMs(lifetimeS: number): number {
  return Math.min(60_000, 1_000 + lifetimeS * 100);
}

/** When a registration renewed at `since` expires (grace included); undefined for lifetime 0, which never does. */
export function expiryDeadline(lifetimeS: number, since: number): number | undefined {
  return lifetimeS <= 0 ? undefined : since + lifetimeS * 1000 + lifetimeGraceMs(lifetimeS);
}

/** Longest a timer may wait (setTimeout clamps anything above 2^31 − 1 ms to 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One timer per registered endpoint; `renew` on Register and Update, `cancel` on De-register. */
export class LifetimeTracker {
  readonly #timers = new Map<string, { timer: ReturnType<typeof setTimeout>; deadline: number }>();
  readonly #onExpired: (endpoint: string) => void;
  readonly #now: () => number;

  constructor(onExpired: (endpoint: string) => void, now: () => number = Date.now) {
    this.#onExpired = onExpired;
    this.#now = now;
  }

  /** Restart the endpoint's clock. Lifetime 0 means the registration never expires. */
  renew(endpoint: string, lifetimeS: number): void {
    this.renewFrom(endpoint, lifetimeS, this.#now());
  }

  /** Run the endpoint's clock from `since` (a registration another instance renewed then, scale-out). */
  renewFrom(endpoint: string, lifetimeS: number, since: number): void {
    this.cancel(endpoint);
    const deadline = expiryDeadline(lifetimeS, since);
    if (deadline !== undefined) this.#arm(endpoint, deadline);
  }

  cancel(endpoint: string): void {
    const entry = this.#timers.get(endpoint);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.#timers.delete(endpoint);
  }

  /** Milliseconds since epoch when the endpoint's registration expires, if it does. */
  deadline(endpoint: string): number | undefined {
    return this.#timers.get(endpoint)?.deadline;
  }

  stop(): void {
    for (const entry of this.#timers.values()) clearTimeout(entry.timer);
    this.#timers.clear();
  }

  #arm(endpoint: string, deadline: number): void {
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, deadline - this.#now()));
    const timer = setTimeout(() => {
      if (this.#timers.get(endpoint)?.timer !== timer) return;
      if (this.#now() < deadline) return this.#arm(endpoint, deadline); // a long lifetime, in steps
      this.#timers.delete(endpoint);
      this.#onExpired(endpoint);
    }, wait);
    timer.unref?.();
    this.#timers.set(endpoint, { timer, deadline });
  }
}
