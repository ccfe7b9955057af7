// Sparkplug B codec: round trips of every scalar datatype, metric and payload fields, properties (§6.4).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DataType,
  MalformedPayloadError,
  decodePayload,
  encodePayload,
  resolveMetricValue,
} from '../../src/protocols/sparkplug/codec/index.ts';
import type { DataTypeId, SparkplugMetric, SparkplugMetricValue, SparkplugPayload } from '../../src/protocols/sparkplug/codec/index.ts';
import { hex, payloadWithMetrics, vfield } from './wire-builder.ts';

function roundTrip(metric: SparkplugMetric): SparkplugMetric {
  const [decoded] = decodePayload(encodePayload({ metrics: [metric] })).metrics;
  assert.ok(decoded);
  return decoded;
}

function valueOf(datatype: DataTypeId, value: SparkplugMetricValue): SparkplugMetric['value'] {
  return roundTrip({ name: 'm', datatype, value }).value;
}

describe('Sparkplug codec: scalar datatypes round trip (§6.4.16)', () => {
  const cases: [string, DataTypeId, SparkplugMetricValue[]][] = [
    ['Int8', DataType.Int8, [-128, -1, 0, 1, 127]],
    ['Int16', DataType.Int16, [-32768, -1, 0, 32767]],
    ['Int32', DataType.Int32, [-2147483648, -1, 0, 2147483647]],
    ['Int64', DataType.Int64, [-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n]],
    ['UInt8', DataType.UInt8, [0, 255]],
    ['UInt16', DataType.UInt16, [0, 65535]],
    ['UInt32', DataType.UInt32, [0, 2147483648, 4294967295]],
    ['UInt64', DataType.UInt64, [0n, 2n ** 53n + 1n, 2n ** 64n - 1n]],
    ['Double', DataType.Double, [0, -0, Number.MAX_VALUE, Number.MIN_VALUE, -1e-300, Infinity, -Infinity]],
    ['Boolean', DataType.Boolean, [true, false]],
    ['String', DataType.String, ['', 'Grüße 🌡 \u0000 end']],
    ['Text', DataType.Text, ['line one\nline two']],
    ['UUID', DataType.UUID, ['8f9e2c1a-2b3c-4d5e-8f90-a1b2c3d4e5f6']],
    ['DateTime', DataType.DateTime, [0, 1_700_000_000_123, Number.MAX_SAFE_INTEGER]],
  ];
  for (const [name, datatype, values] of cases) {
    it(`${name} keeps ${values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(', ')}`, () => {
      for (const value of values) assert.deepEqual(valueOf(datatype, value), value, `${name} ${String(value)}`);
    });
  }

  it('Float is single precision: values come back as Math.fround of the input', () => {
    for (const value of [1.5, 3.14159, -2.5e-7, 3.4028234663852886e38]) {
      assert.equal(valueOf(DataType.Float, value), Math.fround(value));
    }
    assert.equal(valueOf(DataType.Float, 3.14159), 3.141590118408203);
  });

  it('Float and Double keep NaN and the infinities', () => {
    assert.ok(Number.isNaN(valueOf(DataType.Float, Number.NaN)));
    assert.ok(Number.isNaN(valueOf(DataType.Double, Number.NaN)));
    assert.equal(valueOf(DataType.Float, -Infinity), -Infinity);
  });

  it('Bytes keep their content, including empty', () => {
    assert.deepEqual(valueOf(DataType.Bytes, Uint8Array.from([0, 1, 254, 255])), Uint8Array.from([0, 1, 254, 255]));
    assert.deepEqual(valueOf(DataType.Bytes, new Uint8Array(0)), new Uint8Array(0));
  });

  it('File keeps its bytes and its MetaData (§6.4.7)', () => {
    const metric: SparkplugMetric = {
      name: 'config',
      datatype: DataType.File,
      value: new TextEncoder().encode('{"a":1}'),
      metadata: {
        isMultiPart: false,
        contentType: 'application/json',
        size: 7n,
        seq: 0n,
        fileName: 'config.json',
        fileType: 'json',
        md5: '0f0e0d',
        description: 'settings',
      },
    };
    assert.deepEqual(roundTrip(metric), metric);
  });
});

describe('Sparkplug codec: signed integers on the wire (§6.4.16)', () => {
  it('writes Int8/Int16/Int32 -1 sign-extended to 32 bits in int_value, as Eclipse Tahu does', () => {
    for (const datatype of [DataType.Int8, DataType.Int16, DataType.Int32]) {
      const bytes = encodePayload({ metrics: [{ datatype, value: -1 }] });
      assert.ok(hex(bytes).includes('50ffffffff0f'), `${datatype}: ${hex(bytes)}`);
    }
  });

  it('writes Int64 -1 as the uint64 2^64-1 in long_value', () => {
    const bytes = encodePayload({ metrics: [{ datatype: DataType.Int64, value: -1n }] });
    assert.ok(hex(bytes).includes('58ffffffffffffffffff01'), hex(bytes));
  });

  it('reads a zero-extended Int8/Int16 (0xFF, 0x8000) as well as the sign-extended form', () => {
    const decoded = decodePayload(
      payloadWithMetrics(
        [...vfield(4, DataType.Int8), ...vfield(10, 0xff)],
        [...vfield(4, DataType.Int8), ...vfield(10, 0xffffffff)],
        [...vfield(4, DataType.Int16), ...vfield(10, 0x8000)],
        [...vfield(4, DataType.Int16), ...vfield(10, 0xffff8000)],
      ),
    );
    assert.deepEqual(
      decoded.metrics.map((m) => m.value),
      [-1, -1, -32768, -32768],
    );
  });

  it('rejects an Int8 whose upper bits are neither zero- nor sign-extension', () => {
    const bytes = payloadWithMetrics([...vfield(4, DataType.Int8), ...vfield(10, 0x180)]);
    assert.throws(() => decodePayload(bytes), MalformedPayloadError);
  });

  it('rejects a UInt8 of 256 and a UInt16 of 65536', () => {
    assert.throws(() => decodePayload(payloadWithMetrics([...vfield(4, DataType.UInt8), ...vfield(10, 256)])), MalformedPayloadError);
    assert.throws(() => decodePayload(payloadWithMetrics([...vfield(4, DataType.UInt16), ...vfield(10, 65536)])), MalformedPayloadError);
  });

  it('writes UInt32 to int_value (spec) and also reads it from long_value, as Tahu writes it (tahu#76)', () => {
    assert.ok(hex(encodePayload({ metrics: [{ datatype: DataType.UInt32, value: 7 }] })).includes('5007'));
    const fromLong = decodePayload(payloadWithMetrics([...vfield(4, DataType.UInt32), ...vfield(11, 4294967295)]));
    assert.equal(fromLong.metrics[0]?.value, 4294967295);
    const tooBig = payloadWithMetrics([...vfield(4, DataType.UInt32), ...vfield(11, 4294967296)]);
    assert.throws(() => decodePayload(tooBig), MalformedPayloadError);
  });
});

describe('Sparkplug codec: metric and payload fields (§6.4.5, §6.4.6)', () => {
  it('keeps name, alias, timestamp, flags, and keeps false flags distinct from absent ones', () => {
    const metric: SparkplugMetric = {
      name: 'Folder/Temp',
      alias: 2n ** 64n - 1n,
      timestamp: 1_486_144_502_122,
      datatype: DataType.Double,
      isHistorical: true,
      isTransient: false,
      value: 21.5,
    };
    assert.deepEqual(roundTrip(metric), metric);
    assert.deepEqual(roundTrip({ alias: 0n, value: 3 }), { alias: 0n, value: 3 });
  });

  it('[tck-id-payloads-alias-data-cmd-requirement] an alias-only metric decodes without a name', () => {
    const decoded = roundTrip({ alias: 42n, timestamp: 5, datatype: DataType.Int32, value: -7 });
    assert.equal(decoded.name, undefined);
    assert.equal(decoded.alias, 42n);
  });

  it('an is_null metric carries no value', () => {
    assert.deepEqual(roundTrip({ name: 'n', datatype: DataType.String, isNull: true }), { name: 'n', datatype: DataType.String, isNull: true });
  });

  it('is_historical and is_transient survive on their own', () => {
    assert.deepEqual(roundTrip({ alias: 1n, isHistorical: true, timestamp: 10, value: 1 }), {
      alias: 1n,
      isHistorical: true,
      timestamp: 10,
      value: 1,
    });
    assert.deepEqual(roundTrip({ alias: 1n, isTransient: true, value: 1 }), { alias: 1n, isTransient: true, value: 1 });
  });

  it('keeps payload timestamp, seq, uuid and body; seq 0 is present, not absent', () => {
    const payload: SparkplugPayload = {
      timestamp: 1_700_000_000_000,
      seq: 0n,
      uuid: 'my-schema',
      body: Uint8Array.from([9, 8, 7]),
      metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: 0n }],
    };
    assert.deepEqual(decodePayload(encodePayload(payload)), payload);
    assert.deepEqual(decodePayload(encodePayload({ metrics: [] })), { metrics: [] });
    assert.equal(Object.hasOwn(decodePayload(encodePayload({ metrics: [], seq: 0n })), 'seq'), true);
  });

  it('decodes an empty buffer as an empty payload', () => {
    assert.deepEqual(decodePayload(new Uint8Array(0)), { metrics: [] });
  });

  it('decodes from a Node Buffer and returns plain Uint8Arrays that do not alias the input', () => {
    const input = Buffer.from(encodePayload({ metrics: [{ datatype: DataType.Bytes, value: Uint8Array.from([1, 2]) }] }));
    const value = decodePayload(input).metrics[0]?.value;
    assert.ok(value instanceof Uint8Array && !Buffer.isBuffer(value));
    input.fill(0);
    assert.deepEqual(value, Uint8Array.from([1, 2]));
  });
});

describe('Sparkplug codec: property sets (§6.4.8–10)', () => {
  it('[tck-id-payloads-propertyset-quality-value-type] keeps engUnit, engLow, engHigh and Quality as Int32', () => {
    const metric: SparkplugMetric = {
      name: 'Temp',
      datatype: DataType.Float,
      value: 20.5,
      properties: {
        engUnit: { type: DataType.String, value: '°C' },
        engLow: { type: DataType.Double, value: -40 },
        engHigh: { type: DataType.Double, value: 125 },
        Quality: { type: DataType.Int32, value: 500 },
      },
    };
    const decoded = roundTrip(metric);
    assert.deepEqual(decoded, metric);
    assert.deepEqual(Object.keys(decoded.properties ?? {}), ['engUnit', 'engLow', 'engHigh', 'Quality']);
  });

  it('nests PropertySets and PropertySetLists, and keeps null and untyped properties', () => {
    const properties = {
      limits: {
        type: DataType.PropertySet,
        value: { hi: { type: DataType.Int64, value: -5n }, deep: { type: DataType.PropertySet, value: { x: { type: DataType.Boolean, value: false } } } },
      },
      history: {
        type: DataType.PropertySetList,
        value: [{ at: { type: DataType.DateTime, value: 1000 } }, {}],
      },
      missing: { type: DataType.String, isNull: true },
      untyped: { value: 'no type' },
    } as const;
    assert.deepEqual(roundTrip({ name: 'p', properties }).properties, properties);
  });

  it('treats a __proto__ key as an ordinary property', () => {
    const properties = JSON.parse('{"__proto__":{"type":12,"value":"x"}}') as SparkplugMetric['properties'];
    const decoded = roundTrip({ name: 'p', ...(properties === undefined ? {} : { properties }) }).properties ?? {};
    assert.deepEqual(Object.keys(decoded), ['__proto__']);
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
  });
});

describe('Sparkplug codec: untyped DATA values and resolveMetricValue', () => {
  it('[tck-id-payloads-metric-datatype-not-req] omitMetricDatatypes leaves datatype off but encodes by it', () => {
    const bytes = encodePayload(
      {
        metrics: [
          { alias: 1n, datatype: DataType.Int8, value: -1 },
          { alias: 2n, datatype: DataType.Int64, value: -5n },
          { alias: 3n, datatype: DataType.Float, value: 1.5 },
          { alias: 4n, datatype: DataType.DateTime, value: 1_700_000_000_000 },
          { alias: 5n, datatype: DataType.Int16Array, value: [-2, 3] },
        ],
      },
      { omitMetricDatatypes: true },
    );
    const metrics = decodePayload(bytes).metrics;
    assert.ok(metrics.every((m) => m.datatype === undefined));
    assert.deepEqual(
      metrics.map((m) => m.value),
      [0xffffffff, 2n ** 64n - 5n, 1.5, 1_700_000_000_000n, Uint8Array.from([0xfe, 0xff, 0x03, 0x00])],
    );
    const birthTypes = [DataType.Int8, DataType.Int64, DataType.Float, DataType.DateTime, DataType.Int16Array] as const;
    assert.deepEqual(
      metrics.map((m, i) => resolveMetricValue(m.value ?? 0, birthTypes[i] ?? DataType.Unknown)),
      [-1, -5n, 1.5, 1_700_000_000_000, [-2, 3]],
    );
  });

  it('writes an untyped value by its JS type, and reads it back the same', () => {
    const values = [5, 4294967295, -1, 0.25, 2n ** 64n - 1n, true, 'text', Uint8Array.from([1])];
    const decoded = decodePayload(encodePayload({ metrics: values.map((value) => ({ value })) })).metrics.map((m) => m.value);
    assert.deepEqual(decoded, values);
  });

  it('resolveMetricValue rejects a value that cannot be of the BIRTH datatype', () => {
    assert.throws(() => resolveMetricValue('x', DataType.Int32), MalformedPayloadError);
    assert.throws(() => resolveMetricValue(5n, DataType.Int32), MalformedPayloadError);
    assert.throws(() => resolveMetricValue(Uint8Array.from([1, 2, 3]), DataType.Int16Array), MalformedPayloadError);
    assert.throws(() => resolveMetricValue(1, DataType.PropertySet), MalformedPayloadError);
  });
});
