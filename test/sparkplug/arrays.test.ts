// Sparkplug array datatypes: bytes_value packing of Int8Array…DateTimeArray (Sparkplug 3.0 §6.4.17).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataType, MalformedPayloadError, decodePayload, encodePayload } from '../../src/protocols/sparkplug/codec/index.ts';
import type { ArrayDataTypeId, SparkplugArrayValue } from '../../src/protocols/sparkplug/codec/index.ts';
import { hex, lfield, payloadWithMetrics, vfield } from './wire-builder.ts';

/** The bytes_value our encoder writes for an array. */
function packed(datatype: ArrayDataTypeId, value: SparkplugArrayValue): string {
  const raw = decodePayload(encodePayload({ metrics: [{ datatype, value }] }, { omitMetricDatatypes: true })).metrics[0]?.value;
  assert.ok(raw instanceof Uint8Array);
  return hex(raw);
}

/** Decode a metric of `datatype` whose bytes_value is `bytes`. */
function unpacked(datatype: ArrayDataTypeId, bytes: readonly number[]): unknown {
  return decodePayload(payloadWithMetrics([...vfield(4, datatype), ...lfield(16, bytes)])).metrics[0]?.value;
}

function roundTrip(datatype: ArrayDataTypeId, value: SparkplugArrayValue): unknown {
  return decodePayload(encodePayload({ metrics: [{ name: 'a', datatype, value }] })).metrics[0]?.value;
}

// The examples of §6.4.17, with the 3.0.0 errata applied (sparkplug#435, PR #436): Int8Array -23 is
// 0xE9, Float/Double arrays are little-endian, DateTime elements are 8 bytes. BooleanArray's padding
// bits ('X') are written as 0.
const SPEC_EXAMPLES: [string, ArrayDataTypeId, SparkplugArrayValue, string][] = [
  ['Int8Array', DataType.Int8Array, [-23, 123], 'e97b'],
  ['Int16Array', DataType.Int16Array, [-30000, 30000], 'd08a3075'],
  ['Int32Array', DataType.Int32Array, [-1, 315338746], 'fffffffffaafcb12'],
  ['Int32Array (intro)', DataType.Int32Array, [123456789, 987654321], '15cd5b07b168de3a'],
  ['Int64Array', DataType.Int64Array, [-4270929666821191986n, -3601064768563266876n], 'ce0672ac189cbac4c4ba9c18ac7206ce'],
  ['UInt8Array', DataType.UInt8Array, [23, 250], '17fa'],
  ['UInt16Array', DataType.UInt16Array, [30, 52360], '1e0088cc'],
  ['UInt32Array', DataType.UInt32Array, [52, 3293969225], '3400000049fb55c4'],
  ['UInt64Array', DataType.UInt64Array, [52n, 16444743074749521625n], '3400000000000000d99e02d1b27637e4'],
  ['FloatArray', DataType.FloatArray, [Math.fround(1.23), Math.fround(89.341)], 'a4709d3f98aeb242'],
  ['DoubleArray', DataType.DoubleArray, [12.354213, 1022.9123213], 'd7a205685bb528408e171c6f4cf78f40'],
  [
    'BooleanArray',
    DataType.BooleanArray,
    [false, false, true, true, false, true, false, false, true, true, false, true],
    '0c00000034d0',
  ],
  ['StringArray', DataType.StringArray, ['ABC', 'hello'], '4142430068656c6c6f00'],
  ['DateTimeArray', DataType.DateTimeArray, [1256102875335, 1656107875000], 'c7d0907524010000b8bab89781010000'],
];

describe('Sparkplug arrays: the specification examples (§6.4.17, errata sparkplug#435)', () => {
  for (const [name, datatype, value, bytes] of SPEC_EXAMPLES) {
    it(`${name} ${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))} packs as ${bytes}`, () => {
      assert.equal(packed(datatype, value), bytes);
      assert.deepEqual(unpacked(datatype, [...Buffer.from(bytes, 'hex')]), value);
    });
  }
});

describe('Sparkplug arrays: round trips with boundary values', () => {
  const cases: [string, ArrayDataTypeId, SparkplugArrayValue][] = [
    ['Int8Array', DataType.Int8Array, [-128, -1, 0, 127]],
    ['Int16Array', DataType.Int16Array, [-32768, 32767]],
    ['Int32Array', DataType.Int32Array, [-2147483648, 2147483647]],
    ['Int64Array', DataType.Int64Array, [-(2n ** 63n), 0n, 2n ** 63n - 1n]],
    ['UInt8Array', DataType.UInt8Array, [0, 255]],
    ['UInt16Array', DataType.UInt16Array, [0, 65535]],
    ['UInt32Array', DataType.UInt32Array, [0, 4294967295]],
    ['UInt64Array', DataType.UInt64Array, [0n, 2n ** 64n - 1n]],
    ['FloatArray', DataType.FloatArray, [0, -0, Math.fround(0.1), Infinity, -Infinity]],
    ['DoubleArray', DataType.DoubleArray, [Number.MAX_VALUE, -Number.MIN_VALUE, 0.1]],
    ['BooleanArray', DataType.BooleanArray, [true, false, true, true, true, true, true, true, false]],
    ['StringArray', DataType.StringArray, ['', 'a', 'Grüße 🌡', '']],
    ['DateTimeArray', DataType.DateTimeArray, [0, 1_700_000_000_000, Number.MAX_SAFE_INTEGER]],
  ];
  for (const [name, datatype, value] of cases) {
    it(`${name} round trips, and so does the empty ${name}`, () => {
      assert.deepEqual(roundTrip(datatype, value), value);
      assert.deepEqual(roundTrip(datatype, []), []);
    });
  }

  it('FloatArray and DoubleArray keep NaN', () => {
    const floats = roundTrip(DataType.FloatArray, [Number.NaN]) as number[];
    const doubles = roundTrip(DataType.DoubleArray, [Number.NaN]) as number[];
    assert.ok(Number.isNaN(floats[0]) && Number.isNaN(doubles[0]));
  });

  it('an empty BooleanArray is a zero count and no bits; an empty StringArray is no bytes', () => {
    assert.equal(packed(DataType.BooleanArray, []), '00000000');
    assert.equal(packed(DataType.StringArray, []), '');
  });

  it('accepts safe-integer numbers as Int64Array/UInt64Array elements and returns bigints', () => {
    assert.deepEqual(roundTrip(DataType.Int64Array, [-5, 7] as unknown as readonly bigint[]), [-5n, 7n]);
  });
});

describe('Sparkplug arrays: malformed bytes_value', () => {
  const cases: [string, ArrayDataTypeId, number[]][] = [
    ['Int16Array of 3 bytes', DataType.Int16Array, [1, 2, 3]],
    ['Int32Array of 6 bytes', DataType.Int32Array, [1, 2, 3, 4, 5, 6]],
    ['Int64Array of 7 bytes', DataType.Int64Array, [1, 2, 3, 4, 5, 6, 7]],
    ['UInt16Array of 1 byte', DataType.UInt16Array, [1]],
    ['FloatArray of 5 bytes', DataType.FloatArray, [1, 2, 3, 4, 5]],
    ['DoubleArray of 12 bytes', DataType.DoubleArray, new Array<number>(12).fill(0)],
    ['DateTimeArray of 9 bytes', DataType.DateTimeArray, new Array<number>(9).fill(0)],
    ['DateTimeArray past 2^53-1 ms', DataType.DateTimeArray, [0, 0, 0, 0, 0, 0, 0x20, 0]],
    ['BooleanArray without its count', DataType.BooleanArray, [1, 0, 0]],
    ['BooleanArray of 12 values in 1 byte', DataType.BooleanArray, [12, 0, 0, 0, 0xff]],
    ['BooleanArray of 2 values with a spare byte', DataType.BooleanArray, [2, 0, 0, 0, 0xc0, 0]],
    ['BooleanArray claiming 4 billion values', DataType.BooleanArray, [0xff, 0xff, 0xff, 0xff, 0]],
    ['StringArray without a final NUL', DataType.StringArray, [0x41, 0x00, 0x42]],
    ['StringArray with invalid UTF-8', DataType.StringArray, [0xc3, 0x28, 0x00]],
  ];
  for (const [name, datatype, bytes] of cases) {
    it(`rejects ${name}`, () => {
      assert.throws(() => unpacked(datatype, bytes), MalformedPayloadError);
    });
  }

  it('rejects an array datatype whose value is not in bytes_value', () => {
    const bytes = payloadWithMetrics([...vfield(4, DataType.Int32Array), ...vfield(10, 5)]);
    assert.throws(() => decodePayload(bytes), MalformedPayloadError);
  });
});
