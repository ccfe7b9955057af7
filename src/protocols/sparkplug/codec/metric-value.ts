// A metric's value oneof, typed by its datatype (Sparkplug 3.0 §6.4.6, §6.4.16–17).

import { decodeArray, encodeArray } from './arrays.ts';
import { decodeDataSet, encodeDataSet } from './dataset.ts';
import { DataType, dataTypeName, isArrayDataType, isMetricDataType, isScalarDataType } from './datatypes.ts';
import type { DataTypeId } from './datatypes.ts';
import { MalformedPayloadError } from './malformed-payload-error.ts';
import { rawScalar, rawScalarToWire, readMember, scalarFromRaw, scalarToWire } from './scalar.ts';
import { decodeTemplate, encodeTemplate } from './template.ts';
import type { MetricDecoder, MetricEncoder } from './template.ts';
import type { SparkplugMetricValue, SparkplugScalarValue } from './types.ts';
import { message } from './wire.ts';
import type { WireDraft, WireMessage } from './wire.ts';

function mismatch(datatype: number, got: string, path: string): MalformedPayloadError {
  return new MalformedPayloadError(`${got} does not carry a ${dataTypeName(datatype) ?? datatype} value`, { path });
}

function isDataSetLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, 'columns') && Object.hasOwn(value, 'rows');
}

function isTemplateLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, 'metrics') && Object.hasOwn(value, 'parameters');
}

/**
 * Type a raw value as `datatype`. `member` names the oneof member it came from while decoding; it is
 * undefined when re-typing an already decoded untyped value, whose JS type then stands in for it.
 */
function typeValue(datatype: DataTypeId, member: string | undefined, raw: unknown, path: string): SparkplugMetricValue {
  if (isScalarDataType(datatype)) return scalarFromRaw(datatype, member, raw, path);
  const fromBytes = (member === undefined || member === 'bytes_value') && raw instanceof Uint8Array;
  if (datatype === DataType.Bytes || datatype === DataType.File) {
    if (fromBytes) return raw;
  } else if (isArrayDataType(datatype)) {
    if (fromBytes) return decodeArray(datatype, raw, path);
  } else if (datatype === DataType.DataSet) {
    if (member === undefined && isDataSetLike(raw)) return raw as SparkplugMetricValue;
  } else if (datatype === DataType.Template) {
    if (member === undefined && isTemplateLike(raw)) return raw as SparkplugMetricValue;
  } else {
    throw new MalformedPayloadError(`${dataTypeName(datatype) ?? datatype} is not a metric datatype`, { path });
  }
  throw mismatch(datatype, member ?? `a ${raw instanceof Uint8Array ? 'Uint8Array' : typeof raw}`, path);
}

/**
 * Decode the `member` of a Metric's value oneof. With no datatype (or Unknown) the value is the raw
 * wire value: int_value → number, long_value → unsigned bigint, bytes_value → Uint8Array. A member
 * that does not fit the datatype is malformed.
 */
export function decodeMetricValue(
  msg: WireMessage,
  member: string,
  datatype: DataTypeId | undefined,
  path: string,
  decodeMetric: MetricDecoder,
): SparkplugMetricValue {
  const typed = datatype !== undefined && datatype !== DataType.Unknown;
  switch (member) {
    case 'extension_value':
      throw new MalformedPayloadError('Metric extension_value has no datatype mapping', { path });
    case 'dataset_value':
      if (typed && datatype !== DataType.DataSet) throw mismatch(datatype, member, path);
      return decodeDataSet(message(msg, member) ?? {}, path);
    case 'template_value':
      if (typed && datatype !== DataType.Template) throw mismatch(datatype, member, path);
      return decodeTemplate(message(msg, member) ?? {}, path, decodeMetric);
  }
  const raw = readMember(msg, member);
  if (typed) return typeValue(datatype, member, raw, path);
  return raw instanceof Uint8Array ? raw : rawScalar(member, raw, path);
}

/**
 * Type an untyped metric value (decoded from a DATA or CMD metric that carried no datatype) as the
 * datatype its BIRTH announced. An int_value read as a number becomes Int8…UInt32, a long_value read
 * as a bigint becomes Int64/UInt64/DateTime (or UInt32), bytes become Bytes/File or an array.
 * Throws {@link MalformedPayloadError} when the value cannot be of that datatype.
 */
export function resolveMetricValue(value: SparkplugMetricValue, datatype: DataTypeId, path = 'value'): SparkplugMetricValue {
  if (!isMetricDataType(datatype)) throw new MalformedPayloadError(`${dataTypeName(datatype) ?? datatype} is not a metric datatype`, { path });
  return typeValue(datatype, undefined, value, path);
}

/** Write a metric value into the oneof member its datatype calls for (or, untyped, its JS type does). */
export function encodeMetricValue(
  draft: WireDraft,
  datatype: DataTypeId | undefined,
  value: unknown,
  path: string,
  encodeMetric: MetricEncoder,
): void {
  if (datatype === undefined || datatype === DataType.Unknown) {
    if (value instanceof Uint8Array) draft['bytes_value'] = value;
    else if (Array.isArray(value)) throw new TypeError(`Sparkplug encode: ${path} is an array, which needs an array datatype`);
    else if (isDataSetLike(value)) draft['dataset_value'] = encodeDataSet(value, path);
    else if (isTemplateLike(value)) draft['template_value'] = encodeTemplate(value, path, encodeMetric);
    else rawScalarToWire(draft, value as SparkplugScalarValue, path);
    return;
  }
  if (isScalarDataType(datatype)) {
    scalarToWire(draft, datatype, value, path);
  } else if (isArrayDataType(datatype)) {
    draft['bytes_value'] = encodeArray(datatype, value, path);
  } else if (datatype === DataType.Bytes || datatype === DataType.File) {
    if (!(value instanceof Uint8Array)) throw new TypeError(`Sparkplug encode: ${path} must be a Uint8Array for ${dataTypeName(datatype)}`);
    draft['bytes_value'] = value;
  } else if (datatype === DataType.DataSet) {
    draft['dataset_value'] = encodeDataSet(value, path);
  } else if (datatype === DataType.Template) {
    draft['template_value'] = encodeTemplate(value, path, encodeMetric);
  } else {
    throw new RangeError(`Sparkplug encode: ${path} datatype ${dataTypeName(datatype) ?? String(datatype)} is not a metric datatype`);
  }
}
