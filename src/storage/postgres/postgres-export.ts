/**
 * TelemetryStore.export on PostgreSQL: a server-side cursor on a dedicated client, fetched a page at a
 * time, so the range is sorted once by the server and never held in hub memory.
 */
import type pg from 'pg';
import type { TelemetryPoint, TelemetryQuery } from '../../core/telemetry.ts';
import { FLAG_HISTORICAL, fromColumns, qualityName, sourceFields } from '../shared/point-columns.ts';
import type { SeriesRow } from './postgres-series.ts';

/** Rows fetched per round trip. */
export const EXPORT_PAGE_ROWS = 5_000;

export type ExportQuery = Omit<TelemetryQuery, 'aggregation' | 'intervalMs'>;

/** A series row joined with its points (or latest) row, as both the export and `latest()` select it. */
export interface PointRow {
  device_id: string;
  measurement: string;
  unit: string | null;
  source_measurement: string | null;
  source_unit: string | null;
  ts: number;
  value: number | null;
  text: string | null;
  quality: number;
  flags: number;
}

/** An export holding a pool client; the store aborts open exports when it closes. */
export interface ExportLease {
  abort(): void;
}

/** DECLARE takes no bind parameters, so the (validated, numeric) bounds are inlined as literals. */
function cursorSql(schema: string, series: readonly SeriesRow[], query: ExportQuery): string {
  const order = query.order === 'desc' ? 'DESC' : 'ASC';
  const ids = series.map((s) => String(s.id)).join(',');
  const start = String(Math.ceil(query.start));
  const end = String(Math.floor(query.end));
  const rank = query.limit === undefined ? '' : `, row_number() OVER (PARTITION BY p.series_id ORDER BY p.ts ${order}) AS rn`;
  const inner = `SELECT s.device_id, s.measurement, s.unit, s.source_measurement, s.source_unit, p.ts, p.value, p.text, p.quality, p.flags${rank}
    FROM ${schema}.points p JOIN ${schema}.series s ON s.id = p.series_id
    WHERE p.series_id IN (${ids}) AND p.ts >= ${start} AND p.ts <= ${end}`;
  const limited = query.limit === undefined ? inner : `SELECT * FROM (${inner}) AS x WHERE rn <= ${String(query.limit)}`;
  // COLLATE "C": byte order, the order SQLite's BINARY collation gives too.
  return `DECLARE llmiot_export NO SCROLL CURSOR FOR ${limited}
    ORDER BY ts ${order}, device_id COLLATE "C" ${order}, measurement COLLATE "C" ${order}`;
}

function toPoint(row: PointRow): TelemetryPoint {
  return {
    deviceId: row.device_id,
    measurement: row.measurement,
    ts: row.ts,
    value: fromColumns(row.value, row.text, row.flags) ?? '',
    ...(row.unit === null ? {} : { unit: row.unit }),
    quality: qualityName(row.quality),
    ...((row.flags & FLAG_HISTORICAL) !== 0 ? { historical: true } : {}),
    ...sourceFields(row.measurement, row.unit, row.source_measurement, row.source_unit),
  };
}

/**
 * Stream the points of `series` in (ts, device, measurement) order (reversed for `desc`), each series
 * capped at `query.limit`. `leases` tracks the open export so closing the store can abort it;
 * `assertOpen` runs before every page and point.
 */
export async function* exportPostgres(
  pool: pg.Pool,
  schema: string,
  findSeries: () => Promise<SeriesRow[]>,
  query: ExportQuery,
  leases: Set<ExportLease>,
  assertOpen: () => void,
): AsyncGenerator<TelemetryPoint> {
  assertOpen();
  if (query.end < query.start) return;
  const series = await findSeries();
  if (series.length === 0) return;
  const client = await pool.connect();
  let released = false;
  const release = (destroy: boolean): void => {
    if (released) return;
    released = true;
    leases.delete(lease);
    client.release(destroy);
  };
  const lease: ExportLease = { abort: () => release(true) };
  leases.add(lease);
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(cursorSql(schema, series, query));
    for (;;) {
      assertOpen();
      const page = await client.query<PointRow>(`FETCH FORWARD ${EXPORT_PAGE_ROWS} FROM llmiot_export`);
      for (const row of page.rows) {
        assertOpen();
        yield toPoint(row);
      }
      if (page.rows.length < EXPORT_PAGE_ROWS) break;
    }
    await client.query('COMMIT');
    release(false);
  } finally {
    // Early exit (break, error, abort): the transaction may be open, so the client is not reused.
    release(true);
  }
}
