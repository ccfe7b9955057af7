/** A fixed-rate schedule for the telemetry and heartbeat loops that catches up after coarse timers and backpressure. */
import { setTimeout as sleep } from 'node:timers/promises';

export interface ScheduleOptions {
  /** Current period in ms, read before every wait; a change restarts the schedule. */
  readonly interval: () => number;
  /** Ticks are skipped (and the schedule restarted) while this is false, e.g. while unregistered. */
  readonly active: () => boolean;
  /** Most owed ticks run back to back; beyond that they are dropped and the schedule restarts. */
  readonly maxBurst: number;
  readonly signal: AbortSignal;
}

/**
 * Run `tick` every `interval()` ms until `signal` aborts; never rejects. Timers are coarse (≥ 1 ms) and ticks may
 * wait for MQTT capacity, so a late loop runs the ticks it owes, at most `maxBurst` at once; beyond that it drops
 * them and starts afresh, as a device skipping samples would.
 */
export async function runSchedule(options: ScheduleOptions, tick: () => Promise<void>): Promise<void> {
  const { interval, active, maxBurst, signal } = options;
  let anchor = performance.now();
  let done = 0;
  let period = interval();
  try {
    for (;;) {
      await sleep(Math.max(0, anchor + (done + 1) * period - performance.now()), undefined, { signal });
      const owed = Math.floor((performance.now() - anchor) / period) - done;
      if (!active() || owed > maxBurst || interval() !== period) {
        if (active()) await tick();
        anchor = performance.now();
        done = 0;
        period = interval();
        continue;
      }
      for (let i = 0; i < owed && !signal.aborted; i++) await tick();
      done += owed;
    }
  } catch {
    // Aborted: the MCU stopped or is rebooting.
  }
}
