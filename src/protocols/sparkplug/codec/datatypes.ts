// Sparkplug B DataType ids (Sparkplug 3.0 §6.4.16) and the groups the codec sorts them into.

/** Every Sparkplug B datatype id, by its specification name (§6.4.16 `enum DataType`). */
export const DataType = {
  Unknown: 0,
  // Basic types (§6.4.17 "Basic Types").
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
  // Additional metric types.
  UUID: 15,
  DataSet: 16,
  Bytes: 17,
  File: 18,
  Template: 19,
  // Additional PropertyValue types.
  PropertySet: 20,
  PropertySetList: 21,
  // Array types, carried in bytes_value (§6.4.17 "Array Types").
  Int8Array: 22,
  Int16Array: 23,
  Int32Array: 24,
  Int64Array: 25,
  UInt8Array: 26,
  UInt16Array: 27,
  UInt32Array: 28,
  UInt64Array: 29,
  FloatArray: 30,
  DoubleArray: 31,
  BooleanArray: 32,
  StringArray: 33,
  DateTimeArray: 34,
} as const;

/** A datatype name as the specification spells it, e.g. `'Int8'`, `'DateTimeArray'`. */
export type DataTypeName = keyof typeof DataType;
/** A datatype id, 0–34. */
export type DataTypeId = (typeof DataType)[DataTypeName];

/**
 * Scalar types, the ones whose value sits in a uint32/uint64/float/double/bool/string field: the
 * basic types Int8…Text plus UUID. These are what DataSet columns, Template parameters and plain
 * property values may hold.
 */
export type ScalarDataTypeId = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15;
/** Array types Int8Array…DateTimeArray (22–34). */
export type ArrayDataTypeId = 22 | 23 | 24 | 25 | 26 | 27 | 28 | 29 | 30 | 31 | 32 | 33 | 34;
/** Types a metric may carry: everything but Unknown and the two PropertyValue-only types. */
export type MetricDataTypeId = Exclude<DataTypeId, 0 | 20 | 21>;

const NAME_BY_ID: ReadonlyMap<number, DataTypeName> = new Map(
  (Object.keys(DataType) as DataTypeName[]).map((name) => [DataType[name], name]),
);
const ID_BY_NAME: ReadonlyMap<string, DataTypeId> = new Map(
  (Object.keys(DataType) as DataTypeName[]).map((name) => [name, DataType[name]]),
);

/** True when `id` is one of the 35 defined datatype ids. */
export function isDataTypeId(id: number): id is DataTypeId {
  return NAME_BY_ID.has(id);
}

/** The specification name of a datatype id, or undefined for an id the specification does not define. */
export function dataTypeName(id: number): DataTypeName | undefined {
  return NAME_BY_ID.get(id);
}

/** The id of a datatype name (exact, case-sensitive spelling), or undefined. */
export function dataTypeId(name: string): DataTypeId | undefined {
  return ID_BY_NAME.get(name);
}

/** True for Int8…UUID (1–15): values held by a single scalar protobuf field. */
export function isScalarDataType(id: number): id is ScalarDataTypeId {
  return Number.isInteger(id) && id >= DataType.Int8 && id <= DataType.UUID;
}

/** True for Int8Array…DateTimeArray (22–34). */
export function isArrayDataType(id: number): id is ArrayDataTypeId {
  return Number.isInteger(id) && id >= DataType.Int8Array && id <= DataType.DateTimeArray;
}

/** True for every type a Metric may declare (1–19, 22–34). */
export function isMetricDataType(id: number): id is MetricDataTypeId {
  return isDataTypeId(id) && id !== DataType.Unknown && id !== DataType.PropertySet && id !== DataType.PropertySetList;
}
