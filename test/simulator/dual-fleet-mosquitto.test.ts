/**
 * A mixed fleet against the test machine's Mosquitto (MQTT 5): each dual device carries Sparkplug B and LwM2M on
 * ONE connection, seen by a TCP tap that reads the client id and every PUBLISH topic of each connection.
 * Mosquitto is part of the test machine: if it is missing this fails, it never skips.
 */
import assert from 'node:assert/strict';
import { connectAsync, type MqttClient } from 'mqtt';
import { after, before, describe, it } from 'node:test';
import { deviceIdFor } from '../../src/core/device-id.ts';
import { Fleet } from '../../src/simulator/index.ts';
import { eventually } from '../support/eventually.ts';
import { MOSQUITTO_URL, uniqueSuffix } from '../support/services.ts';
import { MqttTap } from './dual-mqtt-tap.ts';

describe(`mixed fleet on one connection per device (Mosquitto at ${MOSQUITTO_URL})`, () => {
  const suffix = uniqueSuffix();
  const hostId = `llm-iot-test-${suffix}`;
  const groupId = `G${suffix}`;
  const idPrefix = `mq${suffix}`;
  const seen: string[] = [];
  let host: MqttClient;
  let tap: MqttTap;

  before(async () => {
    tap = await MqttTap.start(MOSQUITTO_URL);
    host = await connectAsync(MOSQUITTO_URL, { clientId: `host-${suffix}`, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 3000 });
    host.on('message', (topic, payload) => {
      if (!topic.includes(idPrefix)) return;
      seen.push(topic);
      // The native devices need their register and discover answered (docs/protocol.md).
      if (!topic.startsWith('llmiot/v1/')) return;
      const message = JSON.parse(payload.toString('utf8')) as { id?: unknown; method?: string; params?: { hardware_id?: string } };
      if (message.id === undefined || message.method === undefined) return;
      const hardwareId = message.params?.hardware_id ?? '';
      const result = message.method === 'device.register' ? { device_id: deviceIdFor(hardwareId), hardware_id: hardwareId, created: true } : { sensor_id: deviceIdFor(hardwareId), hardware_id: hardwareId, created: true };
      void host.publishAsync(topic.replace(/\/up$/, '/down'), JSON.stringify({ jsonrpc: '2.0', id: message.id, result }), { qos: 1 });
    });
    await host.subscribeAsync([`spBv1.0/${groupId}/#`, 'lwm2m/#', 'llmiot/v1/+/up'], { qos: 1 });
    await host.publishAsync(`spBv1.0/STATE/${hostId}`, JSON.stringify({ online: true, timestamp: Date.now() }), { qos: 1, retain: true });
  });
  after(async () => {
    await host?.publishAsync(`spBv1.0/STATE/${hostId}`, '', { qos: 1, retain: true });
    await host?.endAsync();
    await tap?.close();
  });

  it('dual devices send NBIRTH/DBIRTH/DDATA and LwM2M reg/update over the same single connection', async () => {
    const fleet = new Fleet({
      count: 4,
      protocol: 'mixed',
      idPrefix,
      url: tap.url,
      connectOptions: { protocolVersion: 5 },
      telemetryIntervalMs: 100,
      heartbeatIntervalMs: 2000,
      lwm2mIntervalMs: 200,
      groupId,
      hostId,
    });
    const has = (id: string, fragment: string): boolean => seen.some((t) => t.includes(fragment) && t.includes(id));
    try {
      await fleet.start();
      await eventually(
        () =>
          fleet.dualDevices.every((d) => has(d.hardwareId, `/DDATA/${d.hardwareId}/`) && has(d.hardwareId, `lwm2m/${d.hardwareId}/update`)) &&
          fleet.mcus.every((m) => has(m.hardwareId, `llmiot/v1/${m.hardwareId}/up`)),
        8000,
        'DDATA, LwM2M updates and native telemetry from every device',
      );
    } finally {
      await fleet.stop();
    }
    assert.equal(fleet.dualDevices.length, 2);
    for (const device of fleet.dualDevices) {
      const id = device.hardwareId;
      const connections = tap.byClient(id);
      assert.equal(connections.length, 1, `one connection for ${id}`);
      const topics = connections[0]?.topics ?? [];
      for (const expected of [`spBv1.0/${groupId}/NBIRTH/${id}`, `spBv1.0/${groupId}/DBIRTH/${id}/i2c:0x47`, `lwm2m/${id}/reg`, `lwm2m/${id}/update`, `spBv1.0/${groupId}/NDEATH/${id}`, `lwm2m/${id}/dereg`]) {
        assert.ok(topics.includes(expected), `${expected} on the connection of ${id}`);
      }
      assert.ok(topics.some((t) => t.startsWith(`spBv1.0/${groupId}/DDATA/${id}/`)));
      assert.ok(topics.indexOf(`lwm2m/${id}/reg`) < topics.indexOf(`lwm2m/${id}/update`));
    }
    for (const mcu of fleet.mcus) {
      const connections = tap.byClient(mcu.hardwareId);
      assert.equal(connections.length, 1);
      assert.ok(connections[0]?.topics.every((t) => t === `llmiot/v1/${mcu.hardwareId}/up`));
    }
    const summary = fleet.summary();
    for (const protocol of ['native', 'sparkplug', 'lwm2m'] as const) {
      const totals = summary.perProtocol[protocol];
      assert.ok(totals !== undefined && totals.devices === 2 && totals.acknowledged > 0, `${protocol}: ${JSON.stringify(totals)}`);
    }
    const perConnection = tap.connections.filter((c) => c.clientId?.startsWith(idPrefix) === true);
    assert.equal(perConnection.length, 4, 'four devices, four connections');
    assert.equal(summary.totals.sent, perConnection.reduce((n, c) => n + c.topics.length, 0), 'every counted message went over those connections');
  });
});
