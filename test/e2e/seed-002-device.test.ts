/**
 * Seed 002 (shared/seeds/002_139d5ad678545706.txt) run as written, on ONE MQTT connection: the seed's
 * device registers over LwM2M on `lwm2m/device-temp-001/reg` and births on
 * `spBv1.0/IIoT/DBIRTH/device-temp-001` (no device level). It is one registry entry speaking both, its
 * Sparkplug temperature is stored under the one name and unit of the vocabulary, and the seed's
 * dashboard gauges read 1 and 1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { DataType, encodePayload } from '../../src/protocols/sparkplug/codec/index.ts';
import { metricValue, SEED_REGISTRATION } from '../lwm2m/adapter/scripted-device.ts';
import { eventually, startTestHub, type TestHub } from '../support/test-hub.ts';

describe('seed 002 device, as written, on one connection', () => {
  let t: TestHub;
  let device: MqttClient;

  before(async () => {
    // The hub's own embedded broker: the seed's fixed ids cannot collide with other tests.
    t = await startTestHub();
    device = await t.device('device-temp-001');
    await device.subscribeAsync('lwm2m/device-temp-001/dn/#', { qos: 1 });
    const acked = new Promise<void>((resolve) => device.on('message', (topic) => topic.startsWith('lwm2m/device-temp-001/dn') && resolve()));
    await device.publishAsync('lwm2m/device-temp-001/reg', SEED_REGISTRATION, { qos: 1 });
    await acked;
    const now = Date.now();
    const metrics = [{ name: 'Sensors/Temperature', datatype: DataType.Float, value: 23.5, properties: { engUnit: { type: DataType.String, value: '°C' } } }];
    await device.publishAsync('spBv1.0/IIoT/DBIRTH/device-temp-001', Buffer.from(encodePayload({ timestamp: now, seq: 0n, metrics })), { qos: 0 });
    await device.publishAsync(
      'spBv1.0/IIoT/DDATA/device-temp-001',
      Buffer.from(encodePayload({ timestamp: now + 1, seq: 1n, metrics: [{ name: 'Sensors/Temperature', datatype: DataType.Float, value: 24.5, timestamp: now + 1 }] })),
      { qos: 0 },
    );
  });
  after(async () => t.close());

  it('reads 1 and 1 on the seed dashboard gauges', async () => {
    await eventually(async () => ((await metricValue(t, 'sparkplug_devices_online', '')) === 1 ? true : undefined), 10_000, 'sparkplug_devices_online 1');
    assert.equal(await metricValue(t, 'lwm2m_active_devices', ''), 1);
  });

  it('is one MCU speaking LwM2M and Sparkplug', async () => {
    const mcus = (await t.rpc('device.list', { type: 'mcu' })).result.devices as { hardware_id: string; protocols: string[]; static_schema?: { manufacturer?: string } }[];
    assert.deepEqual(mcus.map((d) => d.hardware_id), ['device-temp-001']);
    assert.deepEqual([...(mcus[0]?.protocols ?? [])].sort(), ['lwm2m', 'sparkplug']);
  });

  it('stores its Sparkplug temperature as temperature in Cel, the seed spelling kept beside it', async () => {
    const latest = await eventually(async () => {
      const r = await t.rpc('data.latest', { device_ids: ['device-temp-001/device-temp-001'], measurement_types: ['temperature'] });
      return r.result?.readings?.[0]?.value === 24.5 ? r.result.readings[0] : undefined;
    }, 10_000, 'DDATA stored');
    assert.equal(latest.measurement_type, 'temperature');
    assert.equal(latest.unit, 'Cel');
    assert.equal(latest.source_unit, '°C');
  });
});
