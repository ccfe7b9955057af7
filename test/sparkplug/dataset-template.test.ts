// Sparkplug DataSet (§6.4.11–13) and Template (§6.4.14–15) values through the codec.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataType, MalformedPayloadError, decodePayload, encodePayload } from '../../src/protocols/sparkplug/codec/index.ts';
import type { SparkplugDataSet, SparkplugMetric, SparkplugTemplate } from '../../src/protocols/sparkplug/codec/index.ts';
import { lfield, payloadWithMetrics, vfield } from './wire-builder.ts';

function roundTrip(metric: SparkplugMetric): SparkplugMetric | undefined {
  return decodePayload(encodePayload({ metrics: [metric] })).metrics[0];
}

/** A DataSet metric body built by hand: types, optional columns/num_of_columns, rows of cell bodies. */
function dataSetMetric(parts: { types: number[]; columns?: string[]; numOfColumns?: number; rows?: number[][][] }): Uint8Array {
  const body = [
    ...(parts.numOfColumns === undefined ? [] : vfield(1, parts.numOfColumns)),
    ...(parts.columns ?? []).flatMap((c) => lfield(2, c)),
    ...parts.types.flatMap((t) => vfield(3, t)),
    ...(parts.rows ?? []).flatMap((row) => lfield(4, row.flatMap((cell) => lfield(1, cell)))),
  ];
  return payloadWithMetrics([...vfield(4, DataType.DataSet), ...lfield(17, body)]);
}

describe('Sparkplug DataSet (§6.4.11–13)', () => {
  it('round trips a column of every scalar type, boundary values and null cells', () => {
    const dataSet: SparkplugDataSet = {
      columns: ['i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'f', 'd', 'b', 's', 'dt', 'txt', 'uuid'],
      types: [
        DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64, DataType.UInt8, DataType.UInt16, DataType.UInt32,
        DataType.UInt64, DataType.Float, DataType.Double, DataType.Boolean, DataType.String, DataType.DateTime, DataType.Text,
        DataType.UUID,
      ],
      rows: [
        [-128, -32768, -2147483648, -(2n ** 63n), 0, 0, 0, 0n, 1.5, -0.1, false, '', 0, 'x', 'u-1'],
        [127, 32767, 2147483647, 2n ** 63n - 1n, 255, 65535, 4294967295, 2n ** 64n - 1n, -Infinity, 1e300, true, 'é', 1_700_000_000_000, '', 'u-2'],
        [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
      ],
    };
    assert.deepEqual(roundTrip({ name: 'table', datatype: DataType.DataSet, value: dataSet })?.value, dataSet);
  });

  it('round trips an empty DataSet and one with columns but no rows', () => {
    const empty: SparkplugDataSet = { columns: [], types: [], rows: [] };
    const headed: SparkplugDataSet = { columns: ['a'], types: [DataType.String], rows: [] };
    assert.deepEqual(roundTrip({ datatype: DataType.DataSet, value: empty })?.value, empty);
    assert.deepEqual(roundTrip({ datatype: DataType.DataSet, value: headed })?.value, headed);
  });

  it('[tck-id-payloads-dataset-column-size] writes num_of_columns, and reads a DataSet that omits it', () => {
    const bytes = encodePayload({ metrics: [{ datatype: DataType.DataSet, value: { columns: ['a', 'b'], types: [11, 11], rows: [] } }] });
    assert.ok(Buffer.from(bytes).includes(Buffer.from([0x08, 0x02])), 'num_of_columns = 2');
    const withoutCount = dataSetMetric({ types: [DataType.Int32], columns: ['a'], rows: [[vfield(1, 0xfffffffe)]] });
    assert.deepEqual(decodePayload(withoutCount).metrics[0]?.value, { columns: ['a'], types: [DataType.Int32], rows: [[-2]] });
  });

  const malformed: [string, Parameters<typeof dataSetMetric>[0]][] = [
    ['[tck-id-payloads-dataset-column-num-headers] two column names for one type', { types: [3], columns: ['a', 'b'] }],
    ['[tck-id-payloads-dataset-column-size] num_of_columns 3 for two types', { types: [3, 3], columns: ['a', 'b'], numOfColumns: 3 }],
    ['[tck-id-payloads-dataset-types-value] a DataSet column type', { types: [DataType.DataSet], columns: ['a'] }],
    ['[tck-id-payloads-dataset-types-value] an Unknown column type', { types: [0], columns: ['a'] }],
    ['a row with fewer elements than columns', { types: [3, 3], columns: ['a', 'b'], rows: [[vfield(1, 1)]] }],
    ['[tck-id-payloads-template-dataset-value] a string cell in an Int32 column', { types: [3], columns: ['a'], rows: [[lfield(6, 'x')]] }],
    ['an Int8 cell out of range', { types: [1], columns: ['a'], rows: [[vfield(1, 300)]] }],
    ['a cell holding extension_value', { types: [3], columns: ['a'], rows: [[lfield(7, [])]] }],
  ];
  for (const [name, parts] of malformed) {
    it(`rejects ${name}`, () => {
      assert.throws(() => decodePayload(dataSetMetric(parts)), MalformedPayloadError);
    });
  }

  it('refuses to encode mismatched columns/types, short rows and non-scalar column types', () => {
    const encode = (value: unknown): Uint8Array => encodePayload({ metrics: [{ datatype: DataType.DataSet, value: value as SparkplugDataSet }] });
    assert.throws(() => encode({ columns: ['a', 'b'], types: [3], rows: [] }), RangeError);
    assert.throws(() => encode({ columns: ['a'], types: [3], rows: [[1, 2]] }), RangeError);
    assert.throws(() => encode({ columns: ['a'], types: [DataType.Bytes], rows: [] }), RangeError);
    assert.throws(() => encode({ columns: ['a'], types: [3], rows: [['x']] }), TypeError);
  });
});

const motorDefinition: SparkplugTemplate = {
  version: '1.0',
  isDefinition: true,
  metrics: [
    { name: 'RPM', datatype: DataType.Int32, value: 0 },
    { name: 'Temp', datatype: DataType.Float, value: 0, properties: { engUnit: { type: DataType.String, value: 'degC' } } },
    { name: 'Running', datatype: DataType.Boolean, value: false },
    { name: 'Serial', datatype: DataType.String, isNull: true },
  ],
  parameters: [
    { name: 'MaxRPM', type: DataType.Int32, value: 3000 },
    { name: 'Offset', type: DataType.Int8, value: -1 },
    { name: 'Id', type: DataType.UInt64, value: 2n ** 64n - 1n },
    { name: 'Gain', type: DataType.Double, value: 0.5 },
    { name: 'Site', type: DataType.String },
  ],
};

describe('Sparkplug Template (§6.4.14–15)', () => {
  it('[tck-id-payloads-template-definition-is-definition] [tck-id-payloads-template-definition-ref] round trips a definition without template_ref', () => {
    const decoded = roundTrip({ name: 'Motor', datatype: DataType.Template, value: motorDefinition });
    assert.deepEqual(decoded?.value, motorDefinition);
    assert.equal(Object.hasOwn(decoded?.value as object, 'templateRef'), false);
  });

  it('[tck-id-payloads-template-instance-ref] round trips an instance with overridden parameters and a nested instance', () => {
    const instance: SparkplugTemplate = {
      templateRef: 'Line',
      isDefinition: false,
      metrics: [
        { name: 'Count', datatype: DataType.UInt32, value: 12 },
        {
          name: 'Motor1',
          datatype: DataType.Template,
          value: { templateRef: 'Motor', isDefinition: false, metrics: [{ name: 'RPM', datatype: DataType.Int32, value: -20 }], parameters: [{ name: 'Site', type: DataType.String, value: 'B' }] },
        },
      ],
      parameters: [{ name: 'MaxRPM', type: DataType.Int32, value: 1500 }],
    };
    assert.deepEqual(roundTrip({ name: 'Line1', datatype: DataType.Template, value: instance })?.value, instance);
  });

  it('[tck-id-payloads-template-instance-members-data] a DATA instance with datatypes omitted carries raw member values', () => {
    const bytes = encodePayload(
      {
        metrics: [
          {
            alias: 9n,
            datatype: DataType.Template,
            value: { templateRef: 'Motor', isDefinition: false, metrics: [{ name: 'RPM', datatype: DataType.Int32, value: -20 }], parameters: [] },
          },
        ],
      },
      { omitMetricDatatypes: true },
    );
    const decoded = decodePayload(bytes).metrics[0];
    assert.deepEqual(decoded, {
      alias: 9n,
      value: { templateRef: 'Motor', isDefinition: false, metrics: [{ name: 'RPM', value: 0xffffffec }], parameters: [] },
    });
  });

  it('rejects a parameter whose type is not scalar or whose value does not fit its type', () => {
    const template = (parameter: number[]): Uint8Array =>
      payloadWithMetrics([...vfield(4, DataType.Template), ...lfield(18, [...vfield(5, 1), ...lfield(3, parameter)])]);
    assert.throws(() => decodePayload(template([...lfield(1, 'p'), ...vfield(2, DataType.DataSet)])), MalformedPayloadError);
    assert.throws(() => decodePayload(template([...lfield(1, 'p'), ...vfield(2, DataType.Int32), ...lfield(8, 'x')])), MalformedPayloadError);
    assert.deepEqual(decodePayload(template([...lfield(1, 'p'), ...vfield(2, DataType.Int16), ...vfield(3, 0xffff)])).metrics[0]?.value, {
      isDefinition: true,
      metrics: [],
      parameters: [{ name: 'p', type: DataType.Int16, value: -1 }],
    });
  });

  it('rejects a Template metric without template_value and a template_value under another datatype', () => {
    assert.throws(() => decodePayload(payloadWithMetrics([...vfield(4, DataType.Template), ...vfield(10, 1)])), MalformedPayloadError);
    assert.throws(() => decodePayload(payloadWithMetrics([...vfield(4, DataType.Int32), ...lfield(18, [])])), MalformedPayloadError);
    assert.throws(() => decodePayload(payloadWithMetrics([...vfield(4, DataType.String), ...lfield(17, [])])), MalformedPayloadError);
  });
});
