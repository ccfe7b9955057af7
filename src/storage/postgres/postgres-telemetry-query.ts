/** TelemetryStore.query on PostgreSQL: one statement for all series, bucketing and aggregation in SQL. */
import type pg from 'pg';
import type { Aggregation, SeriesResult, TelemetryQuery } from '../../core/telemetry.ts';
import { fromColumns, sourceFields } from '../shared/point-columns.ts';
import type { SeriesRow } from './postgres-series.ts';

type ResultPoint = SeriesResult['points'][number];

interface Row {
  series_id: number;
  ts: number;
  v: number | null;
  text: string | null;
  flags: number;
  n: number;
}

const NUMERIC: Partial<Record<Aggregation, string>> = { avg: 'avg', min: 'min', max: 'max', sum: 'sum' };

/** Range condition shared by every statement: $1 series ids, $2 start, $3 end. */
const RANGE = 'series_id = ANY($1::int[]) AND ts >= $2 AND ts <= $3';

/**
 * Bucket start of `ts` aligned to the epoch, $4 = interval; integer division truncates toward zero,
 * so ranges reaching before 1970 use the floor form. Without an interval there is one bucket (0 here,
 * reported as the range start).
 */
function bucketSql(query: TelemetryQuery): string {
  if (query.intervalMs === undefined) return '0::bigint';
  return query.start >= 0 ? '(ts / $4::bigint) * $4::bigint' : 'ts - (((ts % $4::bigint) + $4::bigint) % $4::bigint)';
}

function aggregateSql(schema: string, query: TelemetryQuery, aggregation: Aggregation): string {
  const bucket = bucketSql(query);
  const numeric = NUMERIC[aggregation];
  if (numeric !== undefined || aggregation === 'count') {
    const value = numeric === undefined ? 'count(*)' : `${numeric}(value)`;
    const n = numeric === undefined ? 'count(*)' : 'count(value)';
    return `SELECT series_id, ${bucket} AS ts, ${value} AS v, NULL AS text, 0 AS flags, ${n} AS n
      FROM ${schema}.points WHERE ${RANGE} GROUP BY series_id, 2 ORDER BY series_id, 2`;
  }
  const direction = aggregation === 'first' ? 'ASC' : 'DESC';
  return `SELECT DISTINCT ON (series_id, ts) series_id, ts, v, text, flags, n FROM (
      SELECT series_id, ${bucket} AS ts, ts AS t, value AS v, text, flags,
        count(*) OVER (PARTITION BY series_id, ${bucket}) AS n
      FROM ${schema}.points WHERE ${RANGE}) AS p
    ORDER BY series_id, ts, t ${direction}`;
}

function rawSql(schema: string, query: TelemetryQuery): string {
  const order = query.order === 'desc' ? 'DESC' : 'ASC';
  const columns = 'series_id, ts, value AS v, text, flags, 1 AS n';
  if (query.limit === undefined) {
    return `SELECT ${columns} FROM ${schema}.points WHERE ${RANGE} ORDER BY series_id, ts ${order}`;
  }
  // Per-series limit: one index range scan per series.
  return `SELECT ${columns} FROM unnest($1::int[]) AS s(id) CROSS JOIN LATERAL (
      SELECT series_id, ts, value, text, flags FROM ${schema}.points
      WHERE series_id = s.id AND ts >= $2 AND ts <= $3 ORDER BY ts ${order} LIMIT $4) AS p
    ORDER BY series_id, ts ${order}`;
}

/** Run `query` over the resolved `series`; one SeriesResult per series that has points, in `series` order. */
export async function queryPostgres(
  pool: pg.Pool,
  schema: string,
  series: readonly SeriesRow[],
  query: TelemetryQuery,
): Promise<SeriesResult[]> {
  if (series.length === 0 || query.end < query.start) return [];
  // ts is bigint: round the bounds inward so they bind as bigint and the (series_id, ts) index applies.
  const params: unknown[] = [series.map((s) => s.id), Math.ceil(query.start), Math.floor(query.end)];
  let sql: string;
  if (query.aggregation === undefined) {
    sql = rawSql(schema, query);
    if (query.limit !== undefined) params.push(query.limit);
  } else {
    sql = aggregateSql(schema, query, query.aggregation);
    if (query.intervalMs !== undefined) params.push(query.intervalMs);
  }
  const result = await pool.query<Row>(sql, params);
  const bySeries = new Map<number, ResultPoint[]>();
  for (const row of result.rows) {
    let points = bySeries.get(row.series_id);
    if (points === undefined) {
      points = [];
      bySeries.set(row.series_id, points);
    }
    const value = fromColumns(row.v, row.text, row.flags);
    if (query.aggregation === undefined) points.push({ ts: row.ts, value });
    else points.push({ ts: query.intervalMs === undefined ? query.start : row.ts, value, count: row.n });
  }
  const results: SeriesResult[] = [];
  for (const { id, deviceId, measurement, unit, sourceMeasurement, sourceUnit } of series) {
    let points = bySeries.get(id);
    if (points === undefined) continue;
    // Raw rows come in the requested order; buckets come ascending.
    if (query.aggregation !== undefined && query.order === 'desc') points.reverse();
    if (query.aggregation !== undefined && query.limit !== undefined) points = points.slice(0, query.limit);
    if (points.length > 0) results.push({ deviceId, measurement, unit, ...sourceFields(measurement, unit, sourceMeasurement, sourceUnit), points });
  }
  return results;
}
