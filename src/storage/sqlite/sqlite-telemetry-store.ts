/** TelemetryStore on SQLite: batched ingest into series/points/latest, SQL-side aggregation, paged export. */
import type Database from 'better-sqlite3';
import { HubError } from '../../core/errors.ts';
import type { SeriesResult, TelemetryPoint, TelemetryQuery } from '../../core/telemetry.ts';
import type { TelemetryStore } from '../../core/ports/telemetry-store.ts';
import { checkQuery } from '../shared/check-query.ts';
import { latestPoint, toColumns, type LatestRow } from '../shared/point-columns.ts';
import type { SqliteConnection } from './sqlite-connection.ts';
import { exportSqlite, SqliteExportPages, type ExportQuery } from './sqlite-export.ts';
import { SqliteSeries } from './sqlite-series.ts';
import { SqliteTelemetryQuery } from './sqlite-telemetry-query.ts';
import { guardExport, storeError } from '../shared/store-error.ts';

type PointArgs = [number, number, number | null, string | null, number, number];

interface DuplicateArgs {
  series: number;
  ts: number;
  value: number | null;
  text: string | null;
  quality: number;
  flags: number;
}

/** Telemetry in the SQLite file shared with the registry; see sqlite-migrations.ts for the tables. */
export class SqliteTelemetryStore implements TelemetryStore {
  readonly #connection: SqliteConnection;
  readonly #series: SqliteSeries;
  readonly #query: SqliteTelemetryQuery;
  readonly #pages: SqliteExportPages;
  readonly #insert: Database.Statement<PointArgs>;
  readonly #insertDuplicate: Database.Statement<[DuplicateArgs]>;
  readonly #upsertLatest: Database.Statement<PointArgs>;
  readonly #latest: Database.Statement<[{ devices: string | null; measurements: string | null }], LatestRow>;
  readonly #countAll: Database.Statement<[], { n: number }>;
  readonly #writeBatch: (points: readonly TelemetryPoint[]) => void;
  /** Known once count() ran; kept current by write() (this connection is the only writer). */
  #count: number | undefined;
  #closed = false;

  /** Use `openSqliteStores()`; the store acquires `connection` and releases it on close. */
  constructor(connection: SqliteConnection) {
    this.#connection = connection;
    const db = connection.acquire();
    this.#series = new SqliteSeries(db);
    this.#query = new SqliteTelemetryQuery(db, this.#series);
    this.#pages = new SqliteExportPages(db);
    const columns = '(series_id, ts, seq, value, text, quality, flags)';
    this.#insert = db.prepare(`INSERT INTO points ${columns} VALUES (?, ?, 0, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
    // Only for a second point at an existing (series, ts): the next free seq keeps both.
    this.#insertDuplicate = db.prepare(
      `INSERT INTO points ${columns} VALUES (@series, @ts,
         (SELECT max(seq) + 1 FROM points WHERE series_id = @series AND ts = @ts), @value, @text, @quality, @flags)`,
    );
    this.#upsertLatest = db.prepare(
      `INSERT INTO latest (series_id, ts, value, text, quality, flags) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (series_id) DO UPDATE SET ts = excluded.ts, value = excluded.value, text = excluded.text,
         quality = excluded.quality, flags = excluded.flags
       WHERE excluded.ts >= latest.ts`,
    );
    this.#latest = db.prepare(
      `SELECT s.device_id AS deviceId, s.measurement, s.unit, s.source_measurement AS sourceMeasurement,
         s.source_unit AS sourceUnit, l.ts, l.value, l.text, l.quality, l.flags
       FROM latest l JOIN series s ON s.id = l.series_id
       WHERE (@devices IS NULL OR s.device_id IN (SELECT value FROM json_each(@devices)))
         AND (@measurements IS NULL OR s.measurement IN (SELECT value FROM json_each(@measurements)))
       ORDER BY s.device_id, s.measurement`,
    );
    this.#countAll = db.prepare('SELECT count(*) AS n FROM points');
    this.#writeBatch = db.transaction((points: readonly TelemetryPoint[]) => this.#insertBatch(points));
  }

  /** One transaction per batch: all points, their series and the latest values, or nothing. */
  async write(points: readonly TelemetryPoint[]): Promise<void> {
    this.#assertOpen('telemetry write failed');
    if (points.length === 0) return;
    try {
      this.#writeBatch(points);
      this.#series.commit();
    } catch (error) {
      this.#series.rollback();
      throw storeError('telemetry write failed', error);
    }
    if (this.#count !== undefined) this.#count += points.length;
  }

  #insertBatch(points: readonly TelemetryPoint[]): void {
    const ids = new Array<number>(points.length);
    // series id -> index in `points` of its newest non-historical point in this batch
    const newest = new Map<number, number>();
    for (let i = 0; i < points.length; i++) {
      const point = points[i] as TelemetryPoint;
      const id = this.#series.resolve(point);
      ids[i] = id;
      if (point.historical === true) continue;
      const previous = newest.get(id);
      if (previous === undefined || (points[previous] as TelemetryPoint).ts <= point.ts) newest.set(id, i);
    }
    // Inserting in key order keeps consecutive inserts on one leaf page: measured ~12% more points/s.
    // The sort is stable, so points at the same (series, ts) keep their batch order (and seq).
    const order = Array.from(points.keys()).sort(
      (a, b) => (ids[a] as number) - (ids[b] as number) || (points[a] as TelemetryPoint).ts - (points[b] as TelemetryPoint).ts,
    );
    for (const i of order) {
      const point = points[i] as TelemetryPoint;
      const id = ids[i] as number;
      const { value, text, quality, flags } = toColumns(point);
      if (this.#insert.run(id, point.ts, value, text, quality, flags).changes === 0) {
        this.#insertDuplicate.run({ series: id, ts: point.ts, value, text, quality, flags });
      }
    }
    for (const [id, i] of newest) {
      const point = points[i] as TelemetryPoint;
      const { value, text, quality, flags } = toColumns(point);
      this.#upsertLatest.run(id, point.ts, value, text, quality, flags);
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
      return this.#query.run(query);
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
    const list = (values: readonly string[] | undefined): string | null =>
      values === undefined || values.length === 0 ? null : JSON.stringify(values);
    try {
      const rows = this.#latest.all({ devices: list(filter?.deviceIds), measurements: list(filter?.measurements) });
      return rows.map(latestPoint);
    } catch (error) {
      throw storeError('telemetry latest failed', error);
    }
  }

  /** Stream raw points in (ts, device, measurement) order, paging by keyset; writes may run meanwhile. */
  export(query: ExportQuery): AsyncIterable<TelemetryPoint> {
    this.#assertOpen('telemetry export failed');
    checkQuery(query);
    const assertOpen = (): void => this.#assertOpen('telemetry export failed');
    const series = (): ReturnType<SqliteSeries['find']> => this.#series.find(query.deviceIds, query.measurements);
    return guardExport(exportSqlite(this.#pages, series, query, assertOpen));
  }

  /** Points stored; counted once (a full scan), then kept current by write(). */
  async count(): Promise<number> {
    this.#assertOpen('telemetry count failed');
    try {
      this.#count ??= this.#countAll.get()?.n ?? 0;
      return this.#count;
    } catch (error) {
      throw storeError('telemetry count failed', error);
    }
  }

  /** Idempotent; the shared connection closes with its last store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#connection.release();
  }

  #assertOpen(what: string): void {
    if (this.#closed) throw new HubError('STORE_ERROR', `${what}: the store is closed`);
  }
}
