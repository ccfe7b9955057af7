// NDEATH / DDEATH: offline + STALE, bdSeq-matched NDEATH, stale Wills ignored, pending commands failed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceIdFor } from '../../../src/core/device-id.ts';
import { DataType } from '../../../src/protocols/sparkplug/codec/index.ts';
import { eventually, type TestHub } from '../../support/test-hub.ts';
import { TestEdgeNode } from './edge-node.ts';
import { DEVICE_METRICS, NODE_METRICS, edgeNode, rejected, startSparkplugHub } from './host-fixtures.ts';

describe('Sparkplug host: DEATH certificates', () => {
  let t: TestHub;
  const nodes: TestEdgeNode[] = [];

  before(async () => {
    t = await startSparkplugHub();
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await t.close();
  });

  async function status(hardwareId: string): Promise<{ status: string; dynamic_state: { sparkplug: { metrics: string; state: string; since: number } } }> {
    return (await t.rpc('device.get', { device_id: hardwareId })).result;
  }

  async function bornWithDevice(prefix: string, bdSeq = 0n): Promise<TestEdgeNode> {
    const n = await edgeNode(t, prefix, { bdSeq });
    nodes.push(n);
    await n.nbirth(NODE_METRICS);
    await n.dbirth('pump', DEVICE_METRICS);
    await eventually(async () => (await status(`${n.edgeNodeId}/pump`))?.status === 'online', 5000, 'device born');
    return n;
  }

  it('[tck-id-operational-behavior-edge-node-termination-host-action-ndeath-node-offline][tck-id-operational-behavior-edge-node-termination-host-action-ndeath-node-tags-stale][tck-id-operational-behavior-edge-node-termination-host-action-ndeath-devices-offline][tck-id-operational-behavior-edge-node-termination-host-action-ndeath-devices-tags-stale] an NDEATH Will takes the node and its devices offline, metrics STALE', async () => {
    const n = await bornWithDevice('will', 4n);
    const before = Date.now();
    n.kill();
    const node = await eventually(async () => {
      const s = await status(n.edgeNodeId);
      return s.status === 'offline' ? s : undefined;
    }, 5000, 'node offline');
    assert.equal(node.dynamic_state.sparkplug.state, 'offline');
    assert.equal(node.dynamic_state.sparkplug.metrics, 'stale');
    assert.ok(node.dynamic_state.sparkplug.since >= before, 'stale since the host time of the NDEATH');
    const pump = await status(`${n.edgeNodeId}/pump`);
    assert.equal(pump.status, 'offline');
    assert.equal(pump.dynamic_state.sparkplug.metrics, 'stale');
    // The last values stay readable; the device status tells they are stale.
    // The DBIRTH's values are committed with the next telemetry batch, which may come after the death is handled.
    const value = await eventually(async () => {
      const latest = await t.rpc('data.latest', { device_ids: [deviceIdFor(`${n.edgeNodeId}/pump`)], measurement_types: ['Inputs/Pressure'] });
      return latest.result?.readings[0]?.value as number | undefined;
    }, 5000, 'the DBIRTH value readable');
    assert.equal(value, 1.25);
  });

  it('[tck-id-payloads-ndeath-bdseq] a late NDEATH Will of an older connection (other bdSeq) is ignored and counted', async () => {
    const old = await bornWithDevice('late', 1n);
    // The node reconnects on a second connection with the next bdSeq and births again.
    const again = await TestEdgeNode.connect({ url: t.mqttUrl, groupId: old.groupId, edgeNodeId: old.edgeNodeId, bdSeq: 2n });
    nodes.push(again);
    await again.nbirth(NODE_METRICS);
    await eventually(async () => (await status(old.edgeNodeId)).dynamic_state.sparkplug.state === 'online', 5000, 'reborn');
    await eventually(async () => (await t.rpc('device.get', { device_id: old.edgeNodeId })).result.dynamic_state.sparkplug.bd_seq === 2, 5000, 'bdSeq 2');
    const before = await rejected(t.hub, 'stale_ndeath');
    old.kill(); // the broker now delivers the old connection's Will: NDEATH with bdSeq 1
    await eventually(async () => (await rejected(t.hub, 'stale_ndeath')) === before + 1, 5000, 'stale NDEATH counted');
    assert.equal((await status(old.edgeNodeId)).status, 'online');
    // The current connection's own NDEATH (bdSeq 2) is honoured.
    await again.ndeath();
    await eventually(async () => (await status(old.edgeNodeId)).status === 'offline', 5000, 'offline after the matching NDEATH');
  });

  it('[tck-id-operational-behavior-edge-node-termination-host-action-ddeath-devices-offline][tck-id-operational-behavior-edge-node-termination-host-action-ddeath-devices-tags-stale] a DDEATH takes only that device offline, STALE as of the DDEATH timestamp, and fails its pending commands', async () => {
    const n = await bornWithDevice('ddeath');
    const pumpHw = `${n.edgeNodeId}/pump`;
    const sent = await t.rpc('device.write_metric', { device_id: pumpHw, metric: 'Outputs/Setpoint', value: 25, async: true, timeout_ms: 20_000 });
    assert.equal(sent.error, undefined, JSON.stringify(sent.error));
    await n.waitForCommand((c) => c.topic.includes('/DCMD/'));
    const deathTs = Date.now() - 5000;
    await n.ddeath('pump', { timestamp: deathTs });
    const pump = await eventually(async () => {
      const s = await status(pumpHw);
      return s.status === 'offline' ? s : undefined;
    }, 5000, 'device offline');
    assert.equal(pump.dynamic_state.sparkplug.since, deathTs);
    assert.equal((await status(n.edgeNodeId)).status, 'online');
    const command = await t.rpc('command.get', { command_id: sent.result.command_id, wait: true });
    assert.equal(command.result.state, 'failed');
    assert.equal(command.result.error?.code, -32009);
    assert.match(command.result.error.message, /DDEATH/);
  });

  it('an NDEATH fails the commands pending on the node and its devices', async () => {
    const n = await bornWithDevice('pending');
    const sent = await t.rpc('device.write_metric', { device_id: `${n.edgeNodeId}/pump`, metric: 'Outputs/Running', value: true, async: true, timeout_ms: 20_000 });
    await n.waitForCommand((c) => c.topic.includes('/DCMD/'));
    await n.ndeath();
    const command = await t.rpc('command.get', { command_id: sent.result.command_id, wait: true });
    assert.equal(command.result.state, 'failed');
    assert.match(command.result.error.message, /NDEATH/);
  });

  it('a DDEATH for an unknown device and an NDEATH for an unborn node change nothing', async () => {
    const n = await bornWithDevice('noise');
    await n.ddeath('ghost');
    const stranger = await edgeNode(t, 'stranger');
    nodes.push(stranger);
    await stranger.ndeath();
    await n.ndata([{ alias: 1n, datatype: DataType.Float, value: 50 }]);
    // The NDATA sent after the DDEATH has been stored: the DDEATH before it was handled too.
    await eventually(async () => (await t.rpc('data.latest', { device_ids: [deviceIdFor(n.edgeNodeId)], measurement_types: ['CPU/Temperature'] })).result?.readings[0]?.value === 50, 5000, 'NDATA stored');
    assert.equal((await status(n.edgeNodeId)).status, 'online');
    assert.equal((await t.rpc('device.get', { device_id: stranger.edgeNodeId })).error?.code, -32001);
  });
});

describe('Sparkplug host: liveness', () => {
  it('a born edge node that sends nothing stays online past the heartbeat window: its session is its liveness', async () => {
    let clock = Date.now();
    const t = await startSparkplugHub({ heartbeatInterval: 1, missedHeartbeats: 2 }, { now: () => clock });
    const n = await edgeNode(t, 'quiet');
    try {
      await n.nbirth(NODE_METRICS);
      await eventually(async () => (await t.rpc('device.get', { device_id: n.edgeNodeId })).result?.status === 'online', 5000, 'born');
      const node = deviceIdFor(n.edgeNodeId);
      const statuses: string[] = [];
      t.hub.events.on('device.status', ({ device }) => {
        if (device.id === node) statuses.push(device.status);
      });
      // A native MCU that goes quiet at the same moment, as a witness that liveness sweeps run.
      const { device: quietMcu } = await t.hub.registry.register({ hardwareId: `${n.edgeNodeId}-native`, type: 'mcu', parentId: null, staticSchema: {}, schemaVersion: '1.0.0', protocol: 'native' });
      // The hub's clock moves 3 s (past the 2 s window) in two steps shorter than the window; the host's keep-alive follows each.
      for (let step = 0; step < 2; step++) {
        clock += 1500;
        await eventually(() => t.hub.registry.get(node)?.lastSeen === clock, 5000, 'the host keeping its live node fresh');
      }
      await eventually(() => t.hub.registry.get(quietMcu.id)?.status === 'offline', 5000, 'a liveness sweep past the window');
      assert.deepEqual(statuses, [], 'the edge node never went offline');
      assert.equal((await t.rpc('device.get', { device_id: n.edgeNodeId })).result.status, 'online');
    } finally {
      await n.close();
      await t.close();
    }
  });
});
