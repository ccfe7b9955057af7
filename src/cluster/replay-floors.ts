/**
 * ReplayFloors: while a new owner replays a dead owner's session window, points the dead owner
 * committed must not be stored again (the points table has no key to refuse a duplicate). Before the
 * replay, the latest stored timestamp of each series of the session's devices becomes that series'
 * floor; a replayed point at or below it was stored already. Floors lapse after `ttlMs`, so late
 * points of a later session are never held to them.
 */
import type { DeviceIngress } from '../core/device-ingress.ts';
import type { TelemetryStore } from '../core/ports/telemetry-store.ts';
import type { TelemetryPoint } from '../core/telemetry.ts';

export interface ReplayFloorsOptions {
  readonly telemetry: Pick<TelemetryStore, 'latest'>;
  readonly ttlMs: number;
  readonly now: () => number;
}

export class ReplayFloors {
  readonly #o: ReplayFloorsOptions;
  /** deviceId → measurement → latest stored ts, with when the device's floors lapse. */
  readonly #floors = new Map<string, { readonly until: number; readonly byMeasurement: Map<string, number> }>();
  /** Points dropped as already stored (tests, logs). */
  dropped = 0;

  constructor(options: ReplayFloorsOptions) {
    this.#o = options;
  }

  /** Set the floors of `deviceIds` from what the store holds now. */
  async raise(deviceIds: readonly string[]): Promise<void> {
    if (deviceIds.length === 0) return;
    const latest = await this.#o.telemetry.latest({ deviceIds });
    const until = this.#o.now() + this.#o.ttlMs;
    for (const id of deviceIds) this.#floors.set(id, { until, byMeasurement: new Map() });
    for (const point of latest) {
      const floors = this.#floors.get(point.deviceId)?.byMeasurement;
      if (floors !== undefined && point.ts > (floors.get(point.measurement) ?? -Infinity)) floors.set(point.measurement, point.ts);
    }
  }

  /** The points not stored yet (all of them when no floor is up). */
  filter(points: readonly TelemetryPoint[]): readonly TelemetryPoint[] {
    if (this.#floors.size === 0) return points;
    const now = this.#o.now();
    const kept = points.filter((point) => {
      const floors = this.#floors.get(point.deviceId);
      if (floors === undefined) return true;
      if (floors.until <= now) {
        this.#floors.delete(point.deviceId);
        return true;
      }
      const floor = floors.byMeasurement.get(point.measurement);
      return floor === undefined || point.ts > floor;
    });
    this.dropped += points.length - kept.length;
    return kept;
  }
}

/** The ingress protocols see, with points at or below a replay floor dropped (stored already by the previous owner). */
export function flooredIngress(inner: DeviceIngress, floors: ReplayFloors): DeviceIngress {
  return {
    announce: (announcement) => inner.announce(announcement),
    seen: (deviceId, state) => inner.seen(deviceId, state),
    report: (points) => {
      const kept = floors.filter(points);
      return kept.length === 0 && points.length > 0 ? Promise.resolve() : inner.report(kept);
    },
    disconnected: (deviceId, reason, options) => inner.disconnected(deviceId, reason, options),
    stale: (deviceId, state) => inner.stale(deviceId, state),
    removed: (deviceId) => inner.removed(deviceId),
    completed: (commandId, from, outcome) => inner.completed(commandId, from, outcome),
  };
}
