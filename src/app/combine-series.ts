/** Combine per-device series into one series per measurement (group_by "measurement"). */
import { HubError } from '../core/errors.ts';
import type { Aggregation, SeriesResult } from '../core/telemetry.ts';
import { convertSeries, dimensionKey, groupUnit } from './series-units.ts';

type Bucket = { ts: number; value: number | null; count: number };

/** A measurement whose series could not all be combined: their units measure different things. */
export interface UnitConflict {
  readonly measurement: string;
  readonly units: readonly (string | null)[];
}

/**
 * Merge series that share a measurement and a unit dimension, converting compatible units first
 * (°F and °C are combined in °C; hPa and kPa in hPa). Series of one measurement in incompatible
 * units (°C and V, or a unit the vocabulary does not know) are never merged: each dimension gives
 * its own series and the measurement is listed in `conflicts`. Aggregates combine exactly: avg
 * weighted by sample count, min/max/sum/count by their own rule. first/last cannot be combined (the
 * store returns no sample times inside a bucket), so they are refused. Raw points are merged in time order.
 */
export function combineSeries(
  series: readonly SeriesResult[],
  aggregation: Aggregation | undefined,
): { series: SeriesResult[]; conflicts: UnitConflict[] } {
  if (aggregation === 'first' || aggregation === 'last') {
    throw new HubError('INVALID_PARAMS', `Invalid params: ${aggregation} cannot be combined across devices; use group_by "device"`, {
      issues: [{ path: '/group_by', message: `not available with aggregation ${aggregation}` }],
    });
  }
  const groups = new Map<string, SeriesResult[]>();
  for (const s of series) {
    const key = dimensionKey(s);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const combined: SeriesResult[] = [];
  const unitsOf = new Map<string, (string | null)[]>();
  for (const group of groups.values()) {
    const first = group[0] as SeriesResult;
    const target = groupUnit(group);
    const converted = target === undefined ? group : group.map((s) => convertSeries(s, target, aggregation) ?? s);
    const unit = target?.code ?? first.unit;
    unitsOf.set(first.measurement, [...(unitsOf.get(first.measurement) ?? []), unit]);
    combined.push({
      deviceId: '',
      measurement: first.measurement,
      unit,
      points: aggregation === undefined ? mergeRaw(converted) : mergeBuckets(converted, aggregation),
    });
  }
  const conflicts = [...unitsOf.entries()].filter(([, units]) => units.length > 1).map(([measurement, units]) => ({ measurement, units }));
  return { series: combined, conflicts };
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
