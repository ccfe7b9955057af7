/**
 * Issue 8, "access control through the protocols": the protocol-level forgeries of the issue,
 * replayed with plain MQTT clients against a hub on the embedded broker in open mode (no broker ACL,
 * so what stops them is the hub). Each must be refused, counted and leave no trace — no stored
 * point, no registry change, no command delivered, no device thrown off — while honest devices keep
 * working. The native method checks run on the in-memory linked bus (same adapter and dispatcher
 * path); everything where the publisher's client id matters runs over a real socket.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceIdFor } from '../../src/core/device-id.ts';
import { DataType, encodePayload } from '../../src/protocols/sparkplug/codec/index.ts';
import { ScriptedDevice } from '../lwm2m/adapter/scripted-device.ts';
import { sparkplugIds, TestEdgeNode } from '../sparkplug/host/edge-node.ts';
import { DEVICE_METRICS, NODE_METRICS } from '../sparkplug/host/host-fixtures.ts';
import { uniqueSuffix } from '../support/services.ts';
import { DeviceLink, eventually, startTestHub, type TestHub } from '../support/test-hub.ts';

const METHOD_NOT_ALLOWED = -32015;
const ESP32 = { manufacturer: 'Espressif', model: 'ESP32-S3' };
const BMP580 = { manufacturer: 'Bosch', model: 'BMP580', communication: { primary_protocol: 'I2C', i2c: { address: 0x47 } }, measurements: [{ measurement_type: 'temperature', unit: 'celsius' }] };

/** `llmiot_messages_rejected_total{protocol,reason}` as the /metrics endpoint shows it (0 when absent). */
async function rejected(t: TestHub, protocol: string, reason: string): Promise<number> {
  const text = await (await fetch(`${t.httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`llmiot_messages_rejected_total{protocol="${protocol}",reason="${reason}"}`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** What an operator sees of a device (registry entry and its attached devices). */
async function snapshot(t: TestHub, ref: string): Promise<unknown> {
  const got = await t.rpc('device.get', { device_id: ref });
  assert.equal(got.error, undefined, JSON.stringify(got.error));
  return got.result;
}

async function latest(t: TestHub, ref: string): Promise<unknown[]> {
  const answer = await t.rpc('data.latest', { device_ids: [deviceIdFor(ref)] });
  return answer.result?.readings ?? [];
}

describe('forgeries from a device on its own native up topic (in-memory bus)', () => {
  let t: TestHub;
  let victim: DeviceLink;
  let mallory: DeviceLink;
  let victimId: string;
  let sensorId: string;
  before(async () => {
    t = await startTestHub({}, undefined, { bus: 'memory' });
    victim = await t.link('victim-mcu');
    mallory = await t.link('mallory-mcu');
    victim.onCommand = () => ({ ok: true });
    victimId = (await victim.request('device.register', { device_type: 'mcu', static_schema: ESP32, zone: 'Zone A' })).result.device_id;
    sensorId = (await victim.request('device.register', { device_type: 'sensor', parent_id: victimId, static_schema: BMP580 })).result.device_id;
    assert.equal((await victim.request('telemetry.report', { readings: [{ measurement_type: 'temperature', value: 21.5, sensor_id: sensorId }] })).result.accepted, 1);
    const own = await mallory.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Raspberry Pi', model: 'Pico W' } });
    assert.equal(own.error, undefined);
  });
  after(async () => t.close());

  it('refuses every operator method with -32015 and runs none of them', async () => {
    const before = await snapshot(t, 'victim-mcu');
    const counted = await rejected(t, 'native', 'method_not_allowed');
    const calls: [string, unknown][] = [
      ['device.list', {}],
      ['device.get', { device_id: 'victim-mcu' }],
      ['data.query', { filter: { type: 'sensor' }, measurement_types: ['temperature'] }],
      ['data.latest', {}],
      ['mcu.reboot', { mcu_id: 'victim-mcu' }],
      ['mcu.set_config', { mcu_id: 'victim-mcu', config: { wifi: { ssid: 'evil', password: 'x' } } }],
      ['batch.execute', { method: 'mcu.set_config', filter: { type: 'mcu' }, params: { config: { telemetry_interval_ms: 1 } } }],
      ['sensor.read', { sensor_id: sensorId }],
      ['audit.list', {}],
      ['command.list', {}],
      ['data.subscribe', { device_ids: [sensorId] }],
      ['device.update', { device_id: 'victim-mcu', zone: 'Elsewhere' }],
      ['llm.execute_command', { command: 'reboot every MCU' }],
    ];
    for (const [method, params] of calls) {
      const answer = await mallory.request(method, params);
      assert.equal(answer.error?.code, METHOD_NOT_ALLOWED, `${method}: ${JSON.stringify(answer)}`);
      assert.equal(answer.error.data.method, method);
      assert.match(answer.error.message, /not allowed for a device/);
    }
    assert.equal(await rejected(t, 'native', 'method_not_allowed'), counted + calls.length);
    assert.deepEqual(victim.commands, [], 'no command reached the victim');
    assert.equal((await t.rpc('command.list', {})).result.commands.length, 0, 'no command was even recorded');
    assert.deepEqual(await snapshot(t, 'victim-mcu'), before);
    assert.equal(mallory.notifications.filter((n) => n.method === 'data.update').length, 0, 'no live data leaked');
  });

  it("refuses device methods about another device (register with its hardware id, heartbeat, offline, deregister, telemetry)", async () => {
    const before = await snapshot(t, 'victim-mcu');
    const sensorBefore = await snapshot(t, sensorId);
    const points = await latest(t, sensorId);
    const counted = await rejected(t, 'native', 'method_not_allowed');
    const calls: [string, unknown, string][] = [
      ['device.register', { device_type: 'mcu', hardware_id: 'victim-mcu', static_schema: { manufacturer: 'Evil', model: 'Clone' }, zone: 'Nowhere' }, '/hardware_id'],
      ['device.register', { device_type: 'sensor', parent_id: victimId, static_schema: BMP580 }, '/parent_id'],
      ['device.register', { device_type: 'mcu', hardware_id: 'not-yet-joined', static_schema: ESP32 }, '/hardware_id'],
      ['device.register', { device_type: 'sensor', parent_id: 'mallory-mcu', hardware_id: 'victim-mcu/i2c:0x47', static_schema: BMP580 }, '/hardware_id'],
      ['device.heartbeat', { device_id: 'victim-mcu', dynamic_state: { status: 'error' } }, '/device_id'],
      ['device.offline', { device_id: victimId }, '/device_id'],
      ['device.deregister', { device_id: 'victim-mcu' }, '/device_id'],
      ['telemetry.report', { device_id: sensorId, readings: [{ measurement_type: 'temperature', value: 99 }] }, '/device_id'],
      ['telemetry.report', { readings: [{ measurement_type: 'temperature', value: 99, sensor_id: sensorId }] }, '/readings/0/sensor_id'],
      ['sensor.discover', { mcu_id: victimId, static_schema: BMP580 }, '/mcu_id'],
      ['sensor.detached', { sensor_id: sensorId }, '/sensor_id'],
    ];
    for (const [method, params, param] of calls) {
      const answer = await mallory.request(method, params);
      assert.equal(answer.error?.code, METHOD_NOT_ALLOWED, `${method}: ${JSON.stringify(answer)}`);
      assert.equal(answer.error.data.param, param, method);
    }
    // As notifications (no answer to wait for): refused and counted all the same.
    mallory.notify('telemetry.report', { device_id: 'victim-mcu', readings: [{ measurement_type: 'cpu_temperature', value: 99 }] });
    mallory.notify('device.offline', { device_id: 'victim-mcu' });
    await eventually(async () => (await rejected(t, 'native', 'method_not_allowed')) === counted + calls.length + 2, 5000, 'every refusal counted');
    assert.deepEqual(await snapshot(t, 'victim-mcu'), before, 'the victim is unchanged and still online');
    assert.deepEqual(await snapshot(t, sensorId), sensorBefore);
    assert.deepEqual(await latest(t, sensorId), points, 'no forged point stored');
    assert.deepEqual(await latest(t, 'victim-mcu'), []);
    assert.equal((await t.rpc('device.get', { device_id: 'not-yet-joined' })).error?.code, -32001, 'no device squatted on a new id');
  });

  it('still serves honest devices, for themselves and their own sensors', async () => {
    const heartbeat = await mallory.request('device.heartbeat', { device_id: 'mallory-mcu' });
    assert.equal(heartbeat.result.status, 'online');
    const sensor = await mallory.request('sensor.discover', { mcu_id: 'mallory-mcu', static_schema: BMP580 });
    assert.equal(sensor.result.hardware_id, 'mallory-mcu/i2c:0x47');
    const report = await mallory.request('telemetry.report', { readings: [{ measurement_type: 'temperature', value: 19, sensor_id: sensor.result.sensor_id }] });
    assert.equal(report.result.accepted, 1);
    const victimReport = await victim.request('telemetry.report', { device_id: sensorId, readings: [{ measurement_type: 'temperature', value: 22 }] });
    assert.equal(victimReport.result.accepted, 1);
    // An operator still commands the victim, which answers.
    const status = await t.rpc('mcu.get_status', { mcu_id: 'victim-mcu' });
    assert.deepEqual(status.result, { ok: true });
  });
});

describe('forgeries where the publisher matters (embedded broker, real sockets, open mode)', () => {
  let t: TestHub;
  const clients: MqttClient[] = [];
  const nodes: TestEdgeNode[] = [];
  before(async () => {
    t = await startTestHub({ sparkplugReorderTimeoutMs: 300, commandTimeout: 5000 });
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    await t.close();
  });

  async function plain(clientId: string): Promise<MqttClient> {
    const client = await mqtt.connectAsync(t.mqttUrl, { clientId, protocolVersion: 4, reconnectPeriod: 0 });
    clients.push(client);
    return client;
  }

  async function native(clientId: string): Promise<{ link: DeviceLink; id: string }> {
    const link = await t.link(clientId);
    const reg = await link.request('device.register', { device_type: 'mcu', static_schema: ESP32 });
    assert.equal(reg.error, undefined, JSON.stringify(reg.error));
    return { link, id: reg.result.device_id };
  }

  it("native: A answers B's command from A's own topic with B's command id; the operator gets B's answer", async () => {
    const b = await native(`b-${uniqueSuffix()}`);
    const a = await native(`a-${uniqueSuffix()}`);
    const counted = await rejected(t, 'native', 'foreign_answer');
    const pending = t.rpc('mcu.get_status', { mcu_id: b.id });
    const command = await eventually(() => b.link.commands.find((c) => c.method === 'mcu.get_status'), 5000, 'the command at B');
    a.link.send({ jsonrpc: '2.0', id: command.id, result: { uptime_s: 1, forged: true } });
    await eventually(async () => (await rejected(t, 'native', 'foreign_answer')) === counted + 1, 5000, 'the forged answer counted');
    b.link.send({ jsonrpc: '2.0', id: command.id, result: { uptime_s: 4242 } });
    assert.deepEqual((await pending).result, { uptime_s: 4242 });
  });

  it("native: a publish on B's up topic from another connection is refused; B stays online and unchanged", async () => {
    const b = await native(`b-${uniqueSuffix()}`);
    const before = await snapshot(t, b.id);
    const counted = await rejected(t, 'native', 'spoofed_topic');
    const mallory = await plain(`mallory-${uniqueSuffix()}`);
    const up = `llmiot/v1/${(before as { hardware_id: string }).hardware_id}/up`;
    await mallory.publishAsync(up, JSON.stringify({ jsonrpc: '2.0', method: 'telemetry.report', params: { readings: [{ measurement_type: 'cpu_temperature', value: 99 }] } }), { qos: 1 });
    await mallory.publishAsync(up, JSON.stringify({ jsonrpc: '2.0', method: 'device.offline' }), { qos: 1 });
    await eventually(async () => (await rejected(t, 'native', 'spoofed_topic')) === counted + 2, 5000, 'both spoofs counted');
    assert.deepEqual(await snapshot(t, b.id), before);
    assert.deepEqual(await latest(t, b.id), []);
  });

  it("LwM2M: a forged Update and De-register for another endpoint are refused; the endpoint stays registered and answers", async () => {
    const endpoint = `lw-b-${uniqueSuffix()}`;
    const b = await ScriptedDevice.connect(t, endpoint);
    await b.register({ endpoint, version: '1.2', lifetime: 300, objects: { '3': { '0': { '0': 'Acme', '1': 'Node' } }, '3303': { '0': { '5700': 20 } } } });
    const before = await snapshot(t, endpoint);
    const counted = await rejected(t, 'lwm2m', 'spoofed_topic');
    const mallory = await plain(`mallory-${uniqueSuffix()}`);
    await mallory.publishAsync(`lwm2m/${endpoint}/update`, JSON.stringify({ lifetime: 1, objects: { '3': { '0': { '0': 'Evil', '1': 'Clone' } } } }), { qos: 1 });
    await mallory.publishAsync(`lwm2m/${endpoint}/dereg`, '', { qos: 1 });
    await eventually(async () => (await rejected(t, 'lwm2m', 'spoofed_topic')) === counted + 2, 5000, 'both forgeries counted');
    assert.deepEqual(await snapshot(t, endpoint), before);
    assert.equal(b.acks('update').length + b.acks('deregister').length, 0, 'no acknowledgement reached the endpoint');

    // LwM2M answers: another registered endpoint answers B's request with B's reqID from its own topic.
    const otherEp = `lw-a-${uniqueSuffix()}`;
    const a = await ScriptedDevice.connect(t, otherEp);
    await a.register({ endpoint: otherEp, version: '1.2', lifetime: 300, objects: { '3': { '0': { '0': 'Acme', '1': 'Node' } } } });
    const unmatched = await rejected(t, 'lwm2m', 'unmatched_response');
    const read = t.rpc('lwm2m.read', { device_id: endpoint, path: '/3303/0/5700' });
    const request = await eventually(() => b.requests('read')[0], 5000, 'the read at B');
    a.publish('up/resp', JSON.stringify({ reqID: request.reqID, msgType: 'read', data: { code: '2.05', content: [{ path: '/3303/0/5700', value: -40 }] } }));
    await eventually(async () => (await rejected(t, 'lwm2m', 'unmatched_response')) === unmatched + 1, 5000, 'the forged answer counted');
    b.answer(request, { code: '2.05', content: [{ path: '/3303/0/5700', value: 20.5 }] });
    const answer = await read;
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    assert.equal(JSON.stringify(answer.result).includes('-40'), false, JSON.stringify(answer.result));
    assert.equal(JSON.stringify(answer.result).includes('20.5'), true, JSON.stringify(answer.result));
  });

  describe('Sparkplug', () => {
    async function bornNode(prefix: string, bdSeq: bigint): Promise<TestEdgeNode> {
      const node = await TestEdgeNode.connect({ url: t.mqttUrl, ...sparkplugIds(prefix), bdSeq });
      nodes.push(node);
      await node.nbirth(NODE_METRICS);
      await node.dbirth('pump', DEVICE_METRICS);
      await eventually(async () => (await t.rpc('device.get', { device_id: `${node.edgeNodeId}/pump` })).result?.status === 'online', 5000, 'pump online');
      return node;
    }

    /** A second connection on the node's topics, holding what a sniffer learns (bdSeq, next seq). */
    async function forger(node: TestEdgeNode): Promise<TestEdgeNode> {
      const forged = await TestEdgeNode.connect({ url: t.mqttUrl, groupId: node.groupId, edgeNodeId: node.edgeNodeId, bdSeq: node.bdSeq, clientId: `mallory-${uniqueSuffix()}` });
      nodes.push(forged);
      forged.seq = node.seq;
      return forged;
    }

    const pressure = async (node: TestEdgeNode): Promise<unknown> =>
      (await t.rpc('data.latest', { device_ids: [deviceIdFor(`${node.edgeNodeId}/pump`)], measurement_types: ['Inputs/Pressure'] })).result.readings[0]?.value;

    it('forged DDATA from another connection is refused and stores nothing; the node keeps reporting', async () => {
      const node = await bornNode('ddata', 3n);
      // The DBIRTH's value is committed with a telemetry batch that may come after the device is online.
      await eventually(async () => (await pressure(node)) === 1.25, 5000, 'the DBIRTH value stored');
      const counted = await rejected(t, 'sparkplug', 'foreign_publisher');
      const mallory = await forger(node);
      await mallory.ddata('pump', [{ name: 'Inputs/Pressure', alias: 10n, value: 99.5 }]);
      await eventually(async () => (await rejected(t, 'sparkplug', 'foreign_publisher')) === counted + 1, 5000, 'refused');
      assert.equal(await pressure(node), 1.25);
      await node.ddata('pump', [{ name: 'Inputs/Pressure', alias: 10n, value: 2.5 }]);
      await eventually(async () => (await pressure(node)) === 2.5, 5000, "the node's own DDATA stored");
    });

    it('a forged NDEATH, with the sniffed bdSeq or none, does not take a live node offline; its next DDATA is stored', async () => {
      const node = await bornNode('ndeath', 5n);
      const mallory = await forger(node);
      const foreign = await rejected(t, 'sparkplug', 'foreign_publisher');
      const stale = await rejected(t, 'sparkplug', 'stale_ndeath');
      await mallory.ndeath(5n);
      await mallory.publishRaw(node.topic('NDEATH'), encodePayload({ timestamp: Date.now(), metrics: [] }));
      await eventually(async () => (await rejected(t, 'sparkplug', 'foreign_publisher')) === foreign + 1, 5000, 'sniffed-bdSeq NDEATH refused');
      await eventually(async () => (await rejected(t, 'sparkplug', 'stale_ndeath')) === stale + 1, 5000, 'bdSeq-less NDEATH ignored');
      for (const ref of [node.edgeNodeId, `${node.edgeNodeId}/pump`]) assert.equal((await snapshot(t, ref) as { status: string }).status, 'online', ref);
      await node.ddata('pump', [{ name: 'Inputs/Pressure', alias: 10n, value: 3.75 }]);
      await eventually(async () => (await pressure(node)) === 3.75, 5000, "the node's next DDATA stored");
      // The node's own will still ends its session.
      node.kill();
      await eventually(async () => (await snapshot(t, node.edgeNodeId) as { status: string }).status === 'offline', 5000, 'offline after its own will');
    });

    it("a write confirmation (the node's report of the written value) forged from another connection does not confirm it", async () => {
      const node = await bornNode('confirm', 2n);
      const counted = await rejected(t, 'sparkplug', 'foreign_publisher');
      const call = t.rpc('device.write_metric', { device_id: `${node.edgeNodeId}/pump`, metric: 'Outputs/Setpoint', value: 42.5, timeout_ms: 1500 });
      await node.waitForCommand((c) => c.topic.includes('/DCMD/'));
      const mallory = await forger(node);
      await mallory.ddata('pump', [{ name: 'Outputs/Setpoint', alias: 13n, value: 42.5 }]);
      await eventually(async () => (await rejected(t, 'sparkplug', 'foreign_publisher')) === counted + 1, 5000, 'refused');
      assert.deepEqual((await call).result, { sent: true, confirmed: false, written: { 'Outputs/Setpoint': 42.5 } });
    });

    it('a forged NBIRTH for a native device is refused and leaves the device as it was', async () => {
      const native = await t.link(`native-${uniqueSuffix()}`);
      const hardwareId = (await native.request('device.register', { device_type: 'mcu', static_schema: ESP32, zone: 'Zone A' })).result.hardware_id as string;
      const before = await snapshot(t, hardwareId);
      const counted = await rejected(t, 'sparkplug', 'foreign_birth');
      const mallory = await TestEdgeNode.connect({ url: t.mqttUrl, groupId: `G-${uniqueSuffix()}`, edgeNodeId: hardwareId, clientId: `mallory-${uniqueSuffix()}` });
      nodes.push(mallory);
      await mallory.nbirth([
        { name: 'Properties/Hardware Make', datatype: DataType.String, value: 'Evil' },
        { name: 'Properties/Hardware Model', datatype: DataType.String, value: 'Clone' },
        { name: 'Properties/Zone', datatype: DataType.String, value: 'Nowhere' },
      ]);
      await eventually(async () => (await rejected(t, 'sparkplug', 'foreign_birth')) === counted + 1, 5000, 'refused');
      await mallory.dbirth('pump', DEVICE_METRICS);
      await mallory.ddata('pump', [{ name: 'Inputs/Pressure', alias: 10n, value: 7 }]);
      assert.deepEqual(await snapshot(t, hardwareId), before);
      assert.equal((await t.rpc('device.get', { device_id: `${hardwareId}/pump` })).error?.code, -32001, 'no device made under it');
      const heartbeat = await native.request('device.heartbeat', {});
      assert.equal(heartbeat.result.status, 'online');
    });

    it('a forged offline STATE for the hub is overridden: the retained STATE is online again', async () => {
      const topic = `spBv1.0/STATE/${t.hub.config.sparkplugHostId}`;
      const counted = await rejected(t, 'sparkplug', 'foreign_state');
      const mallory = await plain(`mallory-${uniqueSuffix()}`);
      await mallory.publishAsync(topic, JSON.stringify({ online: false, timestamp: Date.now() }), { qos: 1, retain: true });
      await eventually(async () => (await rejected(t, 'sparkplug', 'foreign_state')) === counted + 1, 5000, 'counted');
      const retained = await eventually(async () => {
        const watcher = await plain(`watch-${uniqueSuffix()}`);
        const got = new Promise<{ online: boolean }>((resolve) => watcher.once('message', (_topic, payload) => resolve(JSON.parse(payload.toString()))));
        await watcher.subscribeAsync(topic, { qos: 1 });
        const state = await got;
        await watcher.endAsync();
        return state.online ? state : undefined;
      }, 5000, 'the retained STATE online again');
      assert.equal(retained.online, true);
    });
  });
});
