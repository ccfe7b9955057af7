/** Unit handling of data.query: canonical names for stored series, conversion to a target unit, dimension keys. */
import { findQuantity, mapMeasurement } from '../core/measurements.ts';
import { conversionBetween, convertValue, findUnit, IDENTITY, type Conversion, type UnitDefinition } from '../core/units.ts';
import type { Aggregation, SeriesResult } from '../core/telemetry.ts';

/**
 * A stored series under its canonical name and unit. New series already are (the pipeline maps
 * every point); series stored before the vocabulary existed are renamed here.
 */
export function canonicalSeries(series: SeriesResult): SeriesResult {
  const mapping = mapMeasurement(series.measurement, series.unit ?? undefined);
  if (mapping.identity) return series;
  return {
    ...series,
    measurement: mapping.measurement,
    unit: mapping.unit ?? null,
    sourceMeasurement: series.sourceMeasurement ?? series.measurement,
    sourceUnit: series.sourceUnit ?? series.unit,
  };
}

/** Convert aggregated or raw points: count is unit-free; a sum carries the offset once per sample. */
function convertPoints(points: SeriesResult['points'], conversion: Conversion, aggregation: Aggregation | undefined): SeriesResult['points'] {
  if (conversion === IDENTITY || aggregation === 'count') return points;
  return points.map((p) => {
    if (typeof p.value !== 'number') return p;
    const value =
      aggregation === 'sum'
        ? convertValue(p.value, { scale: conversion.scale, offset: conversion.offset * (p.count ?? 1) })
        : convertValue(p.value, conversion);
    return { ...p, value };
  });
}

/** The series in unit `to`, or undefined when its unit is unknown or of another dimension. */
export function convertSeries(series: SeriesResult, to: UnitDefinition, aggregation: Aggregation | undefined): SeriesResult | undefined {
  const from = series.unit === null ? undefined : findUnit(series.unit);
  const conversion = from === undefined ? undefined : conversionBetween(from, to);
  if (conversion === undefined) return undefined;
  return { ...series, unit: to.code, points: convertPoints(series.points, conversion, aggregation) };
}

/**
 * What series may be combined under: the measurement plus its unit's dimension (`temperature|temperature`);
 * a unit the vocabulary does not know only combines with the same unit, no unit only with no unit.
 */
export function dimensionKey(series: SeriesResult): string {
  const unit = series.unit === null ? undefined : findUnit(series.unit);
  const dimension = unit?.dimension ?? (series.unit === null ? 'none' : `unit:${series.unit}`);
  return `${series.measurement}|${dimension}`;
}

/**
 * The unit a group of compatible series is combined in: their unit when they share one, else the
 * quantity's canonical unit, else the first series' unit; undefined when nothing needs converting.
 */
export function groupUnit(group: readonly SeriesResult[]): UnitDefinition | undefined {
  const first = group[0];
  if (first === undefined || first.unit === null || group.every((s) => s.unit === first.unit)) return undefined;
  const unit = findUnit(first.unit);
  if (unit === undefined) return undefined;
  const canonical = findQuantity(first.measurement)?.quantity.unit;
  const preferred = canonical === undefined ? undefined : findUnit(canonical);
  return preferred !== undefined && preferred.dimension === unit.dimension ? preferred : unit;
}
