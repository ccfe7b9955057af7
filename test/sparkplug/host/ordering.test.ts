// seq ordering and rebirth requests: reorder window, gaps, DATA before BIRTH, unknown aliases, debounce, wraparound.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceIdFor } from '../../../src/core/device-id.ts';
import { DataType, encodePayload } from '../../../src/protocols/sparkplug/codec/index.ts';
import { eventually, type TestHub } from '../../support/test-hub.ts';
import type { ReceivedCommand, TestEdgeNode } from './edge-node.ts';
import { counterValue, edgeNode, rejected, startSparkplugHub } from './host-fixtures.ts';

const REORDER_MS = 300;
const BIRTH = [{ name: 'Level', alias: 1n, datatype: DataType.Int32, value: 0 }];

describe('Sparkplug host: message ordering and rebirth requests', () => {
  let t: TestHub;
  const nodes: TestEdgeNode[] = [];

  before(async () => {
    t = await startSparkplugHub({ sparkplugReorderTimeoutMs: REORDER_MS });
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await t.close();
  });

  async function bornNode(prefix: string, seq = 0): Promise<TestEdgeNode> {
    const n = await edgeNode(t, prefix);
    nodes.push(n);
    await n.nbirth(BIRTH, { seq });
    await eventually(async () => (await t.rpc('device.get', { device_id: n.edgeNodeId })).result?.status === 'online', 5000, 'born');
    return n;
  }

  async function levels(n: TestEdgeNode, count: number): Promise<number[]> {
    return eventually(async () => {
      const r = await t.rpc('data.query', { device_ids: [deviceIdFor(n.edgeNodeId)], measurement_types: ['Level'], time_range: { start: 0, end: Date.now() + 60_000 }, order: 'asc' });
      const values = (r.result?.series?.[0]?.points ?? []).map((p: { value: number }) => p.value);
      return values.length === count ? values : undefined;
    }, 5000, `${count} Level points`);
  }

  /** Every command the hub sent `n` so far has arrived once a witness DCMD published after them does. */
  async function commandsDelivered(n: TestEdgeNode): Promise<void> {
    const topic = n.topic('DCMD', `witness-${n.commands.length}`);
    await t.hub.bus.publish(topic, Buffer.from(encodePayload({ timestamp: Date.now(), metrics: [] })), { qos: 1 });
    await n.waitForCommand((c) => c.topic === topic);
  }

  /**
   * The reorder timeout has run out for any gap `n` had until now: a gap opened afterwards on a
   * witness node has brought its rebirth request. Then the commands sent to `n` have arrived.
   */
  async function reorderTimeoutPassed(n: TestEdgeNode): Promise<void> {
    const witness = await bornNode(`witness-${n.edgeNodeId.slice(0, 8)}`);
    await witness.ndata([{ alias: 1n, datatype: DataType.Int32, value: 2 }], { seq: 2 }); // seq 1 never comes
    await witness.waitForCommand(() => true, 5000);
    await commandsDelivered(n);
  }

  function assertRebirthRequest(command: ReceivedCommand, n: TestEdgeNode): void {
    // [tck-id-operational-behavior-data-commands-ncmd-rebirth-verb] / -name / -value, [tck-id-payloads-ncmd-qos], [tck-id-payloads-ncmd-seq], [tck-id-topics-ncmd-timestamp]
    assert.equal(command.topic, `spBv1.0/${n.groupId}/NCMD/${n.edgeNodeId}`);
    assert.equal(command.qos, 0);
    assert.equal(command.payload.seq, undefined);
    assert.equal(typeof command.payload.timestamp, 'number');
    assert.deepEqual(
      command.payload.metrics.map((m) => [m.name, m.datatype, m.value, m.alias]),
      [['Node Control/Rebirth', DataType.Boolean, true, undefined]],
    );
  }

  it('[tck-id-operational-behavior-host-reordering-param][tck-id-operational-behavior-host-reordering-start][tck-id-operational-behavior-host-reordering-rebirth] a gap still open after the reorder timeout brings an NCMD rebirth; held messages are kept', async () => {
    const n = await bornNode('gap');
    await n.ndata([{ alias: 1n, datatype: DataType.Int32, value: 1 }]); // seq 1
    const sentAt = Date.now();
    await n.ndata([{ alias: 1n, datatype: DataType.Int32, value: 3 }], { seq: 3 }); // seq 2 never comes
    const command = await n.waitForCommand(() => true, 5000);
    const waited = Date.now() - sentAt;
    assert.ok(waited >= REORDER_MS - 20, `rebirth only after the reorder timeout (waited ${waited} ms)`);
    assertRebirthRequest(command, n);
    assert.deepEqual(await levels(n, 3), [0, 1, 3], 'seq 3 was stored once the window gave up on seq 2');
    assert.equal(await counterValue(t.hub, 'llmiot_sparkplug_rebirth_requests_total', { reason: 'seq_gap' }), 1);
  });

  it('[tck-id-operational-behavior-host-reordering-success] a gap filled within the timeout is processed in seq order, without rebirth', async () => {
    const n = await bornNode('reorder');
    // The DDATA (seq 2) overtakes its DBIRTH (seq 1): processed early, it would be DATA for an unknown device.
    const ts = Date.now();
    await n.ddata('dev', [{ alias: 20n, datatype: DataType.Double, value: 2.5, timestamp: ts + 1 }], { seq: 2 });
    await n.dbirth('dev', [{ name: 'Flow', alias: 20n, datatype: DataType.Double, value: 1.5, timestamp: ts }], { seq: 1 });
    const device = deviceIdFor(`${n.edgeNodeId}/dev`);
    const flow = await eventually(async () => {
      const r = await t.rpc('data.query', { device_ids: [device], measurement_types: ['Flow'], time_range: { start: 0, end: Date.now() + 60_000 }, order: 'asc' });
      const values = (r.result?.series?.[0]?.points ?? []).map((p: { value: number }) => p.value);
      return values.length === 2 ? values : undefined;
    }, 5000, 'both Flow points');
    assert.deepEqual(flow, [1.5, 2.5]);
    await reorderTimeoutPassed(n);
    assert.equal(n.rebirthRequests().length, 0);
  });

  it('[tck-id-payloads-sequence-num-incrementing] counts from the NBIRTH seq and wraps 255 → 0 without a rebirth', async () => {
    const n = await bornNode('wrap', 252);
    for (let i = 1; i <= 6; i++) await n.ndata([{ alias: 1n, datatype: DataType.Int32, value: i }]); // seq 253…255, 0, 1, 2
    assert.deepEqual(await levels(n, 7), [0, 1, 2, 3, 4, 5, 6]);
    await reorderTimeoutPassed(n);
    assert.equal(n.rebirthRequests().length, 0);
  });

  it('[tck-id-operational-behavior-host-reordering-rebirth] a seq jump of 128 or more (expected 6, then 200…255, 0…5) brings an NCMD rebirth; nothing is dropped', async () => {
    const n = await bornNode('jump');
    for (let i = 1; i <= 5; i++) await n.ndata([{ alias: 1n, datatype: DataType.Int32, value: i }]); // seq 1…5: 6 expected next
    const jump = [...Array.from({ length: 56 }, (_, i) => 200 + i), 0, 1, 2, 3, 4, 5];
    const staleBefore = await rejected(t.hub, 'stale_seq');
    for (const [i, seq] of jump.entries()) await n.ndata([{ alias: 1n, datatype: DataType.Int32, value: 100 + i }], { seq });
    assertRebirthRequest(await n.waitForCommand(() => true, 5000), n);
    const stored = await levels(n, 6 + 62);
    assert.deepEqual(stored.slice(6), jump.map((_, i) => 100 + i), 'the 62 messages are stored in the order sent');
    assert.equal(await rejected(t.hub, 'stale_seq'), staleBefore, 'none is called stale');
  });

  it('DATA from an edge node the host has no NBIRTH for brings a rebirth request at once, debounced per node', async () => {
    const n = await edgeNode(t, 'nobirth');
    nodes.push(n);
    const before = await rejected(t.hub, 'data_before_birth');
    await n.ndata([{ alias: 1n, datatype: DataType.Int32, value: 5 }], { seq: 17 });
    assertRebirthRequest(await n.waitForCommand(() => true, 2000), n);
    await n.ddata('dev', [{ alias: 2n, datatype: DataType.Int32, value: 5 }], { seq: 18 });
    await eventually(async () => (await rejected(t.hub, 'data_before_birth')) === before + 2, 5000, 'the DDATA handled');
    await commandsDelivered(n);
    assert.equal(n.rebirthRequests().length, 1, 'at most one rebirth request per node per debounce window');
    const device = await t.rpc('device.get', { device_id: n.edgeNodeId });
    assert.equal(device.error?.code, -32001, 'nothing registered from DATA alone');
  });

  it('an alias the BIRTH did not define brings a rebirth request; the known metrics of the message are stored', async () => {
    const n = await bornNode('alias');
    await n.ndata([
      { alias: 1n, datatype: DataType.Int32, value: 9 },
      { alias: 99n, datatype: DataType.Int32, value: 1 },
    ]);
    const command = await n.waitForCommand(() => true, 2000);
    assertRebirthRequest(command, n);
    assert.deepEqual(await levels(n, 2), [0, 9]);
    assert.ok((await counterValue(t.hub, 'llmiot_sparkplug_rebirth_requests_total', { reason: 'unknown_alias' })) >= 1);
  });

  it('the rebirth answers (NBIRTH again) restart the session: DATA after it is accepted', async () => {
    const n = await edgeNode(t, 'reborn');
    nodes.push(n);
    await n.ndata([{ alias: 1n, datatype: DataType.Int32, value: 1 }], { seq: 40 });
    await n.waitForCommand(() => true, 2000);
    await n.nbirth(BIRTH);
    await n.ndata([{ alias: 1n, datatype: DataType.Int32, value: 2 }]);
    assert.deepEqual(await levels(n, 2), [0, 2]);
  });
});
