/**
 * The whole LwM2M flow, run on the embedded broker and on the real Mosquitto: register with IPSO
 * sensors → read → observe and notifications into data.query → mcu.reboot → update → disconnect
 * mid-command → oversized message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HubConfig } from '../../../src/config/options.ts';
import { deviceIdFor } from '../../../src/core/device-id.ts';
import { uniqueSuffix } from '../../support/services.ts';
import { eventually, startTestHub, type TestHub } from '../../support/test-hub.ts';
import { coded, content, metricValue, ScriptedDevice } from './scripted-device.ts';

export function describeLwm2mFlow(name: string, config: () => Partial<HubConfig>): void {
  describe(`LwM2M device flow (${name})`, () => {
    let t: TestHub;
    let device: ScriptedDevice;
    const endpoint = `lwm2m-flow-${uniqueSuffix()}`;
    const sensorId = deviceIdFor(`${endpoint}/lwm2m:3303/0`);
    const hour = Date.now() - (Date.now() % 3_600_000);

    before(async () => {
      t = await startTestHub({ maxMessageBytes: 8192, commandTimeout: 5000, ...config() });
      // An external broker reports a dropped device through its will: De-register.
      device = await ScriptedDevice.connect(t, endpoint, { will: { topic: `lwm2m/${endpoint}/dereg`, payload: Buffer.from(''), qos: 1, retain: false } });
    });
    after(async () => t.close());

    it('registers the device and its IPSO temperature sensor', async () => {
      const ack = await device.register({
        endpoint,
        lifetime: 120,
        version: '1.2',
        bindingMode: 'M',
        objects: { '3': { '0': { '0': 'IoT Testing Corp', '1': 'SimDevice-temperature_sensor' } }, '3303': { '0': { '5700': 19.5, '5701': 'Cel' } } },
      });
      assert.deepEqual(ack.data, { code: '2.01', codeMsg: 'created', location: `/rd/${endpoint}` });
      const got = await t.rpc('device.get', { device_id: endpoint });
      assert.equal(got.result.manufacturer, 'IoT Testing Corp');
      assert.deepEqual(got.result.attached, [sensorId]);
    });

    it('reads a resource with typed content', async () => {
      device.script = (request) => content([{ path: request.data.path, value: '20.25' }]);
      const answer = await t.rpc('lwm2m.read', { device_id: sensorId, path: '/3303/0/5700' });
      assert.equal(answer.error, undefined, JSON.stringify(answer.error));
      assert.equal(answer.result.value, 20.25);
    });

    it('stores observation notifications and answers data.query with an average', async () => {
      device.script = () => content([{ path: '/3303/0/5700', value: 20 }]);
      const observed = await t.rpc('lwm2m.observe', { device_id: endpoint, path: '/3303/0/5700' });
      assert.equal(observed.error, undefined, JSON.stringify(observed.error));
      const observe = device.requests('observe').at(-1);
      assert.ok(observe);
      for (const [i, value] of [21, 22, 23].entries()) device.notify(observe, [{ path: '/3303/0/5700', value }], i + 2);
      const point = await eventually(async () => {
        const r = await t.rpc('data.query', {
          device_ids: [sensorId],
          measurement_types: ['temperature'],
          time_range: { start: new Date(hour).toISOString(), end: new Date(hour + 3_600_000 * 2).toISOString() },
          aggregation: 'count',
        });
        return r.result?.series?.[0]?.points?.[0]?.value >= 6 ? r.result.series[0] : undefined;
      }, 5000, 'six stored readings: registration, read, observe, three notifications');
      assert.equal(point.unit, 'Cel');
      const avg = await t.rpc('data.query', { device_ids: [sensorId], measurement_types: ['temperature'], aggregation: 'avg' });
      assert.equal(avg.result.series[0].points[0].value, (19.5 + 20.25 + 20 + 21 + 22 + 23) / 6);
    });

    it('reboots through Execute /3/0/4 and keeps the registration alive with Update', async () => {
      device.script = () => coded('2.04', 'changed');
      const answer = await t.rpc('mcu.reboot', { mcu_id: endpoint });
      assert.equal(answer.error, undefined, JSON.stringify(answer.error));
      assert.deepEqual(device.requests('execute').at(-1)?.data, { path: '/3/0/4' });
      assert.equal((await device.send('update', { lifetime: 120 })).data.code, '2.04');
    });

    it('fails a command when the device drops its connection, and takes the device offline', async () => {
      device.script = undefined;
      const pending = t.rpc('lwm2m.read', { device_id: endpoint, path: '/3/0/1', timeout_ms: 20_000 });
      await eventually(() => device.requests('read').some((r) => r.data.path === '/3/0/1'), 5000, 'read delivered');
      device.client.stream.destroy();
      const answer = await pending;
      assert.equal(answer.error?.code, -32009, JSON.stringify(answer.error));
      await eventually(async () => (await t.rpc('device.get', { device_id: endpoint })).result.status === 'offline', 5000, 'offline');
      assert.equal((await t.rpc('device.get', { device_id: sensorId })).result.status, 'offline');
    });
    it('refuses an oversized message: the adapter answers 4.00 (external broker) or the broker closes the client (embedded)', async () => {
      device = await ScriptedDevice.connect(t, endpoint);
      assert.equal((await device.register({ endpoint, lifetime: 120, version: '1.2', objects: { '3': { '0': { '0': 'IoT Testing Corp' } } } })).data.code, '2.01');
      const big = JSON.stringify({ lifetime: 120, pad: 'x'.repeat(9000) });
      if (t.hub.bus.kind === 'external') {
        device.publish('update', big);
        const ack = await eventually(() => device.acks('update')[0], 5000, 'oversized ack');
        assert.equal(ack.data.code, '4.00');
        assert.match(ack.data.reason, /message too large: \d+ bytes, limit 8192/);
        assert.equal(await metricValue(t, 'llmiot_messages_rejected_total', 'protocol="lwm2m",reason="oversized"'), 1);
        assert.equal((await t.rpc('device.get', { device_id: endpoint })).result.status, 'online');
      } else {
        // The embedded broker enforces maxMessageBytes itself (MQTT 3.1.1 has no negative PUBACK: it closes the client).
        device.publish('update', big);
        await eventually(async () => (await metricValue(t, 'llmiot_messages_rejected_total', 'protocol="mqtt",reason="payload-too-large"')) === 1, 5000, 'broker refusal counted');
        await eventually(async () => (await t.rpc('device.get', { device_id: endpoint })).result.status === 'offline', 5000, 'offline');
      }
    });
  });
}
