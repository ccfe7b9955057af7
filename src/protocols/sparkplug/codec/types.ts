// The typed, protobuf-free shape of a Sparkplug B payload that the codec reads and writes.
//
// Representation choices (one rule each):
// - uint64 counters and ids (seq, alias, MetaData size/seq) are `bigint`: lossless over the whole range.
// - Times (payload/metric timestamp, DateTime, DateTimeArray) are `number` ms since the Unix epoch,
//   UTC; a value past Number.MAX_SAFE_INTEGER is not a date and decodes as malformed.
// - Int64/UInt64 values are `bigint`; every narrower integer, Float and Double is `number`.
// - Absent on the wire means absent here (proto2 presence): an optional property is left out, never
//   set to undefined.

import type { DataTypeId, ScalarDataTypeId } from './datatypes.ts';

/** A scalar value: what DataSet cells, Template parameters and scalar properties hold. */
export type SparkplugScalarValue = number | bigint | boolean | string;

/** The decoded elements of an array datatype (Int8Array…DateTimeArray). */
export type SparkplugArrayValue = readonly number[] | readonly bigint[] | readonly boolean[] | readonly string[];

/**
 * A metric value. Typed by the metric's datatype (see {@link SparkplugValueByType}); when the metric
 * carries no datatype (DATA/CMD messages, §6.4.6) it is the raw wire value: int_value → number (as
 * unsigned), long_value → bigint (as unsigned), float/double → number, bytes → Uint8Array. Type it
 * against the BIRTH datatype with `resolveMetricValue`.
 */
export type SparkplugMetricValue = SparkplugScalarValue | Uint8Array | SparkplugArrayValue | SparkplugDataSet | SparkplugTemplate;

/** The TypeScript type of a value of each datatype. */
export interface SparkplugValueByType {
  Int8: number;
  Int16: number;
  Int32: number;
  Int64: bigint;
  UInt8: number;
  UInt16: number;
  UInt32: number;
  UInt64: bigint;
  Float: number;
  Double: number;
  Boolean: boolean;
  String: string;
  DateTime: number;
  Text: string;
  UUID: string;
  DataSet: SparkplugDataSet;
  Bytes: Uint8Array;
  File: Uint8Array;
  Template: SparkplugTemplate;
  PropertySet: SparkplugPropertySet;
  PropertySetList: readonly SparkplugPropertySet[];
  Int8Array: readonly number[];
  Int16Array: readonly number[];
  Int32Array: readonly number[];
  Int64Array: readonly bigint[];
  UInt8Array: readonly number[];
  UInt16Array: readonly number[];
  UInt32Array: readonly number[];
  UInt64Array: readonly bigint[];
  FloatArray: readonly number[];
  DoubleArray: readonly number[];
  BooleanArray: readonly boolean[];
  StringArray: readonly string[];
  DateTimeArray: readonly number[];
}

/** A Sparkplug B payload (§6.4.5). */
export interface SparkplugPayload {
  /** Publish time, ms since the epoch, UTC. */
  timestamp?: number;
  metrics: readonly SparkplugMetric[];
  /** Sequence number; absent in NDEATH, NCMD, DCMD. */
  seq?: bigint;
  uuid?: string;
  body?: Uint8Array;
}

/** A metric (§6.4.6). */
export interface SparkplugMetric {
  name?: string;
  /** uint64 alias, tied to the name in BIRTH and used alone in DATA/CMD. */
  alias?: bigint;
  /** Sample time, ms since the epoch, UTC. */
  timestamp?: number;
  datatype?: DataTypeId;
  isHistorical?: boolean;
  isTransient?: boolean;
  /** The value is null; `value` is then absent. */
  isNull?: boolean;
  metadata?: SparkplugMetaData;
  properties?: SparkplugPropertySet;
  value?: SparkplugMetricValue;
}

/** Metric metadata (§6.4.7), mainly for Bytes and File values (`fileName`, `fileType`). */
export interface SparkplugMetaData {
  isMultiPart?: boolean;
  contentType?: string;
  size?: bigint;
  seq?: bigint;
  fileName?: string;
  fileType?: string;
  md5?: string;
  description?: string;
}

/**
 * A PropertySet (§6.4.8) as a map from key to value, e.g. `{ engUnit: …, Quality: … }`. The wire form
 * is two parallel arrays; keys are unique.
 */
export interface SparkplugPropertySet {
  readonly [key: string]: SparkplugPropertyValue;
}

/** A property value (§6.4.9). `type` is a scalar type, PropertySet (20) or PropertySetList (21). */
export interface SparkplugPropertyValue {
  type?: DataTypeId;
  isNull?: boolean;
  value?: SparkplugScalarValue | SparkplugPropertySet | readonly SparkplugPropertySet[];
}

/** A DataSet (§6.4.11–13): a table with one scalar type per column; a null cell is `null`. */
export interface SparkplugDataSet {
  columns: readonly string[];
  types: readonly ScalarDataTypeId[];
  rows: readonly (readonly (SparkplugScalarValue | null)[])[];
}

/** A Template definition or instance (§6.4.14). */
export interface SparkplugTemplate {
  version?: string;
  /** Name of the definition this instance refers to; absent on a definition. */
  templateRef?: string;
  isDefinition?: boolean;
  metrics: readonly SparkplugMetric[];
  parameters: readonly SparkplugTemplateParameter[];
}

/** A Template parameter (§6.4.15); on a definition the value is the default. */
export interface SparkplugTemplateParameter {
  name?: string;
  type?: DataTypeId;
  value?: SparkplugScalarValue;
}
