// Array datatypes (Int8Array…DateTimeArray) to and from their bytes_value packing (Sparkplug 3.0 §6.4.17).
//
// Numeric and DateTime arrays are little-endian at the element width (DateTime: 8-byte uint64 ms).
// BooleanArray is a 4-byte little-endian element count, then the values packed MSB-first, the last
// byte padded. StringArray is UTF-8 strings, each terminated by a NUL byte. The 3.0.0 examples for
// Int8Array, FloatArray, DoubleArray and DateTimeArray are wrong (sparkplug#435, fixed by PR #436).

import { DataType, dataTypeName } from './datatypes.ts';
import type { ArrayDataTypeId } from './datatypes.ts';
import { MalformedPayloadError } from './malformed-payload-error.ts';
import type { SparkplugArrayValue } from './types.ts';

interface FixedLayout {
  readonly size: 1 | 2 | 4 | 8;
  readonly read: (view: DataView, offset: number) => number | bigint;
  readonly write: (view: DataView, offset: number, value: number | bigint) => void;
  /** Validate and normalise one element for writing; throws TypeError/RangeError. */
  readonly check: (value: unknown) => number | bigint;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function intCheck(min: number, max: number): (value: unknown) => number {
  return (value) => {
    if (typeof value !== 'number') throw new TypeError(`element ${String(value)} is not a number`);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`element ${String(value)} is not an integer in ${min}…${max}`);
    }
    return value;
  };
}

function bigCheck(min: bigint, max: bigint): (value: unknown) => bigint {
  return (value) => {
    const big = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
    if (typeof big !== 'bigint') throw new TypeError(`element ${String(value)} is not a bigint`);
    if (big < min || big > max) throw new RangeError(`element ${String(value)} is not an integer in ${min}…${max}`);
    return big;
  };
}

function numberCheck(value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`element ${String(value)} is not a number`);
  return value;
}

const num = (v: number | bigint): number => Number(v);
const big = (v: number | bigint): bigint => BigInt(v);

const FIXED: Partial<Record<ArrayDataTypeId, FixedLayout>> = {
  [DataType.Int8Array]: { size: 1, read: (v, o) => v.getInt8(o), write: (v, o, x) => v.setInt8(o, num(x)), check: intCheck(-0x80, 0x7f) },
  [DataType.Int16Array]: { size: 2, read: (v, o) => v.getInt16(o, true), write: (v, o, x) => v.setInt16(o, num(x), true), check: intCheck(-0x8000, 0x7fff) },
  [DataType.Int32Array]: {
    size: 4,
    read: (v, o) => v.getInt32(o, true),
    write: (v, o, x) => v.setInt32(o, num(x), true),
    check: intCheck(-0x8000_0000, 0x7fff_ffff),
  },
  [DataType.Int64Array]: {
    size: 8,
    read: (v, o) => v.getBigInt64(o, true),
    write: (v, o, x) => v.setBigInt64(o, big(x), true),
    check: bigCheck(-(2n ** 63n), 2n ** 63n - 1n),
  },
  [DataType.UInt8Array]: { size: 1, read: (v, o) => v.getUint8(o), write: (v, o, x) => v.setUint8(o, num(x)), check: intCheck(0, 0xff) },
  [DataType.UInt16Array]: { size: 2, read: (v, o) => v.getUint16(o, true), write: (v, o, x) => v.setUint16(o, num(x), true), check: intCheck(0, 0xffff) },
  [DataType.UInt32Array]: { size: 4, read: (v, o) => v.getUint32(o, true), write: (v, o, x) => v.setUint32(o, num(x), true), check: intCheck(0, 0xffff_ffff) },
  [DataType.UInt64Array]: { size: 8, read: (v, o) => v.getBigUint64(o, true), write: (v, o, x) => v.setBigUint64(o, big(x), true), check: bigCheck(0n, 2n ** 64n - 1n) },
  [DataType.FloatArray]: { size: 4, read: (v, o) => v.getFloat32(o, true), write: (v, o, x) => v.setFloat32(o, num(x), true), check: numberCheck },
  [DataType.DoubleArray]: { size: 8, read: (v, o) => v.getFloat64(o, true), write: (v, o, x) => v.setFloat64(o, num(x), true), check: numberCheck },
  [DataType.DateTimeArray]: {
    size: 8,
    read: (v, o) => v.getBigUint64(o, true),
    write: (v, o, x) => v.setBigUint64(o, big(x), true),
    check: intCheck(0, Number.MAX_SAFE_INTEGER),
  },
};

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

function decodeFixed(type: ArrayDataTypeId, layout: FixedLayout, bytes: Uint8Array, path: string): SparkplugArrayValue {
  if (bytes.length % layout.size !== 0) {
    throw new MalformedPayloadError(`${dataTypeName(type)} of ${bytes.length} bytes is not a multiple of ${layout.size}`, { path });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes.length / layout.size;
  if (type === DataType.DateTimeArray) {
    const out: number[] = new Array<number>(count);
    for (let i = 0; i < count; i += 1) {
      const ms = view.getBigUint64(i * 8, true);
      if (ms > MAX_SAFE) throw new MalformedPayloadError(`time ${ms} ms is beyond Number.MAX_SAFE_INTEGER`, { path: `${path}[${i}]` });
      out[i] = Number(ms);
    }
    return out;
  }
  const out: (number | bigint)[] = new Array<number | bigint>(count);
  for (let i = 0; i < count; i += 1) out[i] = layout.read(view, i * layout.size);
  return out as SparkplugArrayValue;
}

function decodeBooleans(bytes: Uint8Array, path: string): boolean[] {
  if (bytes.length < 4) throw new MalformedPayloadError(`BooleanArray of ${bytes.length} bytes lacks its 4-byte count`, { path });
  const count = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  const expected = 4 + Math.ceil(count / 8);
  if (bytes.length !== expected) {
    throw new MalformedPayloadError(`BooleanArray of ${count} values needs ${expected} bytes, got ${bytes.length}`, { path });
  }
  const out = new Array<boolean>(count);
  for (let i = 0; i < count; i += 1) out[i] = (((bytes[4 + (i >> 3)] ?? 0) >> (7 - (i & 7))) & 1) === 1;
  return out;
}

function decodeStrings(bytes: Uint8Array, path: string): string[] {
  if (bytes.length === 0) return [];
  if (bytes[bytes.length - 1] !== 0) throw new MalformedPayloadError('StringArray does not end with a NUL terminator', { path });
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i += 1) {
    if (bytes[i] !== 0) continue;
    try {
      out.push(utf8.decode(bytes.subarray(start, i)));
    } catch (cause) {
      throw new MalformedPayloadError('StringArray element is not valid UTF-8', { path: `${path}[${out.length}]`, cause });
    }
    start = i + 1;
  }
  return out;
}

/** Decode the bytes_value of an array datatype; a length that does not fit the type is malformed. */
export function decodeArray(type: ArrayDataTypeId, bytes: Uint8Array, path: string): SparkplugArrayValue {
  if (type === DataType.BooleanArray) return decodeBooleans(bytes, path);
  if (type === DataType.StringArray) return decodeStrings(bytes, path);
  const layout = FIXED[type];
  if (layout === undefined) throw new Error(`no layout for array datatype ${type}`);
  return decodeFixed(type, layout, bytes, path);
}

function elements(type: ArrayDataTypeId, value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`Sparkplug encode: ${path} must be an array for ${dataTypeName(type)}`);
  return value;
}

function encodeBooleans(values: readonly unknown[], path: string): Uint8Array {
  const out = new Uint8Array(4 + Math.ceil(values.length / 8));
  new DataView(out.buffer).setUint32(0, values.length, true);
  values.forEach((value, i) => {
    if (typeof value !== 'boolean') throw new TypeError(`Sparkplug encode: ${path}[${i}] must be a boolean`);
    if (value) out[4 + (i >> 3)] = (out[4 + (i >> 3)] ?? 0) | (0x80 >> (i & 7));
  });
  return out;
}

function encodeStrings(values: readonly unknown[], path: string): Uint8Array {
  const parts = values.map((value, i) => {
    if (typeof value !== 'string') throw new TypeError(`Sparkplug encode: ${path}[${i}] must be a string`);
    if (value.includes('\0')) throw new RangeError(`Sparkplug encode: ${path}[${i}] contains a NUL, which StringArray uses as terminator`);
    return utf8Encoder.encode(value);
  });
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length + 1, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length + 1;
  }
  return out;
}

/** Pack an array value into bytes_value; elements of the wrong kind or range throw TypeError/RangeError. */
export function encodeArray(type: ArrayDataTypeId, value: unknown, path: string): Uint8Array {
  const values = elements(type, value, path);
  if (type === DataType.BooleanArray) return encodeBooleans(values, path);
  if (type === DataType.StringArray) return encodeStrings(values, path);
  const layout = FIXED[type];
  if (layout === undefined) throw new Error(`no layout for array datatype ${type}`);
  const out = new Uint8Array(values.length * layout.size);
  const view = new DataView(out.buffer);
  values.forEach((element, i) => {
    let checked: number | bigint;
    try {
      checked = layout.check(element);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw error instanceof TypeError
        ? new TypeError(`Sparkplug encode: ${path}[${i}] for ${dataTypeName(type)}: ${message}`)
        : new RangeError(`Sparkplug encode: ${path}[${i}] for ${dataTypeName(type)}: ${message}`);
    }
    layout.write(view, i * layout.size, checked);
  });
  return out;
}
