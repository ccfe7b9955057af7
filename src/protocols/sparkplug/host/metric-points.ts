// Sparkplug metrics → telemetry points: typed with the BIRTH datatype, stamped with the metric (or payload) time.

import type { PointValue, Quality, TelemetryPoint } from '../../../core/telemetry.ts';
import { DataType, dataTypeName } from '../codec/datatypes.ts';
import { MalformedPayloadError } from '../codec/malformed-payload-error.ts';
import { resolveMetricValue } from '../codec/metric-value.ts';
import type { SparkplugMetric, SparkplugMetricValue } from '../codec/types.ts';
import type { MetricDefinition } from './metric-catalog.ts';

/** Why a metric of a DATA or BIRTH message was not stored. */
export const SKIP_REASONS = ['null', 'transient', 'control', 'unsupported_datatype', 'datatype_mismatch', 'malformed_value'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** The outcome of converting one metric. */
export type MetricOutcome =
  | { readonly point: TelemetryPoint; readonly value: PointValue }
  | { readonly skipped: SkipReason; readonly detail?: string };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/**
 * Metrics that describe or drive the node rather than measure anything: the `bdSeq` counter,
 * `Node Control/*` and `Device Control/*` command endpoints and the static `Properties/*`
 * (kept in the static schema instead). They are not stored as telemetry.
 */
export function isMeasurementName(name: string): boolean {
  return name !== 'bdSeq' && !name.startsWith('Node Control/') && !name.startsWith('Device Control/') && !name.startsWith('Properties/');
}

/** Scalar datatypes stored as points; DataSet, Template, Bytes, File and arrays are not (counted instead). */
export function isStorableDatatype(datatype: number): boolean {
  return datatype >= DataType.Int8 && datatype <= DataType.UUID;
}

/** A scalar Sparkplug value as a point value: 64-bit integers past 2^53 become their exact decimal text. */
export function toPointValue(value: SparkplugMetricValue): PointValue | undefined {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'bigint':
      return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
    case 'boolean':
    case 'string':
      return value;
    default:
      return undefined;
  }
}

/** The `Quality` property (§6.4.8: 0 BAD, 192 GOOD, 500 STALE) as a point quality. */
function qualityOf(metric: SparkplugMetric): Quality | undefined {
  const quality = metric.properties?.['Quality']?.value;
  if (typeof quality !== 'number') return undefined;
  if (quality === 0) return 'bad';
  if (quality === 500) return 'uncertain';
  return undefined;
}

/**
 * Type a metric's value against its BIRTH definition. A DATA metric usually carries no datatype
 * ([tck-id-payloads-metric-datatype-not-req]) and its value is then the raw wire value, re-typed
 * here (Int8 -1 arrives as 4294967295); one that does carry a datatype must carry the BIRTH's.
 */
export function typedValue(metric: SparkplugMetric, definition: MetricDefinition): SparkplugMetricValue | MetricOutcome {
  if (metric.isNull === true || metric.value === undefined) return { skipped: 'null' };
  if (metric.datatype !== undefined && metric.datatype !== DataType.Unknown) {
    if (metric.datatype !== definition.datatype) {
      return { skipped: 'datatype_mismatch', detail: `${definition.name} is ${dataTypeName(definition.datatype)} in its BIRTH, ${dataTypeName(metric.datatype) ?? metric.datatype} here` };
    }
    return metric.value;
  }
  try {
    return resolveMetricValue(metric.value, definition.datatype, definition.name);
  } catch (error) {
    if (error instanceof MalformedPayloadError) return { skipped: 'malformed_value', detail: error.message };
    throw error;
  }
}

/** Convert one metric of device `deviceId` to a point; `fallbackTs` is the payload timestamp (or arrival time). */
export function metricToPoint(deviceId: string, metric: SparkplugMetric, definition: MetricDefinition, fallbackTs: number): MetricOutcome {
  if (!isMeasurementName(definition.name)) return { skipped: 'control' };
  if (!isStorableDatatype(definition.datatype)) return { skipped: 'unsupported_datatype', detail: definition.name };
  // is_transient: "should not be stored by a historian" (§6.4.6).
  if (metric.isTransient === true) return { skipped: 'transient' };
  const typed = typedValue(metric, definition);
  if (isOutcome(typed)) return typed;
  const value = toPointValue(typed);
  if (value === undefined) return { skipped: 'malformed_value', detail: `${definition.name}: not a finite value` };
  // Built field by field rather than with conditional spreads: this runs for every metric of every DATA message.
  const point: { -readonly [K in keyof TelemetryPoint]: TelemetryPoint[K] } = { deviceId, measurement: definition.name, ts: metric.timestamp ?? fallbackTs, value };
  if (definition.engUnit !== undefined) point.unit = definition.engUnit;
  if (metric.properties !== undefined) {
    const quality = qualityOf(metric);
    if (quality !== undefined) point.quality = quality;
  }
  // is_historical: store-and-forward or backfill; stored, never the latest value (§6.4.6).
  if (metric.isHistorical === true) point.historical = true;
  return { point, value };
}

export function isOutcome(value: SparkplugMetricValue | MetricOutcome): value is MetricOutcome {
  return typeof value === 'object' && value !== null && ('skipped' in value || 'point' in value);
}
