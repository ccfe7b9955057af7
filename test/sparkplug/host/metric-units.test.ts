// The broker-free parts of the host: BIRTH metric catalogs, write values, DATA typing, STATE payloads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataType } from '../../../src/protocols/sparkplug/codec/index.ts';
import { HostStateMessages, parseStatePayload } from '../../../src/protocols/sparkplug/host/host-state.ts';
import { isBirthProblem, MetricCatalog } from '../../../src/protocols/sparkplug/host/metric-catalog.ts';
import { metricToPoint } from '../../../src/protocols/sparkplug/host/metric-points.ts';
import { MetricWriteError, toWriteValue } from '../../../src/protocols/sparkplug/host/metric-write.ts';

describe('MetricCatalog', () => {
  it('[tck-id-payloads-alias-birth-requirement] resolves DATA metrics by alias or by name, with the BIRTH datatype and engUnit', () => {
    const catalog = MetricCatalog.fromBirth([
      { name: 'T', alias: 1n, datatype: DataType.Float, value: 1, properties: { engUnit: { type: DataType.String, value: 'celsius' } } },
      { name: 'Mode', datatype: DataType.String, value: 'a' },
    ]);
    assert.ok(!isBirthProblem(catalog));
    assert.deepEqual(catalog.resolve({ alias: 1n }), { name: 'T', datatype: DataType.Float, alias: 1n, engUnit: 'celsius' });
    assert.equal(catalog.resolve({ name: 'Mode' })?.datatype, DataType.String);
    assert.equal(catalog.resolve({ alias: 2n }), undefined);
    assert.equal(catalog.resolve({ name: 't' }), undefined, 'names are case-sensitive');
  });

  it('[tck-id-payloads-alias-uniqueness][tck-id-payloads-metric-datatype-req] refuses duplicate aliases (also against the rest of the node), unnamed and untyped metrics', () => {
    const dup = MetricCatalog.fromBirth([
      { name: 'A', alias: 3n, datatype: DataType.Int32 },
      { name: 'B', alias: 3n, datatype: DataType.Int32 },
    ]);
    assert.ok(isBirthProblem(dup) && dup.reason === 'duplicate_alias' && /"A" and "B"/.test(dup.detail));
    const elsewhere = MetricCatalog.fromBirth([{ name: 'C', alias: 9n, datatype: DataType.Int32 }], (alias) => (alias === 9n ? 'node: X' : undefined));
    assert.ok(isBirthProblem(elsewhere) && elsewhere.reason === 'duplicate_alias');
    const unnamed = MetricCatalog.fromBirth([{ alias: 1n, datatype: DataType.Int32 }]);
    assert.ok(isBirthProblem(unnamed) && unnamed.reason === 'unnamed_metric');
    const untyped = MetricCatalog.fromBirth([{ name: 'D', value: 1 }]);
    assert.ok(isBirthProblem(untyped) && untyped.reason === 'untyped_metric');
  });
});

describe('toWriteValue', () => {
  it('[tck-id-operational-behavior-data-commands-dcmd-metric-value] types JSON values as the BIRTH datatype, range-checked', () => {
    assert.equal(toWriteValue('m', DataType.Int8, -128), -128);
    assert.equal(toWriteValue('m', DataType.UInt32, 4_294_967_295), 4_294_967_295);
    assert.equal(toWriteValue('m', DataType.Int64, -5), -5n);
    assert.equal(toWriteValue('m', DataType.UInt64, '18446744073709551615'), 2n ** 64n - 1n);
    assert.equal(toWriteValue('m', DataType.Float, 0.1), Math.fround(0.1));
    assert.equal(toWriteValue('m', DataType.Double, 0.1), 0.1);
    assert.equal(toWriteValue('m', DataType.Boolean, false), false);
    assert.equal(toWriteValue('m', DataType.Text, 'x'), 'x');
    assert.equal(toWriteValue('m', DataType.DateTime, '2026-01-01T00:00:00Z'), Date.parse('2026-01-01T00:00:00Z'));
  });

  it('refuses values that do not fit (kind value) and datatypes the hub cannot write (kind unsupported), naming the metric', () => {
    const refuses = (datatype: number, value: unknown, kind: 'value' | 'unsupported'): void =>
      assert.throws(() => toWriteValue('Out/1', datatype, value), (e: unknown) => e instanceof MetricWriteError && e.kind === kind && e.message.includes('"Out/1"'));
    refuses(DataType.Int8, 128, 'value');
    refuses(DataType.UInt8, -1, 'value');
    refuses(DataType.Int32, 1.5, 'value');
    refuses(DataType.UInt64, '-1', 'value');
    refuses(DataType.UInt64, 2 ** 60, 'value');
    refuses(DataType.Boolean, 'true', 'value');
    refuses(DataType.String, 1, 'value');
    refuses(DataType.DataSet, 1, 'unsupported');
    refuses(DataType.Int32Array, [1], 'unsupported');
  });
});

describe('metricToPoint', () => {
  const definition = { name: 'Offset', datatype: DataType.Int8, alias: 4n } as const;

  it('re-types an untyped DATA value with the BIRTH datatype and takes the payload time when the metric has none', () => {
    const outcome = metricToPoint('dev', { alias: 4n, value: 0xffff_fffb }, definition, 1234);
    assert.ok('point' in outcome);
    assert.deepEqual(outcome.point, { deviceId: 'dev', measurement: 'Offset', ts: 1234, value: -5 });
  });

  it('maps the Quality property and keeps is_historical; skips nulls, transient metrics and datatype mismatches', () => {
    const bad = metricToPoint('dev', { alias: 4n, value: 1, timestamp: 5, isHistorical: true, properties: { Quality: { type: DataType.Int32, value: 0 } } }, definition, 0);
    assert.ok('point' in bad);
    assert.deepEqual(bad.point, { deviceId: 'dev', measurement: 'Offset', ts: 5, value: 1, quality: 'bad', historical: true });
    assert.deepEqual(metricToPoint('dev', { alias: 4n, isNull: true }, definition, 0), { skipped: 'null' });
    assert.deepEqual(metricToPoint('dev', { alias: 4n, value: 1, isTransient: true }, definition, 0), { skipped: 'transient' });
    const mismatch = metricToPoint('dev', { alias: 4n, datatype: DataType.Int32, value: 1 }, definition, 0);
    assert.ok('skipped' in mismatch && mismatch.skipped === 'datatype_mismatch');
  });
});

describe('HostStateMessages', () => {
  it('[tck-id-host-topic-phid-death-payload][tck-id-host-topic-phid-birth-payload] birth and will share the CONNECT timestamp', () => {
    const state = new HostStateMessages('scada-1', 1_700_000_000_000);
    assert.equal(state.topic, 'spBv1.0/STATE/scada-1');
    assert.equal(state.online(), '{"online":true,"timestamp":1700000000000}');
    assert.deepEqual(state.will(), { topic: 'spBv1.0/STATE/scada-1', payload: '{"online":false,"timestamp":1700000000000}', qos: 1, retain: true });
    assert.deepEqual(parseStatePayload(Buffer.from(state.offline())), { online: false, timestamp: 1_700_000_000_000 });
    assert.equal(parseStatePayload(Buffer.from('OFFLINE')), undefined, 'a Sparkplug 2.2 STATE is not a 3.0 STATE');
    assert.throws(() => new HostStateMessages('a/b', 1), /host id is invalid/);
  });
});
