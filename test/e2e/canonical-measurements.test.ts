/**
 * One quantity, one name: a native, an LwM2M and a Sparkplug device report temperature (`celsius`,
 * IPSO 3303 in `Cel`, `Sensors/temperature` with engUnit `Cel`), another native device in °F and one
 * in mV. data.query sees one `temperature`, converts °F before combining, and never merges the mV.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceIdFor } from '../../src/core/device-id.ts';
import { DataType } from '../../src/protocols/sparkplug/codec/index.ts';
import { SEED_DEVICE_REGISTER } from '../fixtures/seed-examples.ts';
import { ScriptedDevice } from '../lwm2m/adapter/scripted-device.ts';
import { edgeNode, startSparkplugHub } from '../sparkplug/host/host-fixtures.ts';
import type { TestEdgeNode } from '../sparkplug/host/edge-node.ts';
import { uniqueSuffix } from '../support/services.ts';
import { DeviceLink, eventually, type TestHub } from '../support/test-hub.ts';
import type { WireSeries } from '../support/wire-series.ts';


describe('canonical measurements across protocols', () => {
  let t: TestHub;
  let node: TestEdgeNode;
  const suffix = uniqueSuffix();
  const ids = { celsius: `native-c-${suffix}`, fahrenheit: `native-f-${suffix}`, millivolt: `native-mv-${suffix}`, lwm2m: `lwm2m-${suffix}` };
  let sparkplugId = '';
  const lwm2mSensor = deviceIdFor(`${ids.lwm2m}/lwm2m:3303/0`);

  async function nativeReport(clientId: string, value: number, unit: string): Promise<void> {
    const link = await DeviceLink.open(await t.device(clientId), clientId);
    const registered = await link.request(SEED_DEVICE_REGISTER.method, SEED_DEVICE_REGISTER.params);
    assert.equal(registered.error, undefined, JSON.stringify(registered.error));
    link.notify('telemetry.report', { readings: [{ measurement_type: 'temperature', value, unit, timestamp: new Date(Date.now() - 60_000).toISOString() }] });
  }

  before(async () => {
    t = await startSparkplugHub();
    await nativeReport(ids.celsius, 20, 'celsius');
    await nativeReport(ids.fahrenheit, 77, 'fahrenheit');
    await nativeReport(ids.millivolt, 512, 'mV');
    const lwm2m = await ScriptedDevice.connect(t, ids.lwm2m);
    lwm2m.publish(
      'reg',
      JSON.stringify({ endpoint: ids.lwm2m, lifetime: 3600, version: '1.2', bindingMode: 'U', objects: { '3303': { '0': { '5700': 22, '5701': 'Cel' } } } }),
    );
    node = await edgeNode(t, 'units');
    await node.nbirth([{ name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: false }]);
    await node.dbirth('probe', [
      { name: 'Sensors/temperature', alias: 1n, datatype: DataType.Double, value: 24, properties: { engUnit: { type: DataType.String, value: 'Cel' } } },
    ]);
    sparkplugId = deviceIdFor(`${node.edgeNodeId}/probe`);
    await eventually(async () => {
      const r = await t.rpc('data.query', { measurement_types: ['temperature'], time_range: { last: '1h' } });
      return r.result?.series?.length === 5 ? r : undefined;
    }, 10_000, 'five temperature series');
  });
  after(async () => {
    await node.close();
    await t.close();
  });

  it('stores one name per quantity, in UCUM units, with what each device reported beside it', async () => {
    const r = await t.rpc('data.query', { measurement_types: ['temperature'], time_range: { last: '1h' } });
    const byDevice = new Map((r.result.series as WireSeries[]).map((s) => [s.device_id, s]));
    const brief = (id: string) => {
      const s = byDevice.get(id);
      return [s?.measurement_type, s?.unit, s?.source_measurement, s?.source_unit, s?.points[0]?.value];
    };
    assert.deepEqual(brief(deviceIdFor(ids.celsius)), ['temperature', 'Cel', 'temperature', 'celsius', 20]);
    assert.deepEqual(brief(deviceIdFor(ids.fahrenheit)), ['temperature', '[degF]', 'temperature', 'fahrenheit', 77]);
    assert.deepEqual(brief(lwm2mSensor), ['temperature', 'Cel', 'temperature', 'Cel', 22]);
    assert.deepEqual(brief(sparkplugId), ['temperature', 'Cel', 'Sensors/temperature', 'Cel', 24]);
    // The Sparkplug name finds the same series.
    const byOldName = await t.rpc('data.query', { device_ids: [sparkplugId], measurement_types: ['Sensors/temperature'], time_range: { last: '1h' } });
    assert.equal(byOldName.result.series[0].measurement_type, 'temperature');
    // Filters compare canonical names: the Sparkplug device declares `Sensors/temperature`.
    const listed = await t.rpc('device.list', { measurement_type: 'temperature', include_schema: false });
    assert.ok(listed.result.devices.some((d: { device_id: string }) => d.device_id === sparkplugId), JSON.stringify(listed.result));
    const latest = await t.rpc('data.latest', { device_ids: [sparkplugId] });
    assert.deepEqual(
      latest.result.readings.map((x: Record<string, unknown>) => [x['measurement_type'], x['unit'], x['source_measurement'], x['source_unit']]),
      [['temperature', 'Cel', 'Sensors/temperature', 'Cel']],
    );
  });

  it('group_by measurement gives one temperature series in Cel, °F converted first, mV reported and left apart', async () => {
    const r = await t.rpc('data.query', { measurement_types: ['temperature'], group_by: 'measurement', aggregation: 'avg', time_range: { last: '1h' } });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    const series = r.result.series as WireSeries[];
    const celsius = series.find((s) => s.unit === 'Cel');
    assert.ok(celsius, JSON.stringify(series));
    assert.equal(celsius.measurement_type, 'temperature');
    assert.equal(celsius.points.length, 1);
    // (20 + 25 [77 °F] + 22 + 24) / 4
    assert.equal(celsius.points[0]?.value, 22.75);
    assert.equal(celsius.points[0]?.count, 4);
    const millivolts = series.find((s) => s.unit === 'mV');
    assert.equal(millivolts?.points[0]?.value, 512, 'an incompatible unit is its own series, never averaged in');
    assert.deepEqual(r.result.incompatible.map((x: { measurement_type: string; units: string[] }) => [x.measurement_type, [...x.units].sort()]), [
      ['temperature', ['Cel', 'mV']],
    ]);
  });

  it('converts to a requested unit and reports the series that do not convert', async () => {
    const r = await t.rpc('data.query', { measurement_types: ['temperature'], unit: 'fahrenheit', group_by: 'measurement', aggregation: 'max', time_range: { last: '1h' } });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.deepEqual(
      r.result.series.map((s: WireSeries) => [s.measurement_type, s.unit, s.points[0]?.value]),
      [['temperature', '[degF]', 77]],
    );
    assert.deepEqual(r.result.incompatible.map((x: { device_id: string; units: string[] }) => [x.device_id, x.units]), [[deviceIdFor(ids.millivolt), ['mV']]]);
    const bad = await t.rpc('data.query', { measurement_types: ['temperature'], unit: 'furlongs' });
    assert.equal(bad.error?.code, -32602);
    assert.match(bad.error.message, /furlongs/);
  });
});
