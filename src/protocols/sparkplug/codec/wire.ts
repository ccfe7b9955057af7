// Typed accessors over protobufjs message objects, so that no `any` leaves the codec's wire layer.

import type { Type } from 'protobufjs';
import { MalformedPayloadError } from './malformed-payload-error.ts';

/** A decoded protobufjs message, seen as an opaque record of fields. */
export type WireMessage = { readonly [field: string]: unknown };
/** A plain object handed to protobufjs `Type.encode`. */
export type WireDraft = { [field: string]: unknown };
/** What protobufjs's writer accepts for a uint64 field. */
export interface WireLong {
  readonly low: number;
  readonly high: number;
  readonly unsigned: true;
}

const TWO_32 = 0x1_0000_0000n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const WIRE_TYPE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32', '6', '7'];

/** True when the field was present on the wire (proto2 presence; defaults live on the prototype). */
export function has(msg: WireMessage, field: string): boolean {
  return Object.hasOwn(msg, field);
}

/**
 * The member of a `value` oneof present on the wire, if any. The schema keeps these as plain fields
 * (see schema.ts), so two members at once are possible on the wire; no encoder writes that, and we
 * call it malformed rather than guess which one the sender meant.
 */
export function valueMember(msg: WireMessage, members: ReadonlySet<string>, path: string): string | undefined {
  let found: string | undefined;
  // Object.keys lists only the fields on the wire; one pass beats probing each member.
  for (const field of Object.keys(msg)) {
    if (!members.has(field)) continue;
    if (found !== undefined) throw new MalformedPayloadError(`value set twice, as ${found} and as ${field}`, { path });
    found = field;
  }
  return found;
}

/** An optional field of a JS primitive kind, or undefined when absent. */
export function optional<K extends 'string' | 'number' | 'boolean'>(
  msg: WireMessage,
  field: string,
  kind: K,
): (K extends 'string' ? string : K extends 'number' ? number : boolean) | undefined {
  if (!has(msg, field)) return undefined;
  const value = msg[field];
  if (typeof value !== kind) throw new Error(`protobuf field ${field} decoded as ${typeof value}, expected ${kind}`);
  return value as K extends 'string' ? string : K extends 'number' ? number : boolean;
}

/** A repeated field's elements (an absent field is an empty list). */
export function repeated(msg: WireMessage, field: string): readonly unknown[] {
  const value = msg[field];
  return Array.isArray(value) ? value : [];
}

/** A nested message field, or undefined when absent. */
export function message(msg: WireMessage, field: string): WireMessage | undefined {
  if (!has(msg, field)) return undefined;
  const value = msg[field];
  return typeof value === 'object' && value !== null ? (value as WireMessage) : undefined;
}

function longParts(value: unknown): { low: number; high: number } {
  if (typeof value === 'number') return { low: value % 2 ** 32, high: Math.floor(value / 2 ** 32) };
  if (typeof value === 'object' && value !== null && 'low' in value && 'high' in value) return value as { low: number; high: number };
  throw new Error(`protobuf uint64 decoded as ${typeof value}`);
}

/** A uint64 as read by protobufjs (a long.js Long) as an unsigned bigint. */
export function toBigInt(value: unknown): bigint {
  const { low, high } = longParts(value);
  return high === 0 ? BigInt(low >>> 0) : BigInt(high >>> 0) * TWO_32 + BigInt(low >>> 0);
}

/** An optional uint64 field as an unsigned bigint. */
export function optionalU64(msg: WireMessage, field: string): bigint | undefined {
  return has(msg, field) ? toBigInt(msg[field]) : undefined;
}

/** A uint64 ms time as a number; past 2^53-1 it cannot be a date and is malformed. */
export function toTime(value: bigint, path: string): number {
  if (value > MAX_SAFE) throw new MalformedPayloadError(`time ${value} ms is beyond Number.MAX_SAFE_INTEGER`, { path });
  return Number(value);
}

/** A uint64 ms time as read by protobufjs, as a number without a detour through bigint. */
export function longToTime(value: unknown, path: string): number {
  const { low, high } = longParts(value);
  const hi = high >>> 0;
  if (hi >= 0x20_0000) return toTime(toBigInt(value), path);
  return hi * 2 ** 32 + (low >>> 0);
}

/** An optional uint64 ms time field as a number. */
export function optionalTime(msg: WireMessage, field: string, path: string): number | undefined {
  return has(msg, field) ? longToTime(msg[field], path) : undefined;
}

/** An unsigned 64-bit bigint as protobufjs's writer wants it. */
export function toWireLong(value: bigint): WireLong {
  const unsigned = BigInt.asUintN(64, value);
  return { low: Number(unsigned % TWO_32) | 0, high: Number(unsigned / TWO_32) | 0, unsigned: true };
}

/** Decoded bytes, copied so the result never aliases the caller's (possibly reused) buffer. */
export function toBytes(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new Error(`protobuf bytes decoded as ${typeof value}`);
  return new Uint8Array(value);
}

function readVarint(bytes: Uint8Array): number {
  let result = 0;
  for (let i = 0, shift = 0; i < bytes.length && shift < 35; i += 1, shift += 7) {
    const byte = bytes[i] ?? 0;
    result += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  return result;
}

/**
 * protobufjs treats a known field that arrives with the wrong wire type as an unknown field and
 * skips it; we would rather say so. Unknown field numbers (extensions, newer schemas) stay ignored.
 * Requires the reader to have been created with `discardUnknown = false`.
 */
export function checkWireTypes(msg: WireMessage, type: Type, path: string): void {
  const unknowns = msg['$unknowns'];
  if (!Array.isArray(unknowns)) return;
  for (const raw of unknowns) {
    if (!(raw instanceof Uint8Array)) continue;
    const tag = readVarint(raw);
    const id = Math.floor(tag / 8);
    const field = type.fieldsById[id];
    if (field !== undefined) {
      throw new MalformedPayloadError(
        `field ${field.name} (${id}) arrived with wire type ${WIRE_TYPE_NAMES[tag % 8]}, which does not fit its ${field.type} type`,
        { path },
      );
    }
  }
}

/** An encoder input for a uint64 field: a bigint (or safe integer) in 0…2^64-1. */
export function u64Input(value: unknown, path: string): WireLong {
  const big = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof big !== 'bigint') throw new TypeError(`Sparkplug encode: ${path} must be a bigint, got ${typeof value}`);
  if (big < 0n || big > 2n ** 64n - 1n) throw new RangeError(`Sparkplug encode: ${path} ${big} is out of the uint64 range`);
  return toWireLong(big);
}

/** An encoder input for a time field: ms since the epoch as a non-negative safe integer. */
export function timeInput(value: unknown, path: string): WireLong {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Sparkplug encode: ${path} must be ms since the epoch (a non-negative safe integer), got ${String(value)}`);
  }
  return toWireLong(BigInt(value));
}

/** An encoder input that must be a string. */
export function stringInput(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new TypeError(`Sparkplug encode: ${path} must be a string, got ${typeof value}`);
  return value;
}

/** An encoder input that must be a boolean. */
export function boolInput(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`Sparkplug encode: ${path} must be a boolean, got ${typeof value}`);
  return value;
}
