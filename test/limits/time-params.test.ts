/**
 * Times a client or device sends that the hub cannot hold answer -32602 or fall back to the arrival
 * time; none may reach `toISOString()` and turn into -32603 later (issue 10, "Wrong error codes").
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, type TestHub } from '../support/test-hub.ts';
import type { TestEdgeNode } from '../sparkplug/host/edge-node.ts';
import { NODE_METRICS, edgeNode, startSparkplugHub } from '../sparkplug/host/host-fixtures.ts';

describe('times outside 1970…9999', () => {
  let t: TestHub;
  let node: TestEdgeNode | undefined;
  before(async () => {
    t = await startSparkplugHub();
  });
  after(async () => {
    await node?.close();
    await t.close();
  });

  it('command.list and audit.list `since`: -32602 naming the parameter, not an ignored filter', async () => {
    for (const method of ['command.list', 'audit.list']) {
      for (const since of [1e20, -1e16, '+275760-09-13T00:00:00.001Z', 'yesterday']) {
        const r = await t.rpc(method, { since });
        assert.equal(r.error?.code, -32602, `${method} ${JSON.stringify(since)}: ${JSON.stringify(r)}`);
        assert.equal(r.error.data.issues[0].path, '/since');
      }
    }
  });

  it('a Sparkplug NBIRTH timed beyond the Date range: mcu.get_status and device.get answer, birth time is the arrival time', async () => {
    node = await edgeNode(t, 'farbirth');
    const before = Date.now();
    await node.nbirth(NODE_METRICS, { timestamp: 9e15 });
    await eventually(async () => (await t.rpc('device.get', { device_id: node?.edgeNodeId })).result?.status === 'online', 5000, 'edge node online');
    const status = await t.rpc('mcu.get_status', { mcu_id: node.edgeNodeId });
    assert.equal(status.error, undefined, JSON.stringify(status.error));
    assert.ok(Date.parse(status.result.sparkplug.birth_time) >= before - 1000);
    const got = await t.rpc('device.get', { device_id: node.edgeNodeId });
    assert.equal(got.error, undefined, JSON.stringify(got.error));
    assert.ok(got.result.dynamic_state.sparkplug.since <= Date.now());
  });
});
