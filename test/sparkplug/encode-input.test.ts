// Sparkplug encoder: input it must refuse (TypeError/RangeError naming the path) and exact wire bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataType, encodePayload } from '../../src/protocols/sparkplug/codec/index.ts';
import type { SparkplugMetric } from '../../src/protocols/sparkplug/codec/index.ts';
import { hex, lfield, vfield } from './wire-builder.ts';

describe('Sparkplug codec: encoder input checks', () => {
  const bad: [string, SparkplugMetric, typeof TypeError | typeof RangeError][] = [
    ['Int8 128', { datatype: DataType.Int8, value: 128 }, RangeError],
    ['Int32 1.5', { datatype: DataType.Int32, value: 1.5 }, TypeError],
    ['UInt64 -1n', { datatype: DataType.UInt64, value: -1n }, RangeError],
    ['Int64 2^63', { datatype: DataType.Int64, value: 2n ** 63n }, RangeError],
    ['Boolean "true"', { datatype: DataType.Boolean, value: 'true' }, TypeError],
    ['DateTime -1', { datatype: DataType.DateTime, value: -1 }, RangeError],
    ['an untyped array', { value: [1, 2] }, TypeError],
    ['a metric typed PropertySet', { datatype: DataType.PropertySet, value: 1 }, RangeError],
    ['a StringArray element holding NUL', { datatype: DataType.StringArray, value: ['a\u0000b'] }, RangeError],
    ['a negative timestamp', { timestamp: -5, value: 1 }, RangeError],
    ['a Bytes value that is a string', { datatype: DataType.Bytes, value: 'abc' }, TypeError],
  ];
  for (const [name, metric, error] of bad) {
    it(`throws ${error.name} for ${name}`, () => {
      assert.throws(() => encodePayload({ metrics: [metric] }), error);
    });
  }

  it('names the offending path in the message', () => {
    assert.throws(
      () => encodePayload({ metrics: [{ value: 1 }, { datatype: DataType.UInt8, value: 300 }] }),
      /metrics\[1\]\.value/,
    );
  });

  it('builds wire bytes a hand-written message agrees with', () => {
    const bytes = encodePayload({ timestamp: 1, seq: 2n, metrics: [{ name: 'a', datatype: DataType.Boolean, value: true }] });
    assert.equal(hex(bytes), hex([...vfield(1, 1), ...lfield(2, [...lfield(1, 'a'), ...vfield(4, 11), ...vfield(14, 1)]), ...vfield(3, 2)]));
  });
});
