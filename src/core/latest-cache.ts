/** LatestValueCache: newest non-historical point per (device, measurement), served without the store. */
import type { TelemetryPoint } from './telemetry.ts';

export class LatestValueCache {
  readonly #byDevice = new Map<string, Map<string, TelemetryPoint>>();

  /** Offer points; a point replaces the cached one only if it is newer and not historical. */
  update(points: readonly TelemetryPoint[]): void {
    for (const point of points) {
      if (point.historical) continue;
      let series = this.#byDevice.get(point.deviceId);
      if (!series) this.#byDevice.set(point.deviceId, (series = new Map()));
      const current = series.get(point.measurement);
      if (!current || current.ts <= point.ts) series.set(point.measurement, point);
    }
  }

  /** Latest points of one device, optionally only some measurements and only those newer than `minTs`. */
  forDevice(deviceId: string, measurements?: readonly string[], minTs = -Infinity): TelemetryPoint[] {
    const series = this.#byDevice.get(deviceId);
    if (!series) return [];
    const out: TelemetryPoint[] = [];
    for (const [measurement, point] of series) {
      if (measurements && measurements.length > 0 && !measurements.includes(measurement)) continue;
      if (point.ts >= minTs) out.push(point);
    }
    return out;
  }

  /** Drop a device's entries (deregistered devices keep history in the store, not here). */
  forget(deviceId: string): void {
    this.#byDevice.delete(deviceId);
  }

  get deviceCount(): number {
    return this.#byDevice.size;
  }
}
