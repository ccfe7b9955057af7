/**
 * TelemetryStore.export on SQLite: a k-way merge of per-series keyset pages. better-sqlite3 cannot
 * write while a statement iterator is open, so each page is fetched whole with `.all()` and no
 * statement stays open across the generator's yields.
 */
import type Database from 'better-sqlite3';
import type { TelemetryPoint, TelemetryQuery } from '../../core/telemetry.ts';
import { MinHeap } from './min-heap.ts';
import { FLAG_HISTORICAL, fromColumns, qualityName, sourceFields } from '../shared/point-columns.ts';
import type { SeriesRow } from './sqlite-series.ts';

/** Rows held in memory across all series at once (split between the series being merged). */
export const EXPORT_PAGE_ROWS = 5_000;
const MIN_SERIES_PAGE = 64;

/** [ts, seq, value, text, quality, flags] */
type Row = [number, number, number | null, string | null, number, number];

interface PageParams {
  series: number;
  ts: number;
  seq: number;
  bound: number;
  limit: number;
}

interface Cursor {
  readonly series: SeriesRow;
  readonly rank: number;
  rows: Row[];
  pos: number;
  /** Keyset position: the last (ts, seq) read. */
  ts: number;
  seq: number;
  /** Rows this series may still return (the query's per-series limit). */
  remaining: number;
  done: boolean;
}

export type ExportQuery = Omit<TelemetryQuery, 'aggregation' | 'intervalMs'>;

/** Prepared page statements for both directions. */
export class SqliteExportPages {
  readonly #asc: Database.Statement<[PageParams], Row>;
  readonly #desc: Database.Statement<[PageParams], Row>;

  constructor(db: Database.Database) {
    const select = 'SELECT ts, seq, value, text, quality, flags FROM points WHERE series_id = @series';
    this.#asc = db
      .prepare<[PageParams], Row>(`${select} AND (ts, seq) > (@ts, @seq) AND ts <= @bound ORDER BY ts, seq LIMIT @limit`)
      .raw(true);
    this.#desc = db
      .prepare<[PageParams], Row>(
        `${select} AND (ts, seq) < (@ts, @seq) AND ts >= @bound ORDER BY ts DESC, seq DESC LIMIT @limit`,
      )
      .raw(true);
  }

  fetch(desc: boolean, params: PageParams): Row[] {
    return (desc ? this.#desc : this.#asc).all(params);
  }
}

/**
 * Stream the raw points of `series` in (ts, device, measurement) order (reversed for `desc`), each
 * series capped at `query.limit`. `assertOpen` runs before every page and every point so a store
 * closed mid-export stops the stream with its STORE_ERROR.
 */
export async function* exportSqlite(
  pages: SqliteExportPages,
  findSeries: () => SeriesRow[],
  query: ExportQuery,
  assertOpen: () => void,
): AsyncGenerator<TelemetryPoint> {
  assertOpen();
  if (query.end < query.start) return;
  const desc = query.order === 'desc';
  const all = findSeries();
  const perPage = Math.max(MIN_SERIES_PAGE, Math.floor(EXPORT_PAGE_ROWS / Math.max(1, all.length)));
  const sign = desc ? -1 : 1;
  const heap = new MinHeap<Cursor>((a, b) => {
    const x = a.rows[a.pos] as Row;
    const y = b.rows[b.pos] as Row;
    return sign * (x[0] - y[0] || a.rank - b.rank || x[1] - y[1]);
  });

  const refill = (cursor: Cursor): void => {
    cursor.rows = [];
    cursor.pos = 0;
    if (cursor.done) return;
    const limit = Math.min(perPage, cursor.remaining);
    assertOpen();
    const bound = desc ? query.start : query.end;
    const rows = limit > 0 ? pages.fetch(desc, { series: cursor.series.id, ts: cursor.ts, seq: cursor.seq, bound, limit }) : [];
    const last = rows[rows.length - 1];
    if (last !== undefined) [cursor.ts, cursor.seq] = [last[0], last[1]];
    cursor.remaining -= rows.length;
    cursor.done = rows.length < limit || cursor.remaining === 0;
    cursor.rows = rows;
  };

  all.forEach((series, rank) => {
    const cursor: Cursor = {
      series,
      rank,
      rows: [],
      pos: 0,
      // Start just outside the range: (start, -1) ascending, (end, +max) descending.
      ts: desc ? query.end : query.start,
      seq: desc ? Number.MAX_SAFE_INTEGER : -1,
      remaining: query.limit ?? Number.POSITIVE_INFINITY,
      done: false,
    };
    refill(cursor);
    if (cursor.rows.length > 0) heap.push(cursor);
  });

  for (let cursor = heap.pop(); cursor !== undefined; cursor = heap.pop()) {
    const [ts, , value, text, quality, flags] = cursor.rows[cursor.pos++] as Row;
    const { deviceId, measurement, unit, sourceMeasurement, sourceUnit } = cursor.series;
    if (cursor.pos === cursor.rows.length) refill(cursor);
    if (cursor.pos < cursor.rows.length) heap.push(cursor);
    assertOpen();
    yield {
      deviceId,
      measurement,
      ts,
      value: fromColumns(value, text, flags) ?? '',
      ...(unit === null ? {} : { unit }),
      quality: qualityName(quality),
      ...((flags & FLAG_HISTORICAL) !== 0 ? { historical: true } : {}),
      ...sourceFields(measurement, unit, sourceMeasurement, sourceUnit),
    };
  }
}
