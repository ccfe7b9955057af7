// Converts untyped resource values (JSON, plain text) to the JS type of their LwM2M data type.
import type { ResourceDefinition } from './objects/object-definition.ts';
import { Lwm2mValueError } from './errors/lwm2m-value-error.ts';
import { MAX_LWM2M_ID } from './lwm2m-path.ts';

/** An Objlnk value `oid:iid` (Core TS 1.2 App. C); `65535:65535` is the null link. */
export interface Objlnk {
  readonly objectId: number;
  readonly instanceId: number;
}

/**
 * A typed single resource value. String, Corelnk → string; Integer, Unsigned Integer → number, or
 * bigint beyond ±2^53; Float → number; Time → seconds since the Unix epoch; Boolean → boolean;
 * Opaque → Uint8Array; Objlnk → {@link Objlnk}.
 */
export type Lwm2mValue = string | number | bigint | boolean | Uint8Array | Objlnk;

/** A resource's value: one value, or for a multiple-instance resource its values by resource instance id. */
export type Lwm2mResourceValue = Lwm2mValue | ReadonlyMap<number, Lwm2mValue>;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const FLOAT_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
// ISO 8601 date, or date-time with an explicit zone (a zone-less time would depend on the host's clock).
const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Convert `value` to the JS type of `resource`'s data type (Core TS 1.2 App. C, Tables C-1 and C-2),
 * and check it against the resource's `a..b` range (numbers: the value; String, Opaque: the length in
 * octets; Core TS App. D.1). Accepts the JSON and plain-text forms (Core TS §7.5.1) a device sends.
 * @param path the resource path, for the error message.
 * @throws Lwm2mValueError naming path, expected type and received value.
 */
export function convertResourceValue(resource: ResourceDefinition, value: unknown, path: string): Lwm2mValue {
  const expected = describeExpected(resource);
  const fail = (): never => {
    throw new Lwm2mValueError(path, expected, value);
  };
  const converted = convert(resource, value) ?? fail();
  if (!inRange(resource, converted)) fail();
  return converted;
}

function convert(resource: ResourceDefinition, value: unknown): Lwm2mValue | undefined {
  switch (resource.type) {
    case 'String':
    case 'Corelnk':
      return typeof value === 'string' ? value : undefined;
    case 'Integer':
      return toInteger(value, INT64_MIN, INT64_MAX);
    case 'Unsigned Integer':
      return toInteger(value, 0n, UINT64_MAX);
    case 'Float':
      return toFloat(value);
    case 'Boolean':
      return toBoolean(value);
    case 'Time':
      return toTime(value);
    case 'Opaque':
      return toOpaque(value);
    case 'Objlnk':
      return toObjlnk(value);
    case 'none':
      return undefined;
  }
}

function toInteger(value: unknown, min: bigint, max: bigint): number | bigint | undefined {
  let big: bigint;
  if (typeof value === 'number') {
    // An unsafe integer has already lost precision in JSON; such values must arrive as text.
    if (!Number.isSafeInteger(value)) return undefined;
    big = BigInt(value);
  } else if (typeof value === 'bigint') {
    big = value;
  } else if (typeof value === 'string' && /^[+-]?\d+$/.test(value)) {
    big = BigInt(value);
  } else {
    return undefined;
  }
  if (big < min || big > max) return undefined;
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function toFloat(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  if (typeof value === 'string' && FLOAT_TEXT.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

// JSON true/false, their text, and the plain-text form "0"/"1" (Core TS §7.5.1); nothing else.
function toBoolean(value: unknown): boolean | undefined {
  if (value === true || value === 1 || value === 'true' || value === '1') return true;
  if (value === false || value === 0 || value === 'false' || value === '0') return false;
  return undefined;
}

// Time is signed seconds since the Unix epoch (Table C-1); ISO 8601 text is accepted and floored.
function toTime(value: unknown): number | undefined {
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
  }
  if (typeof value === 'string' && ISO_TIME.test(value)) {
    const ms = Date.parse(value.replace(' ', 'T'));
    return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
  }
  const seconds = toInteger(value, BigInt(Number.MIN_SAFE_INTEGER), BigInt(Number.MAX_SAFE_INTEGER));
  return typeof seconds === 'number' ? seconds : undefined;
}

// Opaque: bytes as given, or base64 text — padded (plain text, Core TS §7.5.1) or unpadded base64url
// (SenML `vd`, Core TS §7.5.6).
function toOpaque(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (typeof value !== 'string') return undefined;
  if (BASE64.test(value)) return Uint8Array.from(Buffer.from(value, 'base64'));
  if (BASE64URL.test(value) && value.length % 4 !== 1) return Uint8Array.from(Buffer.from(value, 'base64url'));
  return undefined;
}

function toObjlnk(value: unknown): Objlnk | undefined {
  let objectId: unknown;
  let instanceId: unknown;
  if (typeof value === 'string') {
    const match = /^(\d{1,5}):(\d{1,5})$/.exec(value);
    if (match === null) return undefined;
    objectId = Number(match[1]);
    instanceId = Number(match[2]);
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    ({ objectId, instanceId } = value as Record<string, unknown>);
  } else {
    return undefined;
  }
  return isId(objectId) && isId(instanceId) ? { objectId, instanceId } : undefined;
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_LWM2M_ID;
}

/** The numeric bounds of a registry range written `a..b` (inclusive, Core TS App. D.1); else undefined. */
export function parseRange(range: string | null): readonly [number, number] | undefined {
  const match = range === null ? null : /^(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)$/.exec(range.trim());
  return match === null ? undefined : [Number(match[1]), Number(match[2])];
}

function inRange(resource: ResourceDefinition, value: Lwm2mValue): boolean {
  const range = parseRange(resource.rangeEnumeration);
  if (range === undefined) return true;
  const [min, max] = range;
  if (typeof value === 'number') return value >= min && value <= max;
  if (typeof value === 'bigint') return false; // every `a..b` range in the registry fits in ±2^53
  if (typeof value === 'string') return between(Buffer.byteLength(value, 'utf8'), min, max);
  if (value instanceof Uint8Array) return between(value.byteLength, min, max);
  return true;
}

function between(length: number, min: number, max: number): boolean {
  return length >= min && length <= max;
}

function describeExpected(resource: ResourceDefinition): string {
  if (resource.type === 'none') return 'no value (executable resource)';
  const range = parseRange(resource.rangeEnumeration);
  if (range === undefined) return resource.type;
  const [min, max] = range;
  const lengthy = resource.type === 'String' || resource.type === 'Opaque' || resource.type === 'Corelnk';
  return lengthy ? `${resource.type} of ${min}..${max} octets` : `${resource.type} in ${min}..${max}`;
}
