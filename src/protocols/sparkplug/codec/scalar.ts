// Scalar values (Int8…UUID) to and from the shared uint32/uint64/float/double/bool/string oneof members.
//
// Signed integers (§6.4.16): Int8/16/32 travel in the uint32 int_value as two's complement, and
// Int64 in the uint64 long_value. We write Int8/16 sign-extended to 32 bits, as Eclipse Tahu (Java
// and JS) does, and read both the sign-extended and the zero-extended form; any other upper bits do
// not encode a value of the type and are malformed. UInt32 belongs in int_value, but Tahu writes
// it to long_value (tahu#76), so we read either.

import { DataType, dataTypeName } from './datatypes.ts';
import type { ScalarDataTypeId } from './datatypes.ts';
import { MalformedPayloadError } from './malformed-payload-error.ts';
import type { SparkplugScalarValue } from './types.ts';
import { toBigInt, toBytes, toTime, toWireLong } from './wire.ts';
import type { WireDraft, WireMessage } from './wire.ts';

const U32_MAX = 0xffff_ffff;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The raw JS value of the set `value` oneof member, with uint64 as an unsigned bigint. */
export function readMember(msg: WireMessage, member: string): unknown {
  const raw = msg[member];
  switch (member) {
    case 'long_value':
      return toBigInt(raw);
    case 'bytes_value':
      return toBytes(raw);
    default:
      return raw;
  }
}

function mismatch(type: ScalarDataTypeId, member: string | undefined, raw: unknown, path: string): MalformedPayloadError {
  const got = member ?? `a ${typeof raw}`;
  return new MalformedPayloadError(`${got} does not carry a ${dataTypeName(type) ?? type} value`, { path });
}

function isU32(raw: unknown): raw is number {
  return typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= U32_MAX;
}

function narrowSigned(u: number, bits: 8 | 16, type: ScalarDataTypeId, path: string): number {
  const shift = 32 - bits;
  const value = ((u << shift) >> shift) | 0;
  const low = u & (bits === 8 ? 0xff : 0xffff);
  if (u !== low && u !== value >>> 0) {
    throw new MalformedPayloadError(`${u} is neither a zero- nor a sign-extended ${dataTypeName(type)}`, { path });
  }
  return value;
}

function narrowUnsigned(u: number, max: number, type: ScalarDataTypeId, path: string): number {
  if (u > max) throw new MalformedPayloadError(`${u} is out of range for ${dataTypeName(type)}`, { path });
  return u;
}

/**
 * Type a raw wire value as `type`. `member` is the oneof member it came from when decoding; when
 * undefined (re-typing an untyped DATA value) the JS type of `raw` stands in for it.
 */
export function scalarFromRaw(type: ScalarDataTypeId, member: string | undefined, raw: unknown, path: string): SparkplugScalarValue {
  const fromInt = (member === undefined || member === 'int_value') && isU32(raw);
  const fromLong = (member === undefined || member === 'long_value') && typeof raw === 'bigint';
  const fromFloat = (member === undefined || member === 'float_value' || member === 'double_value') && typeof raw === 'number';
  switch (type) {
    case DataType.Int8:
    case DataType.Int16:
      if (fromInt) return narrowSigned(raw, type === DataType.Int8 ? 8 : 16, type, path);
      break;
    case DataType.Int32:
      if (fromInt) return raw | 0;
      break;
    case DataType.UInt8:
    case DataType.UInt16:
      if (fromInt) return narrowUnsigned(raw, type === DataType.UInt8 ? 0xff : 0xffff, type, path);
      break;
    case DataType.UInt32:
      if (fromInt) return raw;
      if (fromLong) {
        if (raw > BigInt(U32_MAX)) throw new MalformedPayloadError(`${raw} is out of range for UInt32`, { path });
        return Number(raw);
      }
      break;
    case DataType.Int64:
      if (fromLong) return BigInt.asIntN(64, raw);
      break;
    case DataType.UInt64:
      if (fromLong) return raw;
      break;
    case DataType.DateTime:
      if (fromLong) return toTime(raw, path);
      break;
    case DataType.Float:
    case DataType.Double:
      if (fromFloat) return raw;
      break;
    case DataType.Boolean:
      if ((member === undefined || member === 'boolean_value') && typeof raw === 'boolean') return raw;
      break;
    case DataType.String:
    case DataType.Text:
    case DataType.UUID:
      if ((member === undefined || member === 'string_value') && typeof raw === 'string') return raw;
      break;
  }
  throw mismatch(type, member, raw, path);
}

function intIn(value: unknown, min: number, max: number, type: ScalarDataTypeId, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`Sparkplug encode: ${path} must be an integer for ${dataTypeName(type)}, got ${String(value)}`);
  }
  if (value < min || value > max) throw new RangeError(`Sparkplug encode: ${path} value ${value} is out of range for ${dataTypeName(type)}`);
  return value;
}

function bigIn(value: unknown, min: bigint, max: bigint, type: ScalarDataTypeId, path: string): bigint {
  let big: bigint;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) big = BigInt(value);
  else throw new TypeError(`Sparkplug encode: ${path} must be a bigint for ${dataTypeName(type)}, got ${String(value)}`);
  if (big < min || big > max) throw new RangeError(`Sparkplug encode: ${path} value ${big} is out of range for ${dataTypeName(type)}`);
  return big;
}

function ofKind<T>(value: unknown, kind: 'number' | 'boolean' | 'string', type: ScalarDataTypeId, path: string): T {
  if (typeof value !== kind) throw new TypeError(`Sparkplug encode: ${path} must be a ${kind} for ${dataTypeName(type)}, got ${typeof value}`);
  return value as T;
}

/** Write `value` as `type` into the oneof member the specification assigns to that type. */
export function scalarToWire(draft: WireDraft, type: ScalarDataTypeId, value: unknown, path: string): void {
  switch (type) {
    case DataType.Int8:
      draft['int_value'] = intIn(value, -0x80, 0x7f, type, path) >>> 0;
      return;
    case DataType.Int16:
      draft['int_value'] = intIn(value, -0x8000, 0x7fff, type, path) >>> 0;
      return;
    case DataType.Int32:
      draft['int_value'] = intIn(value, -0x8000_0000, 0x7fff_ffff, type, path) >>> 0;
      return;
    case DataType.UInt8:
      draft['int_value'] = intIn(value, 0, 0xff, type, path);
      return;
    case DataType.UInt16:
      draft['int_value'] = intIn(value, 0, 0xffff, type, path);
      return;
    case DataType.UInt32:
      draft['int_value'] = intIn(value, 0, U32_MAX, type, path);
      return;
    case DataType.Int64:
      draft['long_value'] = toWireLong(bigIn(value, I64_MIN, I64_MAX, type, path));
      return;
    case DataType.UInt64:
      draft['long_value'] = toWireLong(bigIn(value, 0n, U64_MAX, type, path));
      return;
    case DataType.DateTime:
      draft['long_value'] = toWireLong(bigIn(value, 0n, MAX_SAFE, type, path));
      return;
    case DataType.Float:
      draft['float_value'] = ofKind<number>(value, 'number', type, path);
      return;
    case DataType.Double:
      draft['double_value'] = ofKind<number>(value, 'number', type, path);
      return;
    case DataType.Boolean:
      draft['boolean_value'] = ofKind<boolean>(value, 'boolean', type, path);
      return;
    case DataType.String:
    case DataType.Text:
    case DataType.UUID:
      draft['string_value'] = ofKind<string>(value, 'string', type, path);
      return;
  }
}

/**
 * Write an untyped scalar by its JS type, mirroring how untyped values decode: an integer
 * 0…2^32-1 → int_value, any other number → double_value, bigint → long_value (two's complement).
 */
export function rawScalarToWire(draft: WireDraft, value: SparkplugScalarValue, path: string): void {
  switch (typeof value) {
    case 'number':
      if (isU32(value)) draft['int_value'] = value;
      else draft['double_value'] = value;
      return;
    case 'bigint':
      draft['long_value'] = toWireLong(bigIn(value, I64_MIN, U64_MAX, DataType.UInt64, path));
      return;
    case 'boolean':
      draft['boolean_value'] = value;
      return;
    case 'string':
      draft['string_value'] = value;
      return;
  }
  throw new TypeError(`Sparkplug encode: ${path} holds a ${typeof value}, which needs a datatype to be encoded`);
}

/** The untyped reading of a scalar member: uint32 → number, uint64 → unsigned bigint, and so on. */
export function rawScalar(member: string, raw: unknown, path: string): SparkplugScalarValue {
  if (typeof raw === 'number' || typeof raw === 'bigint' || typeof raw === 'boolean' || typeof raw === 'string') return raw;
  throw new MalformedPayloadError(`${member} cannot be read without a datatype`, { path });
}
