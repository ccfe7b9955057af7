// Seed 002 as written: DBIRTH / DDATA on `spBv1.0/IIoT/{type}/device-temp-001` (no device level) are the
// edge node's own device, counted, and the node is online in the seed's dashboard gauge.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { DataType, encodePayload } from '../../../src/protocols/sparkplug/codec/index.ts';
import { eventually, type TestHub } from '../../support/test-hub.ts';
import { counterValue, rejected, startSparkplugHub } from './host-fixtures.ts';

// The seed's README: "Binary protobuf payload containing: timestamp, seq, metrics[] — Sensors/Temperature: 23.5°C,
// Battery/Level: 85%, Device/Uptime: 3600s".
const METRICS = [
  { name: 'Sensors/Temperature', datatype: DataType.Float, value: 23.5, properties: { engUnit: { type: DataType.String, value: '°C' } } },
  { name: 'Battery/Level', datatype: DataType.Float, value: 85, properties: { engUnit: { type: DataType.String, value: '%' } } },
  { name: 'Device/Uptime', datatype: DataType.Int64, value: 3600n, properties: { engUnit: { type: DataType.String, value: 's' } } },
];

describe('Sparkplug: seed 002 topics without a device level', () => {
  let t: TestHub;
  let client: MqttClient;

  before(async () => {
    // The embedded broker of this hub: the seed's fixed ids cannot collide with other tests.
    t = await startSparkplugHub();
    client = await t.device('device-temp-001');
  });
  after(async () => {
    await t.close();
  });

  it('DBIRTH and DDATA on spBv1.0/IIoT/{type}/device-temp-001 make the node and its own device online', async () => {
    const now = Date.now();
    await client.publishAsync('spBv1.0/IIoT/DBIRTH/device-temp-001', Buffer.from(encodePayload({ timestamp: now, seq: 0n, metrics: METRICS })), { qos: 0 });
    await client.publishAsync(
      'spBv1.0/IIoT/DDATA/device-temp-001',
      Buffer.from(encodePayload({ timestamp: now + 1000, seq: 1n, metrics: [{ name: 'Sensors/Temperature', datatype: DataType.Float, value: 23.75, timestamp: now + 1000 }] })),
      { qos: 0 },
    );
    const device = 'device-temp-001/device-temp-001';
    const read = await eventually(async () => {
      const r = await t.rpc('sensor.read', { sensor_id: device, measurement_types: ['Sensors/Temperature'] });
      return r.result?.readings?.[0]?.value === 23.75 ? r.result : undefined;
    }, 5000, 'DDATA value current');
    // One unit spelling per quantity (docs/measurements.md); the seed's spelling is kept beside it.
    assert.equal(read.readings[0].unit, 'Cel');
    assert.equal(read.readings[0].source_unit, '°C');
    const node = (await t.rpc('device.get', { device_id: 'device-temp-001' })).result;
    assert.equal(node.status, 'online');
    assert.equal(node.device_type, 'mcu');
    const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
    assert.match(metrics, /^sparkplug_devices_online 1$/m);
    assert.equal(await counterValue(t.hub, 'llmiot_sparkplug_nodeless_device_messages_total', { type: 'DBIRTH' }), 1);
    assert.equal(await counterValue(t.hub, 'llmiot_sparkplug_nodeless_device_messages_total', { type: 'DDATA' }), 1);
    assert.equal(await rejected(t.hub, 'bad_topic'), 0);
  });
});
