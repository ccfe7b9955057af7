/** Structure-aware JSON mutation: edit a valid message's tree with hostile values, then optionally its bytes. */
import type { Prng } from './prng.ts';

/** Text inserted verbatim by {@link serialize}: JSON that JSON.stringify cannot make (or would overflow making). */
export class Raw {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

export type Json = null | boolean | number | string | Raw | Json[] | { [key: string]: Json };

/** Longest message text the fuzzer makes (characters): far above every limit the hub enforces. */
export const MAX_MESSAGE_CHARS = 64 * 1024 * 1024;

/** Thrown by {@link serialize} when the text would exceed its budget. */
export class TooBig extends Error {}

/** JSON text of `value`; {@link Raw} parts go in as they are. Throws {@link TooBig} past `maxChars`. */
export function serialize(value: Json, maxChars = MAX_MESSAGE_CHARS): string {
  let left = maxChars;
  // Only leaves are charged (a container's text is its leaves plus punctuation), so the work stays near the budget.
  const leaf = (text: string): string => {
    left -= text.length + 1;
    if (left < 0) throw new TooBig(`message over ${maxChars} characters`);
    return text;
  };
  const part = (v: Json): string => {
    if (v instanceof Raw) return leaf(v.text);
    if (Array.isArray(v)) return `[${v.map(part).join(',')}]`;
    if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, e]) => `${leaf(JSON.stringify(k))}:${part(e)}`).join(',')}}`;
    return leaf(JSON.stringify(v) ?? 'null');
  };
  return part(value);
}

/**
 * JSON text of a mutated tree, or of its seed when the tree is too big to send. Repeated elements are
 * shared references, so an edit made inside one after the repeat grows every copy: rarely, to gigabytes
 * (seen in the LwM2M run of seed 20261205: past V8's string limit at input 307,468, and minutes of
 * serialising with 3 GB resident near 575,000). The budget stops the serialising early; the seed goes instead.
 */
function serializeOrSeed(tree: Json, seed: Json): string {
  try {
    return serialize(tree);
  } catch (error) {
    if (error instanceof TooBig || error instanceof RangeError) return serialize(seed);
    throw error;
  }
}

/** A plain JSON value as a mutable {@link Json} tree (deep copy). */
export function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** Big values are made once and shared (they are never edited in place: Raw is opaque, strings immutable). */
const bigValues = new Map<string, Raw | string>();
function big<T extends Raw | string>(key: string, make: () => T): T {
  let value = bigValues.get(key);
  if (value === undefined) bigValues.set(key, (value = make()));
  return value as T;
}

const nest = (open: string, close: string, depth: number, inner = '0'): Raw => big(`nest${open}${depth}`, () => new Raw(`${open.repeat(depth)}${inner}${close.repeat(depth)}`));

const HOSTILE_STRINGS: readonly string[] = [
  '', ' ', 'NaN', 'Infinity', '-Infinity', '1e309', '-0', '0x1F', ' 42 ', 'null', 'true', 'undefined',
  '\uD800', 'a\uDC00b', '\uDFFF\uD800', '\u0000', 'a\u0000b', '\u202E', '\uFEFF', 'é', '😀', '\u{10FFFF}',
  '../../etc/passwd', '%s%n%x', '${x}', '{{x}}', '<script>alert(1)</script>', "'; DROP TABLE devices;--",
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  '2025-09-30T00:00:00Z', '+275760-09-13T00:00:00.001Z', '-271821-04-20T00:00:00.000Z', '1970-01-01', 'not a date',
  '1h', '-1h', '0s', '99999999w', '1e9d', 'P1D',
  '550e8400-e29b-41d4-a716-446655440000', '00000000-0000-0000-0000-000000000000',
  'temperature', 'celsius', 'avg', 'max', 'mcu', 'sensor', 'lwm2m', 'sparkplug', 'native',
  '/3/0/0', '/3303/0/5700', '/65535/65535/65535', '/-1', '//', '#', '+', '/',
  'llmiot/v1/x/up', 'spBv1.0/G/NDATA/E',
];

const HOSTILE_RAW: readonly (() => Raw)[] = [
  () => new Raw('-0'),
  () => new Raw('1e309'),
  () => new Raw('-1e999'),
  () => new Raw('9007199254740993'),
  () => new Raw('123456789012345678901234567890123456789'),
  () => new Raw('1.0000000000000000000000001'),
  () => new Raw('0.1e-400'),
  () => new Raw('"\\uD800"'),
  () => new Raw('"x\\uDFFFy"'),
  () => new Raw('"\\u0000"'),
  () => new Raw('{"a":1,"a":2}'),
  () => new Raw('{"__proto__":{"polluted":true}}'),
  () => new Raw('{"constructor":{"prototype":{"polluted":true}}}'),
];

const HOSTILE_NUMBERS: readonly number[] = [
  0, 1, -1, 0.5, -0.5, 1.5, 255, 256, 65535, 65536, 2147483647, -2147483648, 4294967295, 4294967296,
  2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e15, 1e16, -1e16, 1e20, -1e20, 1e100, 1e300, 1.7976931348623157e308, -1.7976931348623157e308,
  5e-324, Number.EPSILON, 1.7e9, 1.7e9 + 0.123, 1.7e12, 1.7e12 + 0.5, 8.64e15, 8.64e15 + 1, -8.64e15 - 1,
];

/** A hostile leaf or structure: huge or odd numbers, NaN-ish strings, lone surrogates, deep nesting, wide containers. */
export function hostileValue(rng: Prng): Json {
  switch (rng.int(10)) {
    case 0:
    case 1:
      return rng.pick(HOSTILE_STRINGS);
    case 2:
    case 3:
      return rng.pick(HOSTILE_NUMBERS) * (rng.chance(0.2) ? -1 : 1);
    case 4:
      return rng.pick(HOSTILE_RAW)();
    case 5: {
      // Huge sizes are rarer: they cost the fuzzer more than the hub.
      const depth = rng.chance(0.15) ? rng.pick([1000, 6000, 20000]) : rng.pick([31, 32, 33, 64, 100]);
      return rng.chance(0.5) ? nest('[', ']', depth) : nest('{"a":', '}', depth, '{}');
    }
    case 6: {
      const n = rng.chance(0.15) ? rng.pick([10000, 50000]) : rng.pick([100, 1000]);
      return rng.chance(0.5)
        ? big(`array${n}`, () => new Raw(`[${Array.from({ length: n }, (_, i) => i % 7).join(',')}]`))
        : big(`object${n}`, () => new Raw(`{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`));
    }
    case 7: {
      const n = rng.chance(0.15) ? rng.pick([65536, 300000]) : rng.pick([256, 4096]);
      const unit = rng.pick(['x', '\u00e9', '\uD83D\uDE00', '\u0000']);
      return big(`string${unit}${n}`, () => unit.repeat(n));
    }
    case 8:
      return rng.pick<Json>([null, true, false, [], {}, [null], { '': null }]);
    default:
      return randomString(rng);
  }
}

/** A short string of printable, control and astral characters (sometimes a lone surrogate). */
export function randomString(rng: Prng): string {
  const n = rng.small(0, 24);
  let out = '';
  for (let i = 0; i < n; i++) {
    const r = rng.int(10);
    if (r < 6) out += String.fromCharCode(0x20 + rng.int(95));
    else if (r < 7) out += String.fromCharCode(rng.int(0x20));
    else if (r < 8) out += String.fromCharCode(0xd800 + rng.int(0x800));
    else out += String.fromCodePoint(rng.int(0x10ffff + 1 - 0xe000) + 0xe000);
  }
  return out;
}

/** A value of a random JSON type (to put where another type is expected). */
function wrongType(rng: Prng, current: Json): Json {
  const choices: Json[] = [randomString(rng), rng.pick(HOSTILE_NUMBERS), rng.chance(0.5), null, [current], { value: current }, [], {}];
  return rng.pick(choices);
}

/** What a mutation may draw on besides hostile values: fragments of valid messages and known names. */
export interface MutationContext {
  /** Sub-values of the valid examples (for splicing one message's parts into another). */
  readonly fragments: readonly Json[];
  /** Keys the protocol knows (to rename to, or add with a wrong value). */
  readonly keys: readonly string[];
  /** Method names (for `method` slots), if the protocol has any. */
  readonly methods?: readonly string[];
}

/** Every sub-value of `values`, for {@link MutationContext.fragments}. */
export function collectFragments(values: readonly unknown[]): { fragments: Json[]; keys: string[] } {
  const fragments: Json[] = [];
  const keys = new Set<string>();
  const walk = (v: Json): void => {
    fragments.push(v);
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object' && !(v instanceof Raw)) {
      for (const [k, child] of Object.entries(v)) {
        keys.add(k);
        walk(child);
      }
    }
  };
  for (const value of values) walk(toJson(value));
  return { fragments, keys: [...keys] };
}

interface Slot {
  readonly get: () => Json;
  readonly set: (value: Json) => void;
  readonly remove?: () => void;
  readonly container?: Json[] | { [key: string]: Json };
  readonly key?: string;
}

function slots(root: { value: Json }): Slot[] {
  const out: Slot[] = [{ get: () => root.value, set: (v) => (root.value = v) }];
  const walk = (v: Json): void => {
    if (Array.isArray(v)) {
      v.forEach((child, i) => {
        out.push({ get: () => v[i] as Json, set: (x) => (v[i] = x), remove: () => v.splice(i, 1), container: v });
        walk(child);
      });
    } else if (v !== null && typeof v === 'object' && !(v instanceof Raw)) {
      for (const [k, child] of Object.entries(v)) {
        out.push({ get: () => v[k] as Json, set: (x) => (v[k] = x), remove: () => delete v[k], container: v, key: k });
        walk(child);
      }
    }
  };
  walk(root.value);
  return out;
}

/** Apply one to four structure-aware edits to a copy of `message`. */
export function mutateTree(rng: Prng, message: Json, context: MutationContext): Json {
  if (message instanceof Raw) return message;
  const root = { value: toJson(message) };
  const edits = rng.small(1, 4);
  for (let e = 0; e < edits; e++) {
    const all = slots(root);
    const slot = rng.pick(all);
    const current = slot.get();
    switch (rng.int(12)) {
      case 0:
      case 1:
      case 2:
        slot.set(hostileValue(rng));
        break;
      case 3:
        slot.set(wrongType(rng, current));
        break;
      case 4:
        if (slot.remove) slot.remove();
        else slot.set(hostileValue(rng));
        break;
      case 5: {
        const target = current !== null && typeof current === 'object' && !(current instanceof Raw) && !Array.isArray(current) ? current : undefined;
        if (target) target[rng.chance(0.5) ? rng.pick(context.keys) : randomString(rng)] = rng.chance(0.5) ? hostileValue(rng) : rng.pick(context.fragments);
        else slot.set({ [rng.pick(context.keys)]: current });
        break;
      }
      case 6:
        if (Array.isArray(current) && current.length > 0) {
          const element = current[rng.int(current.length)] as Json;
          // Keep the message within a few MB: the fuzzer's own strings have a length limit too.
          const copies = Math.min(rng.pick([2, 10, 100, 1000]), Math.floor(4e6 / (serialize(element).length + 1)));
          for (let i = 0; i < copies; i++) current.push(element);
        } else slot.set(rng.chance(0.5) ? [current] : { value: current });
        break;
      case 7:
      case 8:
        slot.set(toJson(rng.pick(context.fragments)));
        break;
      case 9:
        if (typeof current === 'string') slot.set(mutateString(rng, current));
        else if (typeof current === 'number') slot.set(mutateNumber(rng, current));
        else slot.set(hostileValue(rng));
        break;
      case 10:
        if (slot.container && slot.key !== undefined && !Array.isArray(slot.container)) {
          const obj = slot.container;
          delete obj[slot.key];
          obj[rng.chance(0.6) ? rng.pick(context.keys) : rng.pick(HOSTILE_STRINGS)] = current;
        } else slot.set(hostileValue(rng));
        break;
      default: {
        const top = root.value;
        if (context.methods && top !== null && typeof top === 'object' && !Array.isArray(top) && !(top instanceof Raw)) top['method'] = rng.pick(context.methods);
        else slot.set(hostileValue(rng));
      }
    }
  }
  return root.value;
}

function mutateString(rng: Prng, s: string): string {
  switch (rng.int(6)) {
    case 0:
      return s.slice(0, rng.int(s.length + 1));
    case 1:
      return s + rng.pick(HOSTILE_STRINGS);
    case 2: {
      const at = rng.int(s.length + 1);
      return s.slice(0, at) + String.fromCharCode(rng.pick([0, 0xd800, 0xdfff, 0x2f, 0x23, 0x2b, 0x22, 0x5c, 0xfffe])) + s.slice(at);
    }
    case 3:
      return s.repeat(Math.min(rng.pick([2, 10, 1000]), Math.floor(4e6 / (s.length + 1))));
    case 4:
      return s.toUpperCase();
    default:
      return randomString(rng);
  }
}

function mutateNumber(rng: Prng, n: number): Json {
  switch (rng.int(6)) {
    case 0:
      return n + (rng.chance(0.5) ? 1 : -1);
    case 1:
      return n * 10 ** rng.small(1, 300);
    case 2:
      return -n;
    case 3:
      return n + 0.5;
    case 4:
      return String(n);
    default:
      return rng.pick(HOSTILE_NUMBERS);
  }
}

/** Byte-level damage: flips, truncation, insertion, deletion and duplication of slices. */
export function mutateBytes(rng: Prng, input: Buffer): Buffer {
  let bytes = Buffer.from(input);
  const edits = rng.small(1, 6);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(bytes.length + 1);
    switch (rng.int(7)) {
      case 0:
        if (bytes.length > 0) {
          const i = Math.min(at, bytes.length - 1);
          bytes[i] = (bytes[i] as number) ^ (1 << rng.int(8));
        }
        break;
      case 1:
        bytes = bytes.subarray(0, at);
        break;
      case 2:
        bytes = Buffer.concat([bytes.subarray(0, at), rng.bytes(rng.small(1, 16)), bytes.subarray(at)]);
        break;
      case 3:
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + rng.small(1, 32)))]);
        break;
      case 4: {
        const len = rng.small(1, 64);
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at, at + len), bytes.subarray(at)]);
        break;
      }
      case 5:
        if (bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = rng.pick([0x00, 0xff, 0x7f, 0x80, 0xc0, 0xed, 0xf4, 0x22, 0x5c, 0x7b, 0x5b]);
        break;
      default:
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(rng.pick(['"\\ud800"', '1e309', '{', '[', '}', ']', ',', ':', 'NaN', '\\u'])), bytes.subarray(at)]);
    }
  }
  return bytes;
}

/** A mutated JSON message: tree edits, then sometimes byte damage, sometimes random garbage. */
export function mutateJsonMessage(rng: Prng, seeds: readonly Json[], context: MutationContext): Buffer {
  const r = rng.float();
  if (r < 0.02) return rng.bytes(rng.small(0, 512));
  if (r < 0.04) return Buffer.from(serialize(hostileValue(rng)));
  const seed = rng.pick(seeds);
  const tree = rng.chance(0.9) ? mutateTree(rng, seed, context) : seed;
  const text = Buffer.from(serializeOrSeed(tree, seed));
  return rng.chance(0.2) ? mutateBytes(rng, text) : text;
}

/** A mutated JSON-RPC message; `id` is set when the message is a request tagged with an id unique to its input, whose answer can be awaited. */
export interface JsonRpcInput {
  readonly bytes: Buffer;
  readonly id?: string;
}

/** Like {@link mutateJsonMessage}, but most requests carry the id `fz-{index}` so their answers can be matched (and missed answers seen). */
export function mutateJsonRpc(rng: Prng, index: number, seeds: readonly Json[], context: MutationContext): JsonRpcInput {
  const r = rng.float();
  if (r < 0.02) return { bytes: rng.bytes(rng.small(0, 512)) };
  if (r < 0.04) return { bytes: Buffer.from(serialize(hostileValue(rng))) };
  const seed = rng.pick(seeds);
  const tree = rng.chance(0.9) ? mutateTree(rng, seed, context) : toJson(seed);
  let id: string | undefined;
  if (tree !== null && typeof tree === 'object' && !Array.isArray(tree) && !(tree instanceof Raw) && 'id' in tree && rng.chance(0.9)) {
    id = `fz-${index}`;
    tree['id'] = id;
    if (typeof tree['method'] !== 'string') id = undefined;
  }
  const text = Buffer.from(serializeOrSeed(tree, seed));
  if (rng.chance(0.2)) return { bytes: mutateBytes(rng, text) };
  return id === undefined ? { bytes: text } : { bytes: text, id };
}
