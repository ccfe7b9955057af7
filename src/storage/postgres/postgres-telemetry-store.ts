/** TelemetryStore on PostgreSQL (+TimescaleDB): array-bound batch inserts, SQL aggregation, cursor export. */
import type pg from 'pg';
import { HubError } from '../../core/errors.ts';
import type { SeriesResult, TelemetryPoint, TelemetryQuery } from '../../core/telemetry.ts';
import { checkQuery } from '../shared/check-query.ts';
import { latestPoint, toColumns } from '../shared/point-columns.ts';
import { guardExport, storeError } from '../shared/store-error.ts';
import type { TelemetryStore } from '../../core/ports/telemetry-store.ts';
import type { PostgresConnection } from './postgres-connection.ts';
import { exportPostgres, type ExportLease, type ExportQuery, type PointRow } from './postgres-export.ts';
import { PostgresSeries } from './postgres-series.ts';
import { queryPostgres } from './postgres-telemetry-query.ts';

/** Column arrays bound to one `unnest()` insert. */
interface Columns {
  series: number[];
  ts: number[];
  value: (number | null)[];
  text: (string | null)[];
  quality: number[];
  flags: number[];
}

function emptyColumns(): Columns {
  return { series: [], ts: [], value: [], text: [], quality: [], flags: [] };
}

function pushPoint(columns: Columns, id: number, point: TelemetryPoint): void {
  const { value, text, quality, flags } = toColumns(point);
  columns.series.push(id);
  columns.ts.push(point.ts);
  columns.value.push(value);
  columns.text.push(text);
  columns.quality.push(quality);
  columns.flags.push(flags);
}

function unnestArgs(c: Columns): unknown[] {
  return [c.series, c.ts, c.value, c.text, c.quality, c.flags];
}

const UNNEST = 'unnest($1::int[], $2::bigint[], $3::float8[], $4::text[], $5::int2[], $6::int2[])';

/** Telemetry in `<schema>.series / points / latest`; several hub instances may write concurrently. */
export class PostgresTelemetryStore implements TelemetryStore {
  readonly #connection: PostgresConnection;
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #series: PostgresSeries;
  readonly #exports = new Set<ExportLease>();
  #closed = false;

  /** Use `openPostgresStores()`; the store acquires `connection` and releases it on close. */
  constructor(connection: PostgresConnection) {
    this.#connection = connection;
    this.#pool = connection.acquire();
    this.#schema = connection.schema;
    this.#series = new PostgresSeries(connection.schema);
  }

  /** One transaction: series upsert, one array-bound INSERT of every point, latest upsert. */
  async write(points: readonly TelemetryPoint[]): Promise<void> {
    this.#assertOpen('telemetry write failed');
    if (points.length === 0) return;
    let client: pg.PoolClient | undefined;
    try {
      client = await this.#pool.connect();
      await client.query('BEGIN');
      const series = await this.#series.resolve(client, points);
      const all = emptyColumns();
      const newest = new Map<number, TelemetryPoint>();
      for (const point of points) {
        const id = series.idOf(point);
        pushPoint(all, id, point);
        if (point.historical === true) continue;
        const previous = newest.get(id);
        if (previous === undefined || previous.ts <= point.ts) newest.set(id, point);
      }
      await client.query(
        `INSERT INTO ${this.#schema}.points (series_id, ts, value, text, quality, flags) SELECT * FROM ${UNNEST}`,
        unnestArgs(all),
      );
      if (newest.size > 0) {
        const latest = emptyColumns();
        // Ascending series id: concurrent writers lock latest rows in the same order.
        for (const id of [...newest.keys()].sort((a, b) => a - b)) pushPoint(latest, id, newest.get(id) as TelemetryPoint);
        await client.query(
          `INSERT INTO ${this.#schema}.latest AS cur (series_id, ts, value, text, quality, flags)
           SELECT * FROM ${UNNEST}
           ON CONFLICT (series_id) DO UPDATE SET ts = EXCLUDED.ts, value = EXCLUDED.value, text = EXCLUDED.text,
             quality = EXCLUDED.quality, flags = EXCLUDED.flags
           WHERE EXCLUDED.ts >= cur.ts`,
          unnestArgs(latest),
        );
      }
      await client.query('COMMIT');
      series.commit();
    } catch (error) {
      await client?.query('ROLLBACK').catch(() => {});
      throw storeError('telemetry write failed', error);
    } finally {
      client?.release();
    }
  }

  /**
   * Raw or aggregated series, one per (device, measurement) with points in range, ordered by device then
   * measurement (byte order). Aggregates: `count`, `first` and `last` take every sample (booleans and
   * strings included); `avg`, `min`, `max` and `sum` take numbers only, and a bucket whose samples hold
   * no number reports `value: null, count: 0`. `count` is the number of samples aggregated. Bucket `ts`
   * is the bucket start aligned to the epoch (the range start when there is no interval); `order` and
   * `limit` apply to buckets as they do to raw points. Ties at one ts in first/last: any of them.
   */
  async query(query: TelemetryQuery): Promise<SeriesResult[]> {
    this.#assertOpen('telemetry query failed');
    try {
      checkQuery(query);
      const series = await this.#series.find(this.#pool, query.deviceIds, query.measurements);
      return await queryPostgres(this.#pool, this.#schema, series, query);
    } catch (error) {
      throw storeError('telemetry query failed', error);
    }
  }

  /** Newest non-historical point per series from the `latest` table; empty or absent filters match all. */
  async latest(filter?: {
    deviceIds?: readonly string[];
    measurements?: readonly string[];
  }): Promise<TelemetryPoint[]> {
    this.#assertOpen('telemetry latest failed');
    try {
      const result = await this.#pool.query<PointRow>(
        `SELECT s.device_id, s.measurement, s.unit, s.source_measurement, s.source_unit, l.ts, l.value, l.text, l.quality, l.flags
         FROM ${this.#schema}.latest l JOIN ${this.#schema}.series s ON s.id = l.series_id
         WHERE (cardinality($1::text[]) = 0 OR s.device_id = ANY($1::text[]))
           AND (cardinality($2::text[]) = 0 OR s.measurement = ANY($2::text[]))
         ORDER BY s.device_id COLLATE "C", s.measurement COLLATE "C"`,
        [filter?.deviceIds ?? [], filter?.measurements ?? []],
      );
      return result.rows.map((row) => latestPoint({ ...row, deviceId: row.device_id, sourceMeasurement: row.source_measurement, sourceUnit: row.source_unit }));
    } catch (error) {
      throw storeError('telemetry latest failed', error);
    }
  }

  /** Stream raw points in (ts, device, measurement) order through a server-side cursor. */
  export(query: ExportQuery): AsyncIterable<TelemetryPoint> {
    this.#assertOpen('telemetry export failed');
    checkQuery(query);
    const assertOpen = (): void => this.#assertOpen('telemetry export failed');
    const series = () => this.#series.find(this.#pool, query.deviceIds, query.measurements);
    return guardExport(exportPostgres(this.#pool, this.#schema, series, query, this.#exports, assertOpen));
  }

  async count(): Promise<number> {
    this.#assertOpen('telemetry count failed');
    try {
      const result = await this.#pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${this.#schema}.points`);
      return result.rows[0]?.n ?? 0;
    } catch (error) {
      throw storeError('telemetry count failed', error);
    }
  }

  /** Idempotent; aborts open exports, and the pool ends with its last store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const lease of [...this.#exports]) lease.abort();
    await this.#connection.release();
  }

  #assertOpen(what: string): void {
    if (this.#closed) throw new HubError('STORE_ERROR', `${what}: the store is closed`);
  }
}
