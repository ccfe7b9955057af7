/** The series table on PostgreSQL: one id per (device, measurement), cached in memory once committed. */
import type pg from 'pg';
import type { TelemetryPoint } from '../../core/telemetry.ts';
import { isCurrent, lookup, remember, rememberAll, type SeriesMap, type SeriesRow } from '../shared/series-cache.ts';

export type { SeriesRow } from '../shared/series-cache.ts';

interface SeriesUpsert {
  deviceId: string;
  measurement: string;
  unit: string | null;
  sourceMeasurement: string;
  sourceUnit: string | null;
}

/** Series ids resolved for one batch; `commit()` them into the cache once the transaction committed. */
export interface BatchSeries {
  idOf(point: TelemetryPoint): number;
  commit(): void;
}

/** Resolves and finds series; several hub instances may share the table (upserts, never deletes). */
export class PostgresSeries {
  readonly #schema: string;
  readonly #cache: SeriesMap = new Map();

  constructor(schema: string) {
    this.#schema = schema;
  }

  /**
   * Upsert, in one statement inside the caller's transaction, every series of `points` that is not
   * cached or brings a new unit. Rows are sorted so concurrent instances lock them in one order.
   */
  async resolve(client: pg.PoolClient, points: readonly TelemetryPoint[]): Promise<BatchSeries> {
    const missing = new Map<string, SeriesUpsert>();
    for (const point of points) {
      const known = lookup(this.#cache, point.deviceId, point.measurement);
      const sourceMeasurement = point.sourceMeasurement ?? point.measurement;
      const sourceUnit = point.sourceUnit ?? point.unit ?? null;
      if (isCurrent(known, point.unit, sourceMeasurement, sourceUnit)) continue;
      const key = JSON.stringify([point.deviceId, point.measurement]);
      const before = missing.get(key);
      missing.set(key, {
        deviceId: point.deviceId,
        measurement: point.measurement,
        unit: point.unit ?? before?.unit ?? null,
        sourceMeasurement,
        sourceUnit: sourceUnit ?? before?.sourceUnit ?? null,
      });
    }
    const fresh: SeriesMap = new Map();
    if (missing.size > 0) {
      const rows = [...missing.values()];
      const result = await client.query<SeriesRow>(
        `INSERT INTO ${this.#schema}.series AS cur (device_id, measurement, unit, source_measurement, source_unit)
         SELECT d, m, u, sm, su FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(d, m, u, sm, su)
         ORDER BY d, m
         ON CONFLICT (device_id, measurement) DO UPDATE SET unit = coalesce(EXCLUDED.unit, cur.unit),
           source_measurement = EXCLUDED.source_measurement, source_unit = coalesce(EXCLUDED.source_unit, cur.source_unit)
         RETURNING id, device_id AS "deviceId", measurement, unit, source_measurement AS "sourceMeasurement", source_unit AS "sourceUnit"`,
        [
          rows.map((r) => r.deviceId),
          rows.map((r) => r.measurement),
          rows.map((r) => r.unit),
          rows.map((r) => r.sourceMeasurement),
          rows.map((r) => r.sourceUnit),
        ],
      );
      for (const row of result.rows) remember(fresh, row.deviceId, row.measurement, row);
    }
    const cache = this.#cache;
    return {
      idOf(point) {
        const entry = lookup(fresh, point.deviceId, point.measurement) ?? lookup(cache, point.deviceId, point.measurement);
        if (entry === undefined) throw new Error(`series not resolved: ${point.deviceId}/${point.measurement}`);
        return entry.id;
      },
      commit() {
        rememberAll(cache, fresh);
      },
    };
  }

  /** Stored series of these devices (and measurements; empty = all), in byte order of device then measurement. */
  async find(
    pool: pg.Pool,
    deviceIds: readonly string[],
    measurements: readonly string[] | undefined,
  ): Promise<SeriesRow[]> {
    if (deviceIds.length === 0) return [];
    const result = await pool.query<SeriesRow>(
      `SELECT id, device_id AS "deviceId", measurement, unit, source_measurement AS "sourceMeasurement",
         source_unit AS "sourceUnit" FROM ${this.#schema}.series
       WHERE device_id = ANY($1::text[]) AND (cardinality($2::text[]) = 0 OR measurement = ANY($2::text[]))
       ORDER BY device_id COLLATE "C", measurement COLLATE "C"`,
      [deviceIds, measurements ?? []],
    );
    return result.rows;
  }
}
