/**
 * One telemetry point checked before it joins a batch: a device's bad point is refused alone, with a
 * reason, instead of failing the store transaction it shares with every other device's points.
 */
import type { TelemetryPoint } from './telemetry.ts';
import { isStorableTimestamp } from './timestamp.ts';

/**
 * The point with its time as integer ms (fractions rounded), or why it is refused. `latest` is the
 * latest time a point may carry (the hub's clock plus the skew it allows): a device whose clock runs
 * years ahead would otherwise hold the latest value of its series for good.
 */
export function checkPoint(point: TelemetryPoint, latest = Number.POSITIVE_INFINITY): TelemetryPoint | string {
  if (typeof point.measurement !== 'string' || point.measurement === '') return 'measurement must be a non-empty string';
  const value: unknown = point.value;
  if (typeof value === 'number' && !Number.isFinite(value)) return `value ${String(value)} is not a finite number`;
  if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'string') return 'value must be a number, a boolean or a string';
  if (typeof point.ts === 'number' && isStorableTimestamp(point.ts)) return point.ts > latest ? tooLate(point.ts, latest) : point;
  // Points reach the pipeline in ms (the wire converted seconds: rpc/wire.ts parseTimestamp); fractions are rounded here.
  const ts = typeof point.ts === 'number' && Number.isFinite(point.ts) ? Math.round(point.ts) : undefined;
  if (ts === undefined || !isStorableTimestamp(ts)) return `timestamp ${String(point.ts)} is not a time in ms between 1970 and 9999`;
  return ts > latest ? tooLate(ts, latest) : { ...point, ts };
}

const tooLate = (ts: number, latest: number): string =>
  `timestamp ${new Date(ts).toISOString()} is in the future: the hub takes points up to ${new Date(latest).toISOString()} (its clock plus --telemetry-max-future-ms)`;
