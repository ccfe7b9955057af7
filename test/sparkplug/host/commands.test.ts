// Hub commands over Sparkplug: device.write_metric / sensor.configure → DCMD, mcu.set_config / mcu.reboot → NCMD.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataType } from '../../../src/protocols/sparkplug/codec/index.ts';
import { eventually, type TestHub } from '../../support/test-hub.ts';
import type { ReceivedCommand, TestEdgeNode } from './edge-node.ts';
import { DEVICE_METRICS, NODE_METRICS, edgeNode, startSparkplugHub } from './host-fixtures.ts';

describe('Sparkplug host: commands', () => {
  let t: TestHub;
  let n: TestEdgeNode;
  let pump = '';
  const extra: TestEdgeNode[] = [];

  before(async () => {
    t = await startSparkplugHub();
    n = await edgeNode(t, 'cmd');
    await n.nbirth(NODE_METRICS);
    await n.dbirth('pump', DEVICE_METRICS);
    pump = `${n.edgeNodeId}/pump`;
    await eventually(async () => (await t.rpc('device.get', { device_id: pump })).result?.status === 'online', 5000, 'pump born');
  });
  after(async () => {
    await Promise.all([n, ...extra].map((e) => e.close()));
    await t.close();
  });

  /** The next command after those already seen. */
  function nextCommand(from: number, match: (c: ReceivedCommand) => boolean = () => true): Promise<ReceivedCommand> {
    return n.waitForCommand((c) => n.commands.indexOf(c) >= from && match(c));
  }

  it('[tck-id-operational-behavior-data-commands-dcmd-verb][tck-id-operational-behavior-data-commands-dcmd-metric-name][tck-id-operational-behavior-data-commands-dcmd-metric-value][tck-id-topics-dcmd-timestamp][tck-id-payloads-dcmd-seq][tck-id-payloads-dcmd-qos] device.write_metric sends a DCMD with the BIRTH name, alias and datatype; confirmed once the device reports the value', async () => {
    const from = n.commands.length;
    const call = t.rpc('device.write_metric', { device_id: pump, metric: 'Outputs/Setpoint', value: 42.5 });
    const command = await nextCommand(from);
    assert.equal(command.topic, `spBv1.0/${n.groupId}/DCMD/${n.edgeNodeId}/pump`);
    assert.equal(command.qos, 0);
    assert.equal(command.payload.seq, undefined);
    assert.equal(typeof command.payload.timestamp, 'number');
    assert.deepEqual(command.payload.metrics.map((m) => [m.name, m.alias, m.datatype, m.value]), [['Outputs/Setpoint', 13n, DataType.Float, 42.5]]);
    // The device applies the write and reports it (alias only, no datatype), which confirms it.
    await n.ddata('pump', [{ alias: 13n, datatype: DataType.Float, value: 42.5 }]);
    const answer = await call;
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    assert.deepEqual(answer.result, { sent: true, confirmed: true, written: { 'Outputs/Setpoint': 42.5 } });
  });

  it('a write the device never reports back succeeds unconfirmed after the window', async () => {
    const from = n.commands.length;
    const started = Date.now();
    const answer = await t.rpc('device.write_metric', { device_id: pump, metric: 'Outputs/Running', value: true, timeout_ms: 1000 });
    assert.deepEqual(answer.result, { sent: true, confirmed: false, written: { 'Outputs/Running': true } });
    assert.ok(Date.now() - started < 1000, 'the window is at most half the command timeout');
    const command = await nextCommand(from);
    assert.deepEqual(command.payload.metrics.map((m) => [m.name, m.datatype, m.value]), [['Outputs/Running', DataType.Boolean, true]]);
    const record = await t.rpc('command.list', { device_id: pump });
    assert.ok(record.result.commands.some((c: { state: string; method: string }) => c.method === 'device.write_metric' && c.state === 'succeeded'));
  });

  it('writes signed and 64-bit integers with their BIRTH datatype (UInt64 past 2^53 as decimal text)', async () => {
    let from = n.commands.length;
    const small = t.rpc('device.write_metric', { device_id: pump, metric: 'Inputs/Offset', value: -7, timeout_ms: 400 });
    let command = await nextCommand(from);
    assert.deepEqual(command.payload.metrics.map((m) => [m.datatype, m.value]), [[DataType.Int8, -7]]);
    await small;
    from = n.commands.length;
    const big = t.rpc('device.write_metric', { device_id: pump, metric: 'Counters/Total', value: '18446744073709551615', timeout_ms: 400 });
    command = await nextCommand(from);
    assert.deepEqual(command.payload.metrics.map((m) => [m.datatype, m.value]), [[DataType.UInt64, 2n ** 64n - 1n]]);
    assert.equal((await big).result.sent, true);
  });

  it('refuses a metric the BIRTH did not announce (UNSUPPORTED_OPERATION naming it) and a value of the wrong type (INVALID_PARAMS)', async () => {
    const unknown = await t.rpc('device.write_metric', { device_id: pump, metric: 'Outputs/Missing', value: 1 });
    assert.equal(unknown.error?.code, -32011);
    assert.match(unknown.error?.message ?? '', /Outputs\/Missing/);
    const wrong = await t.rpc('device.write_metric', { device_id: pump, metric: 'Inputs/Offset', value: 300 });
    assert.equal(wrong.error?.code, -32602);
    assert.match(wrong.error?.message ?? '', /Int8/);
    const native = await t.rpc('device.register', { device_type: 'mcu', hardware_id: `native-${n.edgeNodeId}`, static_schema: { manufacturer: 'Espressif', model: 'ESP32' } });
    const notSparkplug = await t.rpc('device.write_metric', { device_id: native.result.device_id, metric: 'x', value: 1 });
    assert.equal(notSparkplug.error?.code, -32011);
  });

  it('sensor.configure writes config keys as BIRTH metrics in one DCMD; an unknown key fails the command naming it', async () => {
    const from = n.commands.length;
    const call = t.rpc('sensor.configure', { sensor_id: pump, config: { 'Outputs/Setpoint': 30, 'Outputs/Level': -2 }, timeout_ms: 400 });
    const command = await nextCommand(from);
    assert.deepEqual(command.payload.metrics.map((m) => [m.name, m.datatype, m.value]), [
      ['Outputs/Setpoint', DataType.Float, 30],
      ['Outputs/Level', DataType.Int16, -2],
    ]);
    assert.equal((await call).result.sent, true);
    const bad = await t.rpc('sensor.configure', { sensor_id: pump, config: { power_mode: 'low_power' } });
    assert.equal(bad.error?.code, -32011);
    assert.match(bad.error?.message ?? '', /power_mode/);
  });

  it('[tck-id-operational-behavior-data-commands-ncmd-verb][tck-id-operational-behavior-data-commands-ncmd-metric-name][tck-id-operational-behavior-data-commands-ncmd-metric-value] mcu.set_config sends an NCMD typed by the NBIRTH', async () => {
    const from = n.commands.length;
    const call = t.rpc('mcu.set_config', { mcu_id: n.edgeNodeId, config: { 'Config/Interval': 500 } });
    const command = await nextCommand(from);
    assert.equal(command.topic, `spBv1.0/${n.groupId}/NCMD/${n.edgeNodeId}`);
    assert.deepEqual(command.payload.metrics.map((m) => [m.name, m.alias, m.datatype, m.value]), [['Config/Interval', 2n, DataType.UInt32, 500]]);
    await n.ndata([{ alias: 2n, datatype: DataType.UInt32, value: 500 }]);
    // The native mcu.set_config shape ({config, applied, changed, requires_reboot}) plus the write outcome.
    assert.deepEqual((await call).result, {
      config: { Interval: 500 },
      applied: true,
      changed: ['Config/Interval'],
      requires_reboot: false,
      sent: true,
      confirmed: true,
      written: { 'Config/Interval': 500 },
    });
  });

  it('mcu.reboot sends NCMD Node Control/Reboot = true; a node that did not announce it refuses', async () => {
    const from = n.commands.length;
    const answer = await t.rpc('mcu.reboot', { mcu_id: n.edgeNodeId });
    assert.deepEqual(answer.result, { rebooting: true, delay_ms: 0, sent: true });
    const command = await nextCommand(from);
    assert.deepEqual(command.payload.metrics.map((m) => [m.name, m.datatype, m.value]), [['Node Control/Reboot', DataType.Boolean, true]]);
    const plain = await edgeNode(t, 'noreboot');
    extra.push(plain);
    await plain.nbirth([{ name: 'Level', datatype: DataType.Int32, value: 1 }]);
    await eventually(async () => (await t.rpc('device.get', { device_id: plain.edgeNodeId })).result?.status === 'online', 5000, 'born');
    const refused = await t.rpc('mcu.reboot', { mcu_id: plain.edgeNodeId });
    assert.equal(refused.error?.code, -32011);
    assert.match(refused.error?.message ?? '', /Node Control\/Reboot/);
    assert.equal(plain.commands.length, 0);
  });

  it('commands to an offline node or a dead device fail fast with DEVICE_OFFLINE, nothing sent', async () => {
    const other = await edgeNode(t, 'offline');
    extra.push(other);
    await other.nbirth(NODE_METRICS);
    await other.dbirth('valve', DEVICE_METRICS);
    const valve = `${other.edgeNodeId}/valve`;
    await eventually(async () => (await t.rpc('device.get', { device_id: valve })).result?.status === 'online', 5000, 'valve born');
    await other.ddeath('valve');
    await eventually(async () => (await t.rpc('device.get', { device_id: valve })).result?.status === 'offline', 5000, 'valve dead');
    const started = Date.now();
    const toDevice = await t.rpc('device.write_metric', { device_id: valve, metric: 'Outputs/Running', value: true });
    assert.equal(toDevice.error?.code, -32002);
    await other.ndeath();
    await eventually(async () => (await t.rpc('device.get', { device_id: other.edgeNodeId })).result?.status === 'offline', 5000, 'node dead');
    const toNode = await t.rpc('mcu.set_config', { mcu_id: other.edgeNodeId, config: { 'Config/Interval': 1 } });
    assert.equal(toNode.error?.code, -32002);
    assert.ok(Date.now() - started < 2000, 'no waiting for a timeout');
    assert.equal(other.commands.length, 0);
  });
});
