/** Telemetry points: one value of one measurement of one device at one time. */

export const QUALITIES = ['good', 'uncertain', 'bad'] as const;
export type Quality = (typeof QUALITIES)[number];

export type PointValue = number | boolean | string;

/** One stored sample. Numbers are aggregated; booleans and strings are kept and returned as-is. */
export interface TelemetryPoint {
  readonly deviceId: string;
  /** Measurement type, e.g. "temperature", "pressure", "angle", "soil_moisture". */
  readonly measurement: string;
  /** Milliseconds since epoch. */
  readonly ts: number;
  readonly value: PointValue;
  readonly unit?: string;
  readonly quality?: Quality;
  /** Historical (back-filled) points are stored but never replace the latest value. */
  readonly historical?: boolean;
  /**
   * The name the device reported when it differs from the canonical `measurement` (e.g.
   * `Sensors/temperature`); set by the pipeline's MeasurementMapper. Absent = same as `measurement`.
   */
  readonly sourceMeasurement?: string;
  /** The unit the device reported (e.g. `celsius`, `[degF]`) when the point was mapped. */
  readonly sourceUnit?: string;
}

export const AGGREGATIONS = ['avg', 'min', 'max', 'sum', 'count', 'first', 'last'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** A query over stored points. `start` inclusive, `end` inclusive, both ms since epoch. */
export interface TelemetryQuery {
  readonly deviceIds: readonly string[];
  /** Empty or absent = every measurement of those devices. */
  readonly measurements?: readonly string[];
  readonly start: number;
  readonly end: number;
  /** Absent = raw points. */
  readonly aggregation?: Aggregation;
  /** Bucket width in ms for aggregation; absent = one bucket over the whole range. */
  readonly intervalMs?: number;
  /** Maximum raw points per series (newest kept when `order` is desc). */
  readonly limit?: number;
  readonly order?: 'asc' | 'desc';
}

/** One (device, measurement) series in a query result. */
export interface SeriesResult {
  readonly deviceId: string;
  readonly measurement: string;
  readonly unit: string | null;
  /** The name and unit the device last reported for this series (absent: same as measurement / unit). */
  readonly sourceMeasurement?: string;
  readonly sourceUnit?: string | null;
  /** Raw: ts and value. Aggregated: ts is the bucket start, value the aggregate, count the samples. */
  readonly points: readonly { ts: number; value: PointValue | null; count?: number }[];
}

/** Parse an interval such as "30s", "5m", "1h", "1d", "1w" into milliseconds; undefined if malformed. */
export function parseInterval(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  const unit = match[2] as 'ms' | 's' | 'm' | 'h' | 'd' | 'w';
  const factor = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[unit];
  const ms = n * factor;
  return ms > 0 ? ms : undefined;
}
