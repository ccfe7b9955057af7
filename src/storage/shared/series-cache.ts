/** The series table's row and the in-memory cache of series ids both SQL backends keep for the write path. */

/** One row of the series table. */
export interface SeriesRow {
  readonly id: number;
  readonly deviceId: string;
  readonly measurement: string;
  readonly unit: string | null;
  /** As reported by the device; null on series stored before migration 2. */
  readonly sourceMeasurement: string | null;
  readonly sourceUnit: string | null;
}

/** What the cache keeps of a series: its id and what it last recorded. */
export interface CachedSeries {
  readonly id: number;
  readonly unit: string | null;
  readonly sourceMeasurement: string | null;
  readonly sourceUnit: string | null;
}

/** device id -> measurement -> series. */
export type SeriesMap = Map<string, Map<string, CachedSeries>>;

export function lookup(map: SeriesMap, deviceId: string, measurement: string): CachedSeries | undefined {
  return map.get(deviceId)?.get(measurement);
}

export function remember(map: SeriesMap, deviceId: string, measurement: string, entry: CachedSeries): void {
  let byMeasurement = map.get(deviceId);
  if (byMeasurement === undefined) {
    byMeasurement = new Map();
    map.set(deviceId, byMeasurement);
  }
  byMeasurement.set(measurement, entry);
}

/** Copy every series of `from` into `into` (what a committed transaction resolved, into the cache). */
export function rememberAll(into: SeriesMap, from: SeriesMap): void {
  for (const [deviceId, byMeasurement] of from) {
    for (const [measurement, entry] of byMeasurement) remember(into, deviceId, measurement, entry);
  }
}

/**
 * Whether a known series already records what a point brings, so it needs no upsert: no other unit
 * (or none given), the same reported name, and no other reported unit (or none).
 */
export function isCurrent(
  known: CachedSeries | undefined,
  unit: string | undefined,
  sourceMeasurement: string,
  sourceUnit: string | null,
): known is CachedSeries {
  return (
    known !== undefined &&
    (unit === undefined || unit === known.unit) &&
    sourceMeasurement === known.sourceMeasurement &&
    (sourceUnit === null || sourceUnit === known.sourceUnit)
  );
}
