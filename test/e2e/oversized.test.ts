/** Oversized device messages: refused and counted, on the embedded broker and on Mosquitto; others keep working. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MOSQUITTO_URL, uniqueSuffix } from '../support/services.ts';
import { DeviceLink, eventually, startTestHub } from '../support/test-hub.ts';

const big = (bytes: number): string => JSON.stringify({ jsonrpc: '2.0', method: 'device.heartbeat', params: { dynamic_state: { last_error: 'x'.repeat(bytes) } } });

describe('oversized device messages', () => {
  it('embedded broker: refuses the PUBLISH, disconnects the sender, counts it, and serves the others', async () => {
    const t = await startTestHub({ maxMessageBytes: 4096 });
    try {
      const bad = await t.device('too-big');
      const good = await DeviceLink.open(await t.device('well-behaved'), 'well-behaved');
      const closed = new Promise<void>((resolve) => bad.once('close', () => resolve()));
      bad.publish('llmiot/v1/too-big/up', big(10_000), { qos: 1 });
      await closed;
      const reg = await good.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3' } });
      assert.equal(reg.result.hardware_id, 'well-behaved');
      const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
      assert.match(metrics, /llmiot_messages_rejected_total\{protocol="mqtt",reason="payload-too-large"\} 1/);
    } finally {
      await t.close();
    }
  });

  it(`external broker (${MOSQUITTO_URL}): answers -32006 on the device's down topic and counts it`, async () => {
    const t = await startTestHub({ mqttUrl: MOSQUITTO_URL, maxMessageBytes: 4096 });
    try {
      const id = `too-big-${uniqueSuffix()}`;
      const link = await DeviceLink.open(await t.device(id), id);
      link.send(big(10_000));
      const answer = await eventually(() => link.notifications.find((n) => n.error?.code === -32006));
      assert.equal(answer.id, null);
      assert.match(answer.error.message, /message too large: \d+ bytes, limit 4096/);
      const reg = await link.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3' } });
      assert.equal(reg.result.hardware_id, id);
      const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
      assert.match(metrics, /llmiot_messages_rejected_total\{protocol="native",reason="oversized"\} 1/);
    } finally {
      await t.close();
    }
  });
});
