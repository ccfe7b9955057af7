// PropertySet, PropertyValue and PropertySetList (Sparkplug 3.0 §6.4.8–10) to and from protobuf messages.

import { DataType, dataTypeName, isScalarDataType } from './datatypes.ts';
import type { DataTypeId } from './datatypes.ts';
import { MalformedPayloadError } from './malformed-payload-error.ts';
import { rawScalar, rawScalarToWire, readMember, scalarFromRaw, scalarToWire } from './scalar.ts';
import { schema } from './schema.ts';
import type { SparkplugPropertySet, SparkplugPropertyValue, SparkplugScalarValue } from './types.ts';
import { boolInput, checkWireTypes, message, optional, repeated, valueMember } from './wire.ts';
import type { WireDraft, WireMessage } from './wire.ts';

function isPropertyType(type: number): type is DataTypeId {
  return isScalarDataType(type) || type === DataType.PropertySet || type === DataType.PropertySetList;
}

function decodePropertyValue(msg: WireMessage, path: string): SparkplugPropertyValue {
  checkWireTypes(msg, schema.propertyValue, path);
  const type = optional(msg, 'type', 'number');
  const isNull = optional(msg, 'is_null', 'boolean');
  // [tck-id-payloads-metric-propertyvalue-type-value] a basic type, PropertySet or PropertySetList.
  if (type !== undefined && !isPropertyType(type)) {
    throw new MalformedPayloadError(`property type ${type} is not a property datatype`, { path });
  }
  const out: { -readonly [K in keyof SparkplugPropertyValue]: SparkplugPropertyValue[K] } = {};
  if (type !== undefined) out.type = type;
  if (isNull !== undefined) out.isNull = isNull;
  const member = valueMember(msg, schema.valueMembers.propertyValue, path);
  if (member === undefined) return out;
  const mismatch = (): MalformedPayloadError =>
    new MalformedPayloadError(`${member} does not carry a ${dataTypeName(type ?? 0) ?? type} value`, { path });
  if (member === 'propertyset_value') {
    if (type !== undefined && type !== DataType.PropertySet) throw mismatch();
    out.value = decodePropertySet(message(msg, member) ?? {}, path);
  } else if (member === 'propertysets_value') {
    if (type !== undefined && type !== DataType.PropertySetList) throw mismatch();
    out.value = decodePropertySetList(message(msg, member) ?? {}, path);
  } else if (member === 'extension_value') {
    throw new MalformedPayloadError('PropertyValue extension_value has no datatype mapping', { path });
  } else if (type === undefined) {
    out.value = rawScalar(member, readMember(msg, member), path);
  } else if (isScalarDataType(type)) {
    out.value = scalarFromRaw(type, member, readMember(msg, member), path);
  } else {
    throw mismatch();
  }
  return out;
}

/**
 * Decode a PropertySet into a key → value map. Keys and values must pair up and keys must be unique;
 * a key such as `__proto__` becomes an ordinary own property.
 */
export function decodePropertySet(msg: WireMessage, path: string): SparkplugPropertySet {
  checkWireTypes(msg, schema.propertySet, path);
  const keys = repeated(msg, 'keys') as string[];
  const values = repeated(msg, 'values');
  // [tck-id-payloads-propertyset-keys-array-size] [tck-id-payloads-propertyset-values-array-size]
  if (keys.length !== values.length) throw new MalformedPayloadError(`${keys.length} property keys but ${values.length} values`, { path });
  const out: Record<string, SparkplugPropertyValue> = {};
  keys.forEach((key, i) => {
    const keyPath = `${path}[${JSON.stringify(key)}]`;
    if (Object.hasOwn(out, key)) throw new MalformedPayloadError('duplicate property key', { path: keyPath });
    const value = decodePropertyValue(values[i] as WireMessage, keyPath);
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  });
  return out;
}

/** Decode a PropertySetList into an array of maps. */
export function decodePropertySetList(msg: WireMessage, path: string): SparkplugPropertySet[] {
  checkWireTypes(msg, schema.propertySetList, path);
  return repeated(msg, 'propertyset').map((set, i) => decodePropertySet(set as WireMessage, `${path}[${i}]`));
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function encodeSetList(value: unknown, path: string): WireDraft {
  if (!Array.isArray(value)) throw new TypeError(`Sparkplug encode: ${path} must be an array of PropertySets`);
  return { propertyset: value.map((set: unknown, i) => encodePropertySet(set, `${path}[${i}]`)) };
}

function encodePropertyValue(input: unknown, path: string): WireDraft {
  if (!isPlainObject(input)) throw new TypeError(`Sparkplug encode: ${path} must be a PropertyValue { type, value }`);
  const { type, isNull, value } = input as SparkplugPropertyValue;
  const draft: WireDraft = {};
  if (type !== undefined) {
    if (!isPropertyType(type)) throw new RangeError(`Sparkplug encode: ${path} type ${String(type)} is not a property datatype`);
    draft['type'] = type;
  }
  if (isNull !== undefined) draft['is_null'] = boolInput(isNull, `${path}.isNull`);
  if (value === undefined) return draft;
  if (type === DataType.PropertySet || (type === undefined && isPlainObject(value))) {
    draft['propertyset_value'] = encodePropertySet(value, path);
  } else if (type === DataType.PropertySetList || (type === undefined && Array.isArray(value))) {
    draft['propertysets_value'] = encodeSetList(value, path);
  } else if (type === undefined) {
    rawScalarToWire(draft, value as SparkplugScalarValue, path);
  } else if (isScalarDataType(type)) {
    scalarToWire(draft, type, value, path);
  }
  return draft;
}

/** Build a PropertySet message from a key → value map (own enumerable keys, in order). */
export function encodePropertySet(set: unknown, path: string): WireDraft {
  if (!isPlainObject(set)) throw new TypeError(`Sparkplug encode: ${path} must be a PropertySet object`);
  const keys = Object.keys(set);
  return { keys, values: keys.map((key) => encodePropertyValue(set[key], `${path}[${JSON.stringify(key)}]`)) };
}
