/** The series table: one id per (device, measurement), cached in memory for the write path. */
import type Database from 'better-sqlite3';
import type { TelemetryPoint } from '../../core/telemetry.ts';
import { isCurrent, lookup, remember, rememberAll, type CachedSeries, type SeriesMap, type SeriesRow } from '../shared/series-cache.ts';

export type { SeriesRow } from '../shared/series-cache.ts';

/** The source columns of a point: what the device reported, or the canonical name / unit when unmapped. */
export function pointSource(point: TelemetryPoint): { sourceMeasurement: string; sourceUnit: string | null } {
  return { sourceMeasurement: point.sourceMeasurement ?? point.measurement, sourceUnit: point.sourceUnit ?? point.unit ?? null };
}

/**
 * Resolves series ids inside a write transaction. Ids created (or units changed) by the current
 * transaction stay pending until `commit()`: a rolled-back batch must not leave a cached id that
 * SQLite will hand out again to another series.
 */
export class SqliteSeries {
  readonly #cache: SeriesMap = new Map();
  #pending: SeriesMap = new Map();
  readonly #upsert: Database.Statement<[string, string, string | null, string, string | null], CachedSeries>;
  readonly #find: Database.Statement<[{ devices: string; filter: number; measurements: string }], SeriesRow>;

  constructor(db: Database.Database) {
    this.#upsert = db.prepare(
      `INSERT INTO series (device_id, measurement, unit, source_measurement, source_unit) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (device_id, measurement) DO UPDATE SET unit = coalesce(excluded.unit, series.unit),
         source_measurement = excluded.source_measurement, source_unit = coalesce(excluded.source_unit, series.source_unit)
       RETURNING id, unit, source_measurement AS sourceMeasurement, source_unit AS sourceUnit`,
    );
    // BINARY collation = UTF-8 byte order, the same order PostgreSQL gives with COLLATE "C".
    this.#find = db.prepare(
      `SELECT id, device_id AS deviceId, measurement, unit, source_measurement AS sourceMeasurement,
         source_unit AS sourceUnit FROM series
       WHERE device_id IN (SELECT value FROM json_each(@devices))
         AND (@filter = 0 OR measurement IN (SELECT value FROM json_each(@measurements)))
       ORDER BY device_id, measurement`,
    );
  }

  /** The series id for a point being written; creates the series or records a new unit or source. */
  resolve(point: TelemetryPoint): number {
    const { deviceId, measurement, unit } = point;
    // Inlined pointSource(): this runs for every point written.
    const sourceMeasurement = point.sourceMeasurement ?? measurement;
    const sourceUnit = point.sourceUnit ?? unit ?? null;
    const pending = this.#pending.size === 0 ? undefined : lookup(this.#pending, deviceId, measurement);
    const known = pending ?? lookup(this.#cache, deviceId, measurement);
    if (isCurrent(known, unit, sourceMeasurement, sourceUnit)) return known.id;
    const row = this.#upsert.get(deviceId, measurement, unit ?? null, sourceMeasurement, sourceUnit);
    if (row === undefined) throw new Error(`series upsert returned nothing for ${deviceId}/${measurement}`);
    remember(this.#pending, deviceId, measurement, row);
    return row.id;
  }

  /** The write transaction committed: its new ids and units are now safe to cache. */
  commit(): void {
    rememberAll(this.#cache, this.#pending);
    this.#pending = new Map();
  }

  /** The write transaction rolled back: forget what it created. */
  rollback(): void {
    this.#pending = new Map();
  }

  /** Stored series of these devices (and measurements; empty = all), ordered by device then measurement. */
  find(deviceIds: readonly string[], measurements: readonly string[] | undefined): SeriesRow[] {
    if (deviceIds.length === 0) return [];
    const filter = measurements !== undefined && measurements.length > 0;
    return this.#find.all({
      devices: JSON.stringify(deviceIds),
      filter: filter ? 1 : 0,
      measurements: JSON.stringify(measurements ?? []),
    });
  }
}
