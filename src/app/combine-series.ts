/** Combine per-device series into one series per measurement (group_by "measurement"). */
import { HubError } from '../core/errors.ts';
import type { Aggregation, SeriesResult } from '../core/telemetry.ts';

type Bucket = { ts: number; value: number | null; count: number };

/**
 * Merge series that share a measurement. Aggregates combine exactly: avg weighted by sample count,
 * min/max/sum/count by their own rule. first/last cannot be combined (the store returns no sample
 * times inside a bucket), so they are refused. Raw points are merged in time order.
 */
export function combineSeries(series: readonly SeriesResult[], aggregation: Aggregation | undefined): SeriesResult[] {
  if (aggregation === 'first' || aggregation === 'last') {
    throw new HubError('INVALID_PARAMS', `Invalid params: ${aggregation} cannot be combined across devices; use group_by "device"`, {
      issues: [{ path: '/group_by', message: `not available with aggregation ${aggregation}` }],
    });
  }
  const byMeasurement = new Map<string, SeriesResult[]>();
  for (const s of series) byMeasurement.set(s.measurement, [...(byMeasurement.get(s.measurement) ?? []), s]);
  return [...byMeasurement.entries()].map(([measurement, group]) => ({
    deviceId: '',
    measurement,
    unit: group.find((s) => s.unit !== null)?.unit ?? null,
    points: aggregation === undefined ? mergeRaw(group) : mergeBuckets(group, aggregation),
  }));
}

function mergeRaw(group: readonly SeriesResult[]): SeriesResult['points'] {
  return group.flatMap((s) => s.points).sort((a, b) => a.ts - b.ts);
}

function mergeBuckets(group: readonly SeriesResult[], aggregation: Aggregation): Bucket[] {
  const buckets = new Map<number, Bucket>();
  for (const s of group) {
    for (const p of s.points) {
      const value = typeof p.value === 'number' ? p.value : null;
      const count = p.count ?? 1;
      const b = buckets.get(p.ts);
      if (!b) {
        buckets.set(p.ts, { ts: p.ts, value: aggregation === 'avg' && value !== null ? value * count : value, count });
        continue;
      }
      if (value === null) continue;
      if (b.value === null) b.value = aggregation === 'avg' ? value * count : value;
      else if (aggregation === 'avg' || aggregation === 'sum' || aggregation === 'count') b.value += aggregation === 'avg' ? value * count : value;
      else if (aggregation === 'min') b.value = Math.min(b.value, value);
      else if (aggregation === 'max') b.value = Math.max(b.value, value);
      b.count += count;
    }
  }
  const out = [...buckets.values()].sort((a, b) => a.ts - b.ts);
  if (aggregation === 'avg') for (const b of out) if (b.value !== null) b.value /= b.count;
  return out;
}
