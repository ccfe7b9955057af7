// Metrics (Sparkplug 3.0 §6.4.6) to and from their protobuf messages.

import { DataType, isDataTypeId, isMetricDataType } from './datatypes.ts';
import type { DataTypeId } from './datatypes.ts';
import { MalformedPayloadError } from './malformed-payload-error.ts';
import { decodeMetaData, encodeMetaData } from './metadata.ts';
import { decodeMetricValue, encodeMetricValue } from './metric-value.ts';
import { decodePropertySet, encodePropertySet } from './property-set.ts';
import { schema } from './schema.ts';
import type { SparkplugMetric } from './types.ts';
import { boolInput, checkWireTypes, longToTime, stringInput, timeInput, toBigInt, u64Input } from './wire.ts';
import type { WireDraft, WireMessage } from './wire.ts';

/** How metrics are written. */
export interface MetricEncodeOptions {
  /**
   * Leave `datatype` off the wire while still encoding each value by it: the form DATA and CMD
   * messages should take ([tck-id-payloads-metric-datatype-not-req]).
   */
  readonly omitDatatypes: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const FLAGS = [
  ['isHistorical', 'is_historical'],
  ['isTransient', 'is_transient'],
  ['isNull', 'is_null'],
] as const;

function checkDatatype(datatype: number, path: string): DataTypeId {
  // [tck-id-payloads-metric-datatype-value] one of the enumerated types; 20/21 belong to properties.
  // Unknown (0) is accepted and leaves the value untyped.
  if (datatype === DataType.Unknown) return DataType.Unknown;
  if (!isMetricDataType(datatype)) throw new MalformedPayloadError(`metric datatype ${datatype} is not a metric datatype`, { path });
  return datatype;
}

/** Decode a Metric message; the value is typed by the metric's own datatype when it has one. */
export function decodeMetric(msg: WireMessage, path: string): SparkplugMetric {
  checkWireTypes(msg, schema.metric, path);
  const out: Mutable<SparkplugMetric> = {};
  let member: string | undefined;
  // The hot path of every DATA message: one pass over the fields present on the wire (own keys of
  // the protobufjs message) is several times faster than probing each field for presence.
  for (const field of Object.keys(msg)) {
    const value = msg[field];
    switch (field) {
      case 'name':
        out.name = value as string;
        break;
      case 'alias':
        out.alias = toBigInt(value);
        break;
      case 'timestamp':
        out.timestamp = longToTime(value, `${path}.timestamp`);
        break;
      case 'datatype':
        out.datatype = checkDatatype(value as number, path);
        break;
      case 'is_historical':
        out.isHistorical = value as boolean;
        break;
      case 'is_transient':
        out.isTransient = value as boolean;
        break;
      case 'is_null':
        out.isNull = value as boolean;
        break;
      case 'metadata':
        out.metadata = decodeMetaData(value as WireMessage, `${path}.metadata`);
        break;
      case 'properties':
        out.properties = decodePropertySet(value as WireMessage, `${path}.properties`);
        break;
      default:
        if (!schema.valueMembers.metric.has(field)) break;
        if (member !== undefined) throw new MalformedPayloadError(`value set twice, as ${member} and as ${field}`, { path: `${path}.value` });
        member = field;
    }
  }
  if (member !== undefined) out.value = decodeMetricValue(msg, member, out.datatype, `${path}.value`, decodeMetric);
  return out;
}

/** Build a Metric message; input that cannot be encoded throws TypeError or RangeError. */
export function encodeMetric(metric: SparkplugMetric, path: string, options: MetricEncodeOptions): WireDraft {
  if (typeof metric !== 'object' || metric === null) throw new TypeError(`Sparkplug encode: ${path} must be a metric object`);
  const { datatype } = metric;
  if (datatype !== undefined && !isDataTypeId(datatype)) {
    throw new RangeError(`Sparkplug encode: ${path}.datatype ${String(datatype)} is not a Sparkplug datatype`);
  }
  const draft: WireDraft = {};
  if (metric.name !== undefined) draft['name'] = stringInput(metric.name, `${path}.name`);
  if (metric.alias !== undefined) draft['alias'] = u64Input(metric.alias, `${path}.alias`);
  if (metric.timestamp !== undefined) draft['timestamp'] = timeInput(metric.timestamp, `${path}.timestamp`);
  if (datatype !== undefined && !options.omitDatatypes) draft['datatype'] = datatype;
  for (const [key, field] of FLAGS) {
    if (metric[key] !== undefined) draft[field] = boolInput(metric[key], `${path}.${key}`);
  }
  if (metric.metadata !== undefined) draft['metadata'] = encodeMetaData(metric.metadata, `${path}.metadata`);
  if (metric.properties !== undefined) draft['properties'] = encodePropertySet(metric.properties, `${path}.properties`);
  if (metric.value !== undefined) {
    encodeMetricValue(draft, datatype, metric.value, `${path}.value`, (member, memberPath) => encodeMetric(member, memberPath, options));
  }
  return draft;
}
