/**
 * query_telemetry: stored history as a bounded summary. The store aggregates (data.query with avg /
 * min / max / last per bucket); this picks the bucket width so every series together stays within
 * the point budget, and answers per-interval rows plus overall figures, units and the time range —
 * a 100,000-point series costs one small answer, never raw points.
 */
import { resolveRange } from '../app/query-params.ts';
import { parseInterval } from '../core/telemetry.ts';
import { HubError } from '../core/errors.ts';
import type { Invoke, JsonSchemaObject, RouteEnv, ToolRoute } from './tool-definition.ts';
import { invalid, selection } from './verb-routes.ts';

/** The MCP App that charts a query_telemetry answer (src/mcp/telemetry-chart-app.ts). */
export const TELEMETRY_CHART_URI = 'ui://llm-iot/telemetry-chart.html';
export const DEFAULT_MAX_POINTS = 60;
/** Bucket widths the interval is chosen from, smallest first. */
const NICE = ['1s', '5s', '15s', '30s', '1m', '5m', '10m', '15m', '30m', '1h', '2h', '3h', '6h', '12h', '1d', '2d', '7d', '14d', '30d', '90d', '365d'];

type WirePoint = { timestamp: string; value: number | string | boolean | null; count?: number };
type WireSeries = { device_id?: string; measurement_type: string; unit: string | null; points: WirePoint[] };
type WireAnswer = { series: WireSeries[]; time_range: { start: string; end: string }; device_count: number; incompatible?: unknown[] };

const s = (type: string | string[], description: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ type, description, ...extra });
const NUM = ['number', 'null'];
export const QUERY_TELEMETRY_OUTPUT: JsonSchemaObject = {
  type: 'object',
  properties: {
    time_range: { type: 'object', description: 'the range asked', properties: { start: s('string', 'RFC 3339'), end: s('string', 'RFC 3339') }, required: ['start', 'end'], additionalProperties: false },
    interval: s('string', 'bucket width'),
    interval_note: s('string', 'why this interval'),
    group_by: s('string', 'measurement or device'),
    device_count: s('integer', 'devices selected'),
    columns: s('array', 'what each bucket row holds', { items: s('string', 'column') }),
    points: s('integer', 'bucket rows in this answer'),
    max_points: s('integer', 'the budget'),
    series: {
      type: 'array',
      description: 'one per measurement (or per device and measurement)',
      items: {
        type: 'object',
        properties: {
          measurement: s('string', 'canonical name'),
          unit: s(['string', 'null'], 'unit of every value'),
          device_id: s('string', 'with group_by device'),
          hardware_id: s('string', 'with group_by device'),
          summary: {
            type: 'object',
            description: 'over the whole range',
            properties: {
              min: s(NUM, 'lowest'),
              max: s(NUM, 'highest'),
              mean: s(NUM, 'mean of all samples'),
              count: s('integer', 'samples'),
              first_at: s('string', 'first bucket start'),
              last_at: s('string', 'last bucket start'),
              last: s(['number', 'string', 'boolean', 'null'], 'latest value (group_by device)'),
            },
            required: ['min', 'max', 'mean', 'count'],
            additionalProperties: false,
          },
          buckets: s('array', 'rows as in columns', { items: s('array', 'one interval', { items: s(['string', 'number', 'boolean', 'null'], 'cell') }) }),
        },
        required: ['measurement', 'unit', 'summary', 'buckets'],
        additionalProperties: false,
      },
    },
    incompatible: s('array', 'series left apart: their units do not convert', { items: s('object', 'measurement and units') }),
    note: s('string', 'when there is no data'),
  },
  required: ['time_range', 'interval', 'group_by', 'device_count', 'columns', 'points', 'max_points', 'series'],
  additionalProperties: false,
};

const round = (v: unknown): number | string | boolean | null => (typeof v === 'number' ? Number(v.toPrecision(6)) : (v as string | boolean | null));
const short = (iso: string): string => iso.replace(/\.000Z$/, 'Z');

export function queryTelemetryRoute(args: Record<string, unknown>, env: RouteEnv): ToolRoute {
  const { device, filter } = selection(args, env, true);
  if (args['last'] !== undefined && args['start'] !== undefined) throw invalid('/start', 'give last or start, not both');
  const time_range = {
    ...(args['start'] !== undefined && { start: args['start'] }),
    ...(args['end'] !== undefined && { end: args['end'] }),
    ...(args['start'] === undefined && { last: (args['last'] as string | undefined) ?? '24h' }),
  };
  const range = resolveRange(env.services, time_range as never);
  const groupBy = (args['group_by'] as 'measurement' | 'device' | undefined) ?? 'measurement';
  const maxPoints = (args['max_points'] as number | undefined) ?? DEFAULT_MAX_POINTS;
  const asked = args['interval'] as string | undefined;
  const base = {
    ...(device !== undefined && { device_ids: [device.id] }),
    ...(filter !== undefined && { filter }),
    ...(args['measurements'] !== undefined && { measurement_types: args['measurements'] }),
    time_range,
    group_by: groupBy,
  };
  return {
    method: 'data.query',
    kind: 'read',
    params: base,
    run: async (invoke) => summarize(invoke, base, { ...range, groupBy, maxPoints, asked, env }),
  };
}

interface Plan {
  readonly start: number;
  readonly end: number;
  readonly groupBy: 'measurement' | 'device';
  readonly maxPoints: number;
  readonly asked: string | undefined;
  readonly env: RouteEnv;
}

async function summarize(invoke: Invoke, base: Record<string, unknown>, plan: Plan): Promise<Record<string, unknown>> {
  const span = Math.max(1, plan.end - plan.start);
  const query = async (aggregation: string, interval: string): Promise<WireAnswer> =>
    (await invoke('data.query', { ...base, aggregation, interval, limit: 1_000_000 })) as WireAnswer;
  // One bucket over the whole range: how many series there are, from the store's own count.
  const scout = await query('count', `${span + 1}ms`);
  const present = scout.series.filter((x) => x.points.some((p) => (p.count ?? Number(p.value)) > 0));
  const time_range = { start: short(scout.time_range.start), end: short(scout.time_range.end) };
  const columns = plan.groupBy === 'device' ? ['start', 'min', 'max', 'mean', 'count', 'last'] : ['start', 'min', 'max', 'mean', 'count'];
  const empty = { time_range, group_by: plan.groupBy, device_count: scout.device_count, columns, max_points: plan.maxPoints };
  if (present.length === 0) return { ...empty, interval: `${span}ms`, points: 0, series: [], note: 'no stored data for this selection and range' };
  if (present.length > plan.maxPoints) {
    throw new HubError('INVALID_PARAMS', `Invalid params: ${present.length} series do not fit in max_points ${plan.maxPoints}; name measurements, narrow where, or group_by "measurement"`, {
      issues: [{ path: '/max_points', message: `at least ${present.length} for this selection` }],
    });
  }
  const { interval, note } = chooseInterval(span, Math.floor(plan.maxPoints / present.length), plan.asked);
  const [avg, min, max, last] = await Promise.all([
    query('avg', interval),
    query('min', interval),
    query('max', interval),
    plan.groupBy === 'device' ? query('last', interval) : Promise.resolve(undefined),
  ]);
  const key = (x: WireSeries): string => `${x.device_id ?? ''}|${x.measurement_type}|${x.unit ?? ''}`;
  const index = (answer: WireAnswer | undefined): Map<string, Map<string, unknown>> =>
    new Map((answer?.series ?? []).map((x) => [key(x), new Map(x.points.map((p) => [p.timestamp, p.value]))]));
  const [mins, maxs, lasts] = [index(min), index(max), index(last)];
  let points = 0;
  const series = avg.series
    .filter((x) => x.points.some((p) => (p.count ?? 0) > 0))
    .map((x) => {
      const rows = x.points.filter((p) => (p.count ?? 0) > 0);
      points += rows.length;
      const k = key(x);
      const buckets = rows.map((p) => {
        const row = [short(p.timestamp), round(mins.get(k)?.get(p.timestamp)), round(maxs.get(k)?.get(p.timestamp)), round(p.value), p.count ?? 0];
        return plan.groupBy === 'device' ? [...row, round(lasts.get(k)?.get(p.timestamp))] : row;
      });
      return { measurement: x.measurement_type, unit: x.unit, ...deviceOf(x, plan.env), summary: overall(buckets, plan.groupBy === 'device'), buckets };
    });
  return { ...empty, interval, interval_note: note, points, series, ...(avg.incompatible !== undefined && { incompatible: avg.incompatible }) };
}

/** The smallest nice bucket width that keeps each series within `perSeries` buckets (a bucket may straddle each end). */
export function chooseInterval(span: number, perSeries: number, asked: string | undefined): { interval: string; note: string } {
  const need = span / Math.max(1, perSeries - 1);
  const fits = (ms: number | undefined): boolean => ms !== undefined && ms >= need;
  const nice = NICE.find((n) => fits(parseInterval(n))) ?? `${Math.ceil(need / 86_400_000)}d`;
  if (asked !== undefined && fits(parseInterval(asked))) return { interval: asked, note: 'as asked' };
  const budget = `at most ${perSeries} buckets per series keeps the answer within max_points`;
  return { interval: nice, note: asked === undefined ? `chosen: ${budget}` : `widened from the interval asked: ${budget}` };
}

function deviceOf(x: WireSeries, env: RouteEnv): Record<string, string> {
  if (x.device_id === undefined) return {};
  const d = env.services.registry.get(x.device_id);
  return { device_id: x.device_id, ...(d !== undefined && { hardware_id: d.hardwareId }) };
}

function overall(buckets: (string | number | boolean | null)[][], withLast: boolean): Record<string, unknown> {
  let min: number | null = null;
  let max: number | null = null;
  let sum = 0;
  let count = 0;
  for (const [, lo, hi, mean, n] of buckets) {
    if (typeof lo === 'number') min = min === null ? lo : Math.min(min, lo);
    if (typeof hi === 'number') max = max === null ? hi : Math.max(max, hi);
    if (typeof mean === 'number' && typeof n === 'number') {
      sum += mean * n;
      count += n;
    }
  }
  const first = buckets[0];
  const lastRow = buckets[buckets.length - 1];
  return {
    min,
    max,
    mean: count > 0 ? round(sum / count) : null,
    count,
    ...(first !== undefined && { first_at: first[0] }),
    ...(lastRow !== undefined && { last_at: lastRow[0] }),
    ...(withLast && lastRow !== undefined && { last: lastRow[5] ?? null }),
  };
}
