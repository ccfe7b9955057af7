/**
 * Subscribed before listening (docs/durability.md): the hub opens its MQTT port only once every
 * protocol has subscribed, so the first message of a device that connects the moment the port opens
 * is taken, never acknowledged by a broker with nobody there to handle it. Each device below keeps
 * trying to connect while the hub starts, with its first message waiting in its client to go out right
 * after CONNACK, at QoS 1: a native device.register, a LwM2M Register and a Sparkplug NBIRTH. None is
 * sent again, so each must be handled the first time.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { DataType, encodePayload } from '../../src/protocols/sparkplug/codec/index.ts';
import { eventually } from '../support/eventually.ts';
import { uniqueSuffix } from '../support/services.ts';
import { CrashHub } from './crash-fixture.ts';

const suffix = uniqueSuffix();
const clients: MqttClient[] = [];
after(() => Promise.all(clients.map((client) => client.endAsync(true))));

/** A device that retries every 20 ms until the port opens; `publish` waits in its client until CONNACK. */
function earlyDevice(url: string, clientId: string): MqttClient {
  const client = mqtt.connect(url, { clientId, protocolVersion: 4, clean: true, reconnectPeriod: 20, connectTimeout: 5000 });
  client.on('error', () => {}); // refused until the hub listens
  clients.push(client);
  return client;
}

/** Resolves on the PUBACK of a QoS 1 message published now (before the client is connected). */
function publishFirst(client: MqttClient, topic: string, payload: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => client.publish(topic, payload, { qos: 1 }, (error) => (error ? reject(error) : resolve())));
}

describe('the first message after the MQTT port opens', () => {
  it('is handled for native, LwM2M and Sparkplug devices that connect while the hub starts', async () => {
    const hub = new CrashHub();
    try {
      await hub.choosePorts();
      const native = `first-native-${suffix}`;
      const endpoint = `first-lw-${suffix}`;
      const [group, edge] = [`first-${suffix}`, `first-edge-${suffix}`];
      const register = { jsonrpc: '2.0', id: 'r', method: 'device.register', params: { device_type: 'mcu', static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3' } } };
      const registration = { endpoint, version: '1.2', lifetime: 300, objects: { '3': { '0': { '0': 'Acme', '1': 'First' } } } };
      const nbirth = encodePayload({
        timestamp: Date.now(),
        seq: 0n,
        metrics: [
          { name: 'bdSeq', datatype: DataType.Int64, value: 0n },
          { name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: false },
          { name: 'Properties/Hardware Make', datatype: DataType.String, value: 'Raspberry Pi' },
        ],
      });
      const acknowledged = [
        publishFirst(earlyDevice(hub.mqttUrl, native), `llmiot/v1/${native}/up`, JSON.stringify(register)),
        publishFirst(earlyDevice(hub.mqttUrl, endpoint), `lwm2m/${endpoint}/reg`, JSON.stringify(registration)),
        publishFirst(earlyDevice(hub.mqttUrl, `edge-${edge}`), `spBv1.0/${group}/NBIRTH/${edge}`, Buffer.from(nbirth)),
      ];
      await hub.start();
      await Promise.all(acknowledged);
      for (const hardwareId of [native, endpoint, edge]) {
        const device = await eventually(async () => (await hub.rpc('device.get', { device_id: hardwareId })).result, 10_000, `${hardwareId} registered by its first message`);
        assert.equal(device.hardware_id, hardwareId);
      }
    } finally {
      await hub.close();
    }
  });
});
