/** data.query / data.latest / data.export: historical and current telemetry over the TelemetryStore. */
import { Type, type Static } from '@sinclair/typebox';
import { HubError } from '../core/errors.ts';
import { AGGREGATIONS, type SeriesResult, type TelemetryPoint } from '../core/telemetry.ts';
import { findUnit } from '../core/units.ts';
import { defineMethod, type MethodDefinition } from '../rpc/method.ts';
import { iso, pointToReading, ReadingWire, Uuid, ValueSchema } from '../rpc/wire.ts';
import { combineSeries, type UnitConflict } from './combine-series.ts';
import { intervalMs, measurementNames, resolveRange, selectDeviceIds, Selection, TimeRange, type RangedSelection } from './query-params.ts';
import { canonicalSeries, convertSeries } from './series-units.ts';
import type { HubServices } from './services.ts';

const AggregationSchema = Type.Union(AGGREGATIONS.map((a) => Type.Literal(a)));

const SeriesWire = Type.Object({
  device_id: Type.Optional(Uuid),
  measurement_type: Type.String(),
  unit: Type.Union([Type.String(), Type.Null()]),
  source_measurement: Type.Optional(Type.String({ description: 'the name the device reports (per-device series only)' })),
  source_unit: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'the unit the device reports' })),
  points: Type.Array(
    Type.Object({ timestamp: Type.String({ format: 'date-time' }), value: Type.Union([ValueSchema, Type.Null()]), count: Type.Optional(Type.Integer()) }),
  ),
});

export const CSV_HEADER = 'timestamp,device_id,measurement_type,value,unit,quality,source_measurement,source_unit';

const IncompatibleWire = Type.Object({
  measurement_type: Type.String(),
  units: Type.Array(Type.Union([Type.String(), Type.Null()])),
  device_id: Type.Optional(Uuid),
  reason: Type.String(),
});

/** The params of data.export; GET /export builds the same object from its query and validates it as data.export (one schema). */
export const ExportParams = Type.Object({
  ...Selection,
  time_range: Type.Optional(TimeRange),
  format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('jsonl')], { default: 'csv' })),
  max_rows: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 100_000 })),
});
export type ExportParams = Static<typeof ExportParams>;

export function dataMethods(services: HubServices): MethodDefinition[] {
  return [
    defineMethod({
      name: 'data.query',
      summary: 'Historical telemetry: raw points or avg/min/max/sum/count/first/last per interval bucket (e.g. "1h").',
      description:
        'Select devices by device_ids and/or filter (zone, model, type, tags…); default time range is the last 24 hours. ' +
        'group_by "measurement" combines all selected devices into one series per measurement (e.g. the average temperature of Zone A). ' +
        'Names and units are canonical (temperature in Cel, see docs/measurements.md); series in compatible units are converted before ' +
        'they are combined, incompatible ones are never merged and are listed under "incompatible". unit converts every series to that unit.',
      kind: 'read',
      tags: ['data'],
      params: Type.Object({
        ...Selection,
        time_range: Type.Optional(TimeRange),
        aggregation: Type.Optional(AggregationSchema),
        interval: Type.Optional(Type.String({ description: 'bucket width such as 1m, 15m, 1h, 1d; needs aggregation' })),
        group_by: Type.Optional(Type.Union([Type.Literal('device'), Type.Literal('measurement')], { default: 'device' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'raw points per series (default 10000)' })),
        order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
        unit: Type.Optional(
          Type.String({ minLength: 1, maxLength: 50, description: 'convert to this unit (UCUM code such as Cel, [degF], hPa, or a name such as fahrenheit)' }),
        ),
      }),
      result: Type.Object({
        series: Type.Array(SeriesWire),
        time_range: Type.Object({ start: Type.String(), end: Type.String() }),
        aggregation: Type.Optional(AggregationSchema),
        interval: Type.Optional(Type.String()),
        device_count: Type.Integer(),
        incompatible: Type.Optional(Type.Array(IncompatibleWire, { description: 'series left apart because their units do not convert' })),
      }),
      examples: [
        {
          name: 'hourly average of one sensor over a day',
          params: {
            device_ids: ['550e8400-e29b-41d4-a716-446655440001'],
            measurement_types: ['temperature'],
            time_range: { start: '2025-09-30T00:00:00Z', end: '2025-09-30T23:59:59Z' },
            aggregation: 'avg',
            interval: '1h',
          },
        },
      ],
      async handler(params) {
        const deviceIds = selectDeviceIds(services, params);
        const range = resolveRange(services, params.time_range);
        if (params.interval !== undefined && params.aggregation === undefined) {
          throw new HubError('INVALID_PARAMS', 'Invalid params: interval needs an aggregation', {
            issues: [{ path: '/aggregation', message: 'required when interval is given' }],
          });
        }
        const bucket = intervalMs(params.interval, range.end - range.start);
        const target = params.unit === undefined ? undefined : findUnit(params.unit);
        if (params.unit !== undefined && target === undefined) {
          throw new HubError('INVALID_PARAMS', `Invalid params: unit "${params.unit}" is not a known unit`, {
            issues: [{ path: '/unit', message: 'must be a unit of docs/measurements.md, e.g. Cel, [degF], hPa, %' }],
          });
        }
        const measurements = measurementNames(params.measurement_types);
        const raw =
          deviceIds.length === 0
            ? []
            : await services.telemetry.query({
                deviceIds,
                start: range.start,
                end: range.end,
                ...(measurements !== undefined && { measurements }),
                ...(params.aggregation !== undefined && { aggregation: params.aggregation }),
                ...(bucket !== undefined && { intervalMs: bucket }),
                limit: params.limit ?? 10_000,
                ...(params.order !== undefined && { order: params.order }),
              });
        const incompatible: Static<typeof IncompatibleWire>[] = [];
        let canonical = raw.map(canonicalSeries);
        if (target !== undefined) {
          canonical = canonical.flatMap((s) => {
            const converted = convertSeries(s, target, params.aggregation);
            if (converted === undefined) {
              incompatible.push({ measurement_type: s.measurement, units: [s.unit], device_id: s.deviceId, reason: `${s.unit ?? 'no unit'} does not convert to ${target.code}` });
            }
            return converted ?? [];
          });
        }
        let series = canonical;
        if (params.group_by === 'measurement') {
          const combined = combineSeries(canonical, params.aggregation);
          series = combined.series;
          for (const conflict of combined.conflicts) incompatible.push(conflictToWire(conflict));
        }
        return {
          series: series.map((s) => seriesToWire(s, params.group_by !== 'measurement')),
          time_range: { start: iso(range.start), end: iso(range.end) },
          ...(params.aggregation !== undefined && { aggregation: params.aggregation }),
          ...(params.interval !== undefined && { interval: params.interval }),
          device_count: deviceIds.length,
          ...(incompatible.length > 0 && { incompatible }),
        };
      },
    }),
    defineMethod({
      name: 'data.latest',
      summary: 'The latest value of every measurement of the selected devices (from the latest-value cache).',
      kind: 'read',
      tags: ['data'],
      params: Type.Object({ ...Selection, max_age: Type.Optional(Type.Number({ minimum: 0, description: 'seconds; older values are left out' })) }),
      result: Type.Object({ readings: Type.Array(ReadingWire) }),
      async handler(params) {
        const minTs = params.max_age === undefined ? -Infinity : services.now() - params.max_age * 1000;
        const readings = selectDeviceIds(services, params).flatMap((id) =>
          services.cache.forDevice(id, measurementNames(params.measurement_types), minTs).map((p) => pointToReading(p, true)),
        );
        return { readings };
      },
    }),
    defineMethod({
      name: 'data.export',
      summary: 'Export raw telemetry as CSV or JSON lines (also streamed over HTTP at GET /export).',
      kind: 'read',
      tags: ['data'],
      params: ExportParams,
      result: Type.Object({ format: Type.String(), rows: Type.Integer(), truncated: Type.Boolean(), content: Type.String() }),
      async handler(params) {
        const format = params.format ?? 'csv';
        const max = params.max_rows ?? 100_000;
        const lines: string[] = format === 'csv' ? [CSV_HEADER] : [];
        let rows = 0;
        let truncated = false;
        for await (const line of exportLines(services, params, format)) {
          if (rows === max) {
            truncated = true;
            break;
          }
          lines.push(line);
          rows++;
        }
        return { format, rows, truncated, content: lines.length > 0 ? `${lines.join('\n')}\n` : '' };
      },
    }),
  ];
}

/** Export rows as text lines (no header), streamed from the store. Shared by data.export and GET /export. */
export async function* exportLines(
  services: HubServices,
  params: RangedSelection,
  format: 'csv' | 'jsonl',
): AsyncGenerator<string> {
  const deviceIds = selectDeviceIds(services, params);
  if (deviceIds.length === 0) return;
  const range = resolveRange(services, params.time_range);
  const measurements = measurementNames(params.measurement_types);
  const points = services.telemetry.export({
    deviceIds,
    start: range.start,
    end: range.end,
    ...(measurements !== undefined && { measurements }),
  });
  for await (const point of points) yield format === 'csv' ? csvLine(point) : JSON.stringify({ ...pointToReading(point, true) });
}

function csvLine(p: TelemetryPoint): string {
  return [
    iso(p.ts),
    p.deviceId,
    csvField(p.measurement),
    csvField(String(p.value)),
    csvField(p.unit ?? ''),
    p.quality ?? 'good',
    csvField(p.sourceMeasurement ?? p.measurement),
    csvField(p.sourceUnit ?? p.unit ?? ''),
  ].join(',');
}

/** RFC 4180 quoting. */
function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function conflictToWire(conflict: UnitConflict): { measurement_type: string; units: (string | null)[]; reason: string } {
  return {
    measurement_type: conflict.measurement,
    units: [...conflict.units],
    reason: `units of different dimensions (${conflict.units.map((u) => u ?? 'no unit').join(', ')}) are not combined; one series each`,
  };
}

function seriesToWire(s: SeriesResult, withDevice: boolean) {
  return {
    ...(withDevice && { device_id: s.deviceId }),
    measurement_type: s.measurement,
    unit: s.unit,
    ...(withDevice && { source_measurement: s.sourceMeasurement ?? s.measurement, source_unit: s.sourceUnit ?? s.unit }),
    points: s.points.map((p) => ({ timestamp: iso(p.ts), value: p.value, ...(p.count !== undefined && { count: p.count }) })),
  };
}

