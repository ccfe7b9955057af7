/**
 * One telemetry point checked before it joins a batch: a device's bad point is refused alone, with a
 * reason, instead of failing the store transaction it shares with every other device's points.
 */
import type { TelemetryPoint } from './telemetry.ts';
import { isStorableTimestamp } from './timestamp.ts';

/** The point with its time as integer ms (fractions rounded), or why it is refused. */
export function checkPoint(point: TelemetryPoint): TelemetryPoint | string {
  if (typeof point.measurement !== 'string' || point.measurement === '') return 'measurement must be a non-empty string';
  const value: unknown = point.value;
  if (typeof value === 'number' && !Number.isFinite(value)) return `value ${String(value)} is not a finite number`;
  if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'string') return 'value must be a number, a boolean or a string';
  if (typeof point.ts === 'number' && isStorableTimestamp(point.ts)) return point;
  // Points reach the pipeline in ms (the wire converted seconds: rpc/wire.ts parseTimestamp); fractions are rounded here.
  const ts = typeof point.ts === 'number' && Number.isFinite(point.ts) ? Math.round(point.ts) : undefined;
  if (ts === undefined || !isStorableTimestamp(ts)) return `timestamp ${String(point.ts)} is not a time in ms between 1970 and 9999`;
  return { ...point, ts };
}
