// Sparkplug decoder robustness: garbage, truncation, wrong wire types, type mismatches, seeded fuzz.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataType, MalformedPayloadError, decodePayload, encodePayload } from '../../src/protocols/sparkplug/codec/index.ts';
import type { SparkplugPayload } from '../../src/protocols/sparkplug/codec/index.ts';
import { bytesOf, dfield, ffield, lfield, payloadWithMetrics, vfield } from './wire-builder.ts';

function assertMalformed(bytes: Uint8Array, pattern?: RegExp): MalformedPayloadError {
  try {
    decodePayload(bytes);
  } catch (error) {
    assert.ok(error instanceof MalformedPayloadError, `expected MalformedPayloadError, got ${String(error)}`);
    if (pattern !== undefined) assert.match(error.reason, pattern);
    return error;
  }
  assert.fail('decodePayload accepted malformed bytes');
}

/** A reference payload touching every decoder path, for truncation and mutation. */
const REFERENCE: SparkplugPayload = {
  timestamp: 1_700_000_000_000,
  seq: 7n,
  metrics: [
    { name: 'bdSeq', alias: 1n, timestamp: 1, datatype: DataType.Int64, value: -3n },
    { name: 'i8', datatype: DataType.Int8, value: -100, properties: { Quality: { type: DataType.Int32, value: 192 }, s: { type: DataType.PropertySet, value: { u: { type: DataType.String, value: 'x' } } } } },
    { name: 'arr', datatype: DataType.Int32Array, value: [1, -2, 3] },
    { name: 'bools', datatype: DataType.BooleanArray, value: [true, false, true] },
    { name: 'strs', datatype: DataType.StringArray, value: ['a', 'bc'] },
    { name: 'ds', datatype: DataType.DataSet, value: { columns: ['a', 'b'], types: [DataType.Int16, DataType.Double], rows: [[-1, 2.5], [null, 3]] } },
    {
      name: 'tpl',
      datatype: DataType.Template,
      value: { templateRef: 'T', isDefinition: false, metrics: [{ name: 'm', datatype: DataType.Float, value: 1.5 }], parameters: [{ name: 'p', type: DataType.UInt16, value: 9 }] },
    },
    { name: 'file', datatype: DataType.File, value: Uint8Array.from([1, 2, 3]), metadata: { fileName: 'f.bin', size: 3n } },
    { name: 'dt', datatype: DataType.DateTime, value: 5, isHistorical: true },
  ],
};
const REFERENCE_BYTES = encodePayload(REFERENCE);

describe('Sparkplug decoder: garbage and truncation', () => {
  it('rejects bytes that are not protobuf', () => {
    assertMalformed(Uint8Array.from([0x0f]), /wire type 7/);
    assertMalformed(Uint8Array.from([0xff]), /truncated/);
    assertMalformed(new TextEncoder().encode('hello world'));
  });

  it('rejects a STATE JSON payload fed to the protobuf decoder', () => {
    assertMalformed(new TextEncoder().encode('{"online":true,"timestamp":1700000000000}'));
  });

  it('decodes the reference payload, then every truncation of it decodes or throws MalformedPayloadError', () => {
    assert.deepEqual(decodePayload(REFERENCE_BYTES), REFERENCE);
    let rejected = 0;
    for (let length = 0; length < REFERENCE_BYTES.length; length += 1) {
      try {
        decodePayload(REFERENCE_BYTES.subarray(0, length));
      } catch (error) {
        assert.ok(error instanceof MalformedPayloadError, `prefix ${length}: ${String(error)}`);
        rejected += 1;
      }
    }
    assert.ok(rejected > REFERENCE_BYTES.length / 2, `only ${rejected} of ${REFERENCE_BYTES.length} truncations rejected`);
  });

  it('reports reason, path and the protobuf cause', () => {
    const error = assertMalformed(REFERENCE_BYTES.subarray(0, 20));
    assert.equal(error.name, 'MalformedPayloadError');
    assert.equal(error.code, 'SPARKPLUG_MALFORMED_PAYLOAD');
    assert.ok(error.cause instanceof Error);
    const typed = assertMalformed(payloadWithMetrics([...vfield(4, DataType.Int32), ...lfield(15, 'x')]));
    assert.equal(typed.path, 'metrics[0].value');
    assert.match(typed.message, /^malformed Sparkplug payload: string_value does not carry a Int32 value at metrics\[0\]\.value$/);
  });

  it('rejects messages nested deeper than the protobuf recursion limit', () => {
    let metric = [...vfield(4, DataType.Int32), ...vfield(10, 1)];
    for (let depth = 0; depth < 120; depth += 1) metric = [...vfield(4, DataType.Template), ...lfield(18, lfield(2, metric))];
    assertMalformed(payloadWithMetrics(metric), /nested too deeply/);
  });

  it('throws MalformedPayloadError over maxBytes and decodes at exactly maxBytes', () => {
    assert.throws(() => decodePayload(REFERENCE_BYTES, { maxBytes: REFERENCE_BYTES.length - 1 }), MalformedPayloadError);
    assert.deepEqual(decodePayload(REFERENCE_BYTES, { maxBytes: REFERENCE_BYTES.length }), REFERENCE);
  });
});

describe('Sparkplug decoder: wire types', () => {
  const cases: [string, Uint8Array][] = [
    ['Payload.timestamp as length-delimited', bytesOf(lfield(1, [1]))],
    ['Payload.metrics as varint', bytesOf(vfield(2, 1))],
    ['Payload.seq as fixed64', bytesOf(dfield(3, 1))],
    ['Metric.name as varint', payloadWithMetrics(vfield(1, 5))],
    ['Metric.int_value as fixed32', payloadWithMetrics([...vfield(4, DataType.Int32), ...ffield(10, 1)])],
    ['Metric.float_value as varint', payloadWithMetrics([...vfield(4, DataType.Float), ...vfield(12, 1)])],
    ['Metric.properties as varint', payloadWithMetrics(vfield(9, 1))],
    ['DataSet.types as fixed64', payloadWithMetrics([...vfield(4, DataType.DataSet), ...lfield(17, dfield(3, 1))])],
    ['PropertyValue.type as length-delimited', payloadWithMetrics(lfield(9, [...lfield(1, 'k'), ...lfield(2, lfield(1, [3]))]))],
  ];
  for (const [name, bytes] of cases) {
    it(`rejects ${name}`, () => {
      assertMalformed(bytes, /wire type|truncated|not a protobuf/);
    });
  }

  it('ignores unknown fields and extensions (Payload 6+, Metric 20+, MetaData 9+)', () => {
    const bytes = bytesOf(vfield(6, 1), lfield(99, 'ext'), lfield(2, [...lfield(1, 'a'), ...vfield(20, 5), ...lfield(8, vfield(9, 1))]));
    assert.deepEqual(decodePayload(bytes), { metrics: [{ name: 'a', metadata: {} }] });
  });

  it('reads repeated DataSet.types both packed and unpacked', () => {
    const packed = payloadWithMetrics([...vfield(4, DataType.DataSet), ...lfield(17, [...lfield(2, 'a'), ...lfield(2, 'b'), ...lfield(3, [3, 12])])]);
    assert.deepEqual(decodePayload(packed).metrics[0]?.value, { columns: ['a', 'b'], types: [3, 12], rows: [] });
  });
});

describe('Sparkplug decoder: value fields that do not match the datatype', () => {
  const cases: [string, number, number[]][] = [
    ['Int32 in string_value', DataType.Int32, lfield(15, 'x')],
    ['String in int_value', DataType.String, vfield(10, 1)],
    ['Boolean in int_value', DataType.Boolean, vfield(10, 1)],
    ['Float in int_value', DataType.Float, vfield(10, 1)],
    ['Int64 in int_value', DataType.Int64, vfield(10, 1)],
    ['Int32 in long_value', DataType.Int32, vfield(11, 1)],
    ['Double in long_value', DataType.Double, vfield(11, 1)],
    ['Bytes in string_value', DataType.Bytes, lfield(15, 'x')],
    ['FloatArray in string_value', DataType.FloatArray, lfield(15, 'x')],
    ['DataSet in bytes_value', DataType.DataSet, lfield(16, [1])],
    ['UUID in boolean_value', DataType.UUID, vfield(14, 1)],
    ['any type in extension_value', DataType.Int32, lfield(19, [])],
  ];
  for (const [name, datatype, value] of cases) {
    it(`rejects ${name}`, () => {
      assertMalformed(payloadWithMetrics([...vfield(4, datatype), ...value]), /does not carry|no datatype mapping/);
    });
  }

  it('rejects a value oneof set twice (two members on the wire)', () => {
    assertMalformed(payloadWithMetrics([...vfield(4, DataType.Int32), ...vfield(10, 1), ...lfield(15, 'x')]), /value set twice/);
    const cell = [...vfield(1, 1), ...vfield(5, 1)];
    assertMalformed(payloadWithMetrics([...vfield(4, DataType.DataSet), ...lfield(17, [...lfield(2, 'a'), ...vfield(3, 3), ...lfield(4, lfield(1, cell))])]), /value set twice/);
  });

  it('[tck-id-payloads-metric-datatype-value] rejects metric datatypes 20, 21, 35 and 1000', () => {
    for (const datatype of [DataType.PropertySet, DataType.PropertySetList, 35, 1000]) {
      assertMalformed(payloadWithMetrics([...vfield(4, datatype), ...vfield(10, 1)]), /not a metric datatype/);
    }
  });

  it('reads a value under datatype Unknown (0) untyped', () => {
    assert.deepEqual(decodePayload(payloadWithMetrics([...vfield(4, 0), ...vfield(11, 5)])).metrics[0], { datatype: 0, value: 5n });
  });

  it('rejects times beyond Number.MAX_SAFE_INTEGER ms', () => {
    assertMalformed(bytesOf(vfield(1, 2n ** 60n)), /MAX_SAFE_INTEGER/);
    assertMalformed(payloadWithMetrics(vfield(3, 2n ** 64n - 1n)), /MAX_SAFE_INTEGER/);
    assertMalformed(payloadWithMetrics([...vfield(4, DataType.DateTime), ...vfield(11, 2n ** 53n)]), /MAX_SAFE_INTEGER/);
  });

  it('[tck-id-payloads-propertyset-keys-array-size] [tck-id-payloads-propertyset-values-array-size] rejects unpaired keys and values', () => {
    assertMalformed(payloadWithMetrics(lfield(9, [...lfield(1, 'a'), ...lfield(1, 'b'), ...lfield(2, vfield(1, 12))])), /2 property keys but 1 values/);
    assertMalformed(payloadWithMetrics(lfield(9, lfield(2, vfield(1, 12)))), /0 property keys but 1 values/);
  });

  it('rejects duplicate property keys, non-property types and a PropertySet type holding a scalar', () => {
    const value = [...vfield(1, DataType.String), ...lfield(8, 'v')];
    assertMalformed(payloadWithMetrics(lfield(9, [...lfield(1, 'a'), ...lfield(1, 'a'), ...lfield(2, value), ...lfield(2, value)])), /duplicate/);
    // [tck-id-payloads-metric-propertyvalue-type-value]
    assertMalformed(payloadWithMetrics(lfield(9, [...lfield(1, 'a'), ...lfield(2, vfield(1, DataType.Template))])), /not a property datatype/);
    assertMalformed(payloadWithMetrics(lfield(9, [...lfield(1, 'a'), ...lfield(2, [...vfield(1, DataType.PropertySet), ...vfield(3, 1)])])));
  });
});

/** mulberry32: a small seeded PRNG, so a failing fuzz case can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function decodesOrMalformed(bytes: Uint8Array, label: string): 'decoded' | 'malformed' {
  try {
    decodePayload(bytes);
    return 'decoded';
  } catch (error) {
    if (error instanceof MalformedPayloadError) return 'malformed';
    assert.fail(`${label}: threw ${String(error)} for ${Buffer.from(bytes).toString('hex')}`);
  }
}

describe('Sparkplug decoder: seeded fuzz', () => {
  it('3000 random byte strings each decode or throw MalformedPayloadError', () => {
    const random = prng(0x5eed);
    const outcomes = { decoded: 0, malformed: 0 };
    for (let i = 0; i < 3000; i += 1) {
      const bytes = Uint8Array.from({ length: Math.floor(random() * 96) }, () => Math.floor(random() * 256));
      outcomes[decodesOrMalformed(bytes, `random #${i}`)] += 1;
    }
    assert.ok(outcomes.decoded > 0 && outcomes.malformed > 0, JSON.stringify(outcomes));
  });

  it('3000 mutations of a valid payload (bit flips, byte edits, splices) each decode or throw MalformedPayloadError', () => {
    const random = prng(0xc0dec);
    const pick = (n: number): number => Math.floor(random() * n);
    const outcomes = { decoded: 0, malformed: 0 };
    for (let i = 0; i < 3000; i += 1) {
      const bytes = [...REFERENCE_BYTES];
      for (let edits = 1 + pick(3); edits > 0; edits -= 1) {
        const at = pick(bytes.length);
        const kind = pick(4);
        if (kind === 0) bytes[at] = (bytes[at] ?? 0) ^ (1 << pick(8));
        else if (kind === 1) bytes[at] = pick(256);
        else if (kind === 2) bytes.splice(at, 1 + pick(4));
        else bytes.splice(at, 0, ...Array.from({ length: 1 + pick(4) }, () => pick(256)));
      }
      outcomes[decodesOrMalformed(Uint8Array.from(bytes), `mutation #${i}`)] += 1;
    }
    assert.ok(outcomes.decoded > 0 && outcomes.malformed > 0, JSON.stringify(outcomes));
  });
});
