/**
 * Acknowledged means stored, per protocol (docs/durability.md): a device's QoS 1 message that carries
 * telemetry gets its PUBACK only once its points are committed. The hub's telemetry flush is set far
 * out, so nothing commits until the test flushes the pipeline: a PUBACK before that would be a PUBACK
 * for points that a crash would lose. Native telemetry, LwM2M notifications, Sparkplug DATA at QoS 1
 * (a Sparkplug edge node should send QoS 0, but one that asks for an acknowledgement gets a true one).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { deviceIdFor } from '../../src/core/device-id.ts';
import { DataType, encodePayload } from '../../src/protocols/sparkplug/codec/index.ts';
import { content, ScriptedDevice } from '../lwm2m/adapter/scripted-device.ts';
import { uniqueSuffix } from '../support/services.ts';
import { eventually, startTestHub, type TestHub } from '../support/test-hub.ts';
import { TestEdgeNode, sparkplugIds } from '../sparkplug/host/edge-node.ts';
import { NODE_METRICS } from '../sparkplug/host/host-fixtures.ts';

const suffix = uniqueSuffix();
const HOUR = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const RANGE = { start: new Date(HOUR - 3_600_000).toISOString(), end: new Date(HOUR + 7_200_000).toISOString() };

/** Publish at QoS 1 and report when the PUBACK arrives. */
function publishTracked(client: MqttClient, topic: string, payload: string | Buffer): { readonly acked: () => boolean; readonly done: Promise<void> } {
  let acked = false;
  const done = client.publishAsync(topic, payload, { qos: 1 }).then(() => void (acked = true));
  return { acked: () => acked, done };
}

describe('QoS 1 telemetry is acknowledged after its commit', () => {
  let t: TestHub;
  before(async () => {
    // Commits happen when the test flushes (or 5,000 points pile up, far more than sent here).
    t = await startTestHub({ telemetryFlushMs: 600_000, sparkplugHostId: `llmiot-ack-${suffix}`, sparkplugReorderTimeoutMs: 60_000 });
  });
  after(async () => t?.close());

  /** The hub has taken the message in (counted) and every turn that could have acknowledged it passed. */
  async function handled(check: () => Promise<boolean>, what: string): Promise<void> {
    await eventually(check, 5000, what);
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  }

  async function stored(deviceId: string, measurement: string): Promise<unknown[]> {
    const r = await t.rpc('data.query', { device_ids: [deviceId], measurement_types: [measurement], time_range: RANGE });
    return (r.result?.series?.[0]?.points ?? []).map((p: { value: unknown }) => p.value);
  }

  it('native telemetry.report', async () => {
    const hw = `ack-native-${suffix}`;
    const device = await t.device(hw);
    await device.subscribeAsync(`llmiot/v1/${hw}/down`, { qos: 1 });
    const registered = new Promise<void>((resolve) => device.on('message', (_topic, payload) => JSON.parse(payload.toString()).id === 'r' && resolve()));
    await device.publishAsync(`llmiot/v1/${hw}/up`, JSON.stringify({ jsonrpc: '2.0', id: 'r', method: 'device.register', params: { device_type: 'mcu', static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3' } } }), { qos: 1 });
    await registered;
    const before = t.hub.pipeline.stats().accepted;
    const report = { jsonrpc: '2.0', method: 'telemetry.report', params: { readings: [{ measurement_type: 'counter', value: 7, timestamp: HOUR + 1000 }] } };
    const sent = publishTracked(device, `llmiot/v1/${hw}/up`, JSON.stringify(report));
    await handled(async () => t.hub.pipeline.stats().accepted > before, 'the report accepted');
    assert.equal(sent.acked(), false, 'no PUBACK before the commit');
    await t.hub.pipeline.flush();
    await sent.done;
    assert.deepEqual(await stored(deviceIdFor(hw), 'counter'), [7]);
    await device.endAsync();
  });

  it('LwM2M notification', async () => {
    const endpoint = `ack-lw-${suffix}`;
    const device = await ScriptedDevice.connect(t, endpoint);
    await device.register({ endpoint, version: '1.2', lifetime: 300, objects: { '3': { '0': { '0': 'Acme' } }, '3303': { '0': { '5700': 19.5 } } } });
    device.script = () => content([{ path: '/3303/0/5700', value: 20 }]);
    const observed = await t.rpc('lwm2m.observe', { device_id: endpoint, path: '/3303/0/5700' });
    assert.equal(observed.error, undefined, JSON.stringify(observed.error));
    await t.hub.pipeline.flush();
    const observe = device.requests('observe').at(-1);
    assert.ok(observe);
    const before = t.hub.pipeline.stats().accepted;
    const notification = { reqID: observe.reqID, msgType: 'notify', seqNum: 2, data: { reqPath: '/3303/0/5700', code: '2.05', codeMsg: 'content', content: [{ path: '/3303/0/5700', value: 21.5 }] } };
    const sent = publishTracked(device.client, `lwm2m/${endpoint}/up/notify`, JSON.stringify(notification));
    await handled(async () => t.hub.pipeline.stats().accepted > before, 'the notification accepted');
    assert.equal(sent.acked(), false, 'no PUBACK before the commit');
    await t.hub.pipeline.flush();
    await sent.done;
    assert.ok((await stored(deviceIdFor(`${endpoint}/lwm2m:3303/0`), 'temperature')).includes(21.5));
    await device.client.endAsync();
  });

  it('Sparkplug NDATA sent at QoS 1, in order and held back by a seq gap', async () => {
    const n = await TestEdgeNode.connect({ url: t.mqttUrl, ...sparkplugIds(`ack-${suffix}`) });
    try {
      await n.nbirth(NODE_METRICS);
      await eventually(async () => (await t.rpc('device.get', { device_id: n.edgeNodeId })).result, 5000, 'node born');
      await t.hub.pipeline.flush();
      const topic = `spBv1.0/${n.groupId}/NDATA/${n.edgeNodeId}`;
      const ndata = (seq: number, value: number): Buffer => Buffer.from(encodePayload({ timestamp: HOUR + 2000 + seq, seq: BigInt(seq), metrics: [{ alias: 1n, datatype: DataType.Float, value }] }));
      // seq 2 first: held by the window until seq 1 fills the gap; both are then processed in order.
      const before = t.hub.pipeline.stats().accepted;
      const ahead = publishTracked(n.client, topic, ndata(2, 62.5));
      const inOrder = publishTracked(n.client, topic, ndata(1, 61.5));
      await handled(async () => t.hub.pipeline.stats().accepted >= before + 2, 'both DATA accepted');
      assert.deepEqual([ahead.acked(), inOrder.acked()], [false, false], 'no PUBACK before the commit');
      await t.hub.pipeline.flush();
      await Promise.all([ahead.done, inOrder.done]);
      const values = await stored(deviceIdFor(n.edgeNodeId), 'CPU/Temperature');
      assert.ok(values.includes(61.5) && values.includes(62.5), JSON.stringify(values));
    } finally {
      await n.close();
    }
  });
});
