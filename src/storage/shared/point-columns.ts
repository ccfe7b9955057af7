/** How one telemetry value is laid out in the points/latest columns (value REAL, text TEXT, quality, flags). */
import { HubError } from '../../core/errors.ts';
import { QUALITIES } from '../../core/telemetry.ts';
import type { PointValue, Quality, TelemetryPoint } from '../../core/telemetry.ts';

/** `flags` bit: the point was back-filled (stored, never the latest value). */
export const FLAG_HISTORICAL = 1;
/** `flags` bit: `text` holds a boolean ("true" / "false"), not a string. */
export const FLAG_BOOLEAN = 2;

/** The stored columns of one point's value; numbers go to `value`, everything else to `text`. */
export interface ValueColumns {
  value: number | null;
  text: string | null;
  quality: number;
  flags: number;
}

/** Quality as a small integer: its index in QUALITIES (good = 0). */
export function qualityCode(quality: Quality | undefined): number {
  if (quality === undefined || quality === 'good') return 0;
  const code = QUALITIES.indexOf(quality);
  if (code < 0) throw new HubError('STORE_ERROR', `telemetry write failed: unknown quality "${String(quality)}"`);
  return code;
}

/** The quality a stored code stands for; unknown codes read as `uncertain`. */
export function qualityName(code: number): Quality {
  return QUALITIES[code] ?? 'uncertain';
}

/** Split a point into its columns. Throws STORE_ERROR for a value that is not a finite number, boolean or string. */
export function toColumns(point: TelemetryPoint): ValueColumns {
  const quality = qualityCode(point.quality);
  const historical = point.historical === true ? FLAG_HISTORICAL : 0;
  const v: unknown = point.value;
  if (typeof v === 'number' && Number.isFinite(v)) return { value: v, text: null, quality, flags: historical };
  if (typeof v === 'string') return { value: null, text: v, quality, flags: historical };
  if (typeof v === 'boolean') return { value: null, text: v ? 'true' : 'false', quality, flags: historical | FLAG_BOOLEAN };
  throw new HubError(
    'STORE_ERROR',
    `telemetry write failed: ${point.deviceId}/${point.measurement} value must be a finite number, boolean or string`,
  );
}

/** Rebuild the value stored in the columns; null when the row holds no value (an empty aggregate). */
export function fromColumns(value: number | null, text: string | null, flags: number): PointValue | null {
  if (value !== null) return value;
  if (text === null) return null;
  return (flags & FLAG_BOOLEAN) !== 0 ? text === 'true' : text;
}

/**
 * The reported name and unit of a series as point fields: empty when they equal the canonical ones
 * or were never recorded (series stored before the measurement vocabulary).
 */
export function sourceFields(
  measurement: string,
  unit: string | null,
  sourceMeasurement: string | null,
  sourceUnit: string | null,
): { sourceMeasurement?: string; sourceUnit?: string } {
  if (sourceMeasurement === null || (sourceMeasurement === measurement && sourceUnit === unit)) return {};
  return sourceUnit === null ? { sourceMeasurement } : { sourceMeasurement, sourceUnit };
}

/** A `latest` row as either backend reads it. */
export interface LatestRow {
  deviceId: string;
  measurement: string;
  unit: string | null;
  sourceMeasurement: string | null;
  sourceUnit: string | null;
  ts: number;
  value: number | null;
  text: string | null;
  quality: number;
  flags: number;
}

/** A `latest` row (either backend) as the point it stores. */
export function latestPoint(row: LatestRow): TelemetryPoint {
  return {
    deviceId: row.deviceId,
    measurement: row.measurement,
    ts: row.ts,
    value: fromColumns(row.value, row.text, row.flags) ?? '',
    ...(row.unit === null ? {} : { unit: row.unit }),
    quality: qualityName(row.quality),
    ...sourceFields(row.measurement, row.unit, row.sourceMeasurement, row.sourceUnit),
  };
}
