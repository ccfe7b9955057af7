// Bad input from one edge node is refused, logged and counted; every other node keeps working.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceIdFor } from '../../../src/core/device-id.ts';
import { DataType, compressPayload, encodePayload } from '../../../src/protocols/sparkplug/codec/index.ts';
import { eventually, type TestHub } from '../../support/test-hub.ts';
import type { TestEdgeNode } from './edge-node.ts';
import { counterValue, edgeNode, rejected, startSparkplugHub } from './host-fixtures.ts';

const MAX_BYTES = 8192;
const BIRTH = [{ name: 'Level', alias: 1n, datatype: DataType.Int32, value: 0 }];

describe('Sparkplug host: malformed input', () => {
  let t: TestHub;
  let good: TestEdgeNode;
  let bad: TestEdgeNode;
  let level = 0;

  before(async () => {
    t = await startSparkplugHub({ maxMessageBytes: MAX_BYTES });
    good = await edgeNode(t, 'good');
    bad = await edgeNode(t, 'bad');
    await good.nbirth(BIRTH);
    await bad.nbirth(BIRTH);
    await eventually(async () => (await t.rpc('device.get', { device_id: bad.edgeNodeId })).result?.status === 'online', 5000, 'bad node born');
  });
  after(async () => {
    await Promise.all([good.close(), bad.close()]);
    await t.close();
  });

  /** The good node's next value is stored: the hub still ingests. */
  async function goodStillWorks(): Promise<void> {
    level++;
    const value = level;
    await good.ndata([{ alias: 1n, datatype: DataType.Int32, value }]);
    await eventually(async () => {
      const r = await t.rpc('data.latest', { device_ids: [deviceIdFor(good.edgeNodeId)], measurement_types: ['Level'] });
      return r.result?.readings?.[0]?.value === value;
    }, 5000, `good node value ${value}`);
  }

  async function expectRejected(reason: string, before: number): Promise<void> {
    await eventually(async () => (await rejected(t.hub, reason)) === before + 1, 5000, `one more ${reason}`);
  }

  it('refuses garbage bytes as malformed_payload', async () => {
    const before = await rejected(t.hub, 'malformed_payload');
    await bad.publishRaw(bad.topic('NDATA'), Buffer.from('this is not protobuf \u0000\u00ff\u00fe'));
    await expectRejected('malformed_payload', before);
    await goodStillWorks();
  });

  it('refuses a truncated payload as malformed_payload', async () => {
    const whole = encodePayload({ timestamp: Date.now(), seq: 1n, metrics: [{ alias: 1n, datatype: DataType.Int32, value: 5, timestamp: Date.now() }] });
    const before = await rejected(t.hub, 'malformed_payload');
    await bad.publishRaw(bad.topic('NDATA'), whole.subarray(0, whole.length - 3));
    await expectRejected('malformed_payload', before);
    await goodStillWorks();
  });

  it('refuses a payload larger than maxMessageBytes before decoding it', async () => {
    const huge = encodePayload({ timestamp: Date.now(), seq: 1n, metrics: [{ alias: 1n, datatype: DataType.String, value: 'x'.repeat(MAX_BYTES) }] });
    const before = await rejected(t.hub, 'oversized');
    // Published inside the hub: on the embedded broker a client's oversized PUBLISH is already refused
    // by the broker (it disconnects the client); on an external broker this check is what stops it.
    await t.hub.bus.publish(bad.topic('NDATA'), Buffer.from(huge));
    await expectRejected('oversized', before);
    await goodStillWorks();
  });

  it('refuses topics outside the Sparkplug topic structure', async () => {
    const before = await rejected(t.hub, 'bad_topic');
    await bad.publishRaw(`spBv1.0/${bad.groupId}/NDATA/${bad.edgeNodeId}/not-a-device-message`, encodePayload({ metrics: [] }));
    await bad.publishRaw(`spBv1.0/${bad.groupId}/NOPE/${bad.edgeNodeId}`, encodePayload({ metrics: [] }));
    await eventually(async () => (await rejected(t.hub, 'bad_topic')) === before + 2, 5000, 'two bad topics');
    await goodStillWorks();
  });

  it('ignores retained DATA (only STATE is ever retained)', async () => {
    const before = await rejected(t.hub, 'retained');
    const payload = encodePayload({ timestamp: Date.now(), seq: 1n, metrics: [{ alias: 1n, datatype: DataType.Int32, value: 7 }] });
    await bad.publishRaw(bad.topic('NDATA'), payload, { retain: true });
    // A retained message reaches only new subscribers; a second hub subscribing now sees it.
    const late = await startSparkplugHub({ mqttUrl: t.mqttUrl });
    try {
      await eventually(async () => (await rejected(late.hub, 'retained')) === 1, 5000, 'retained DATA refused');
    } finally {
      await late.close();
      await bad.publishRaw(bad.topic('NDATA'), Buffer.alloc(0), { retain: true });
    }
    assert.equal(await rejected(t.hub, 'retained'), before);
  });

  it('[tck-id-payloads-alias-uniqueness] refuses a BIRTH with duplicate aliases and asks for a rebirth', async () => {
    const dup = await edgeNode(t, 'dup');
    try {
      const before = await rejected(t.hub, 'duplicate_alias');
      await dup.nbirth([
        { name: 'A', alias: 5n, datatype: DataType.Int32, value: 1 },
        { name: 'B', alias: 5n, datatype: DataType.Int32, value: 2 },
      ]);
      const command = await dup.waitForCommand(() => true, 3000);
      assert.equal(command.payload.metrics[0]?.name, 'Node Control/Rebirth');
      await expectRejected('duplicate_alias', before);
      assert.equal((await t.rpc('device.get', { device_id: dup.edgeNodeId })).error?.code, -32001, 'the node was not registered');
      assert.equal(await counterValue(t.hub, 'llmiot_sparkplug_rebirth_requests_total', { reason: 'duplicate_alias' }), 1);
      // A DBIRTH reusing an alias of the NBIRTH is refused the same way.
      await dup.nbirth([{ name: 'A', alias: 5n, datatype: DataType.Int32, value: 1 }]);
      await eventually(async () => (await t.rpc('device.get', { device_id: dup.edgeNodeId })).result?.status === 'online', 5000, 'born');
      await dup.dbirth('d1', [{ name: 'C', alias: 5n, datatype: DataType.Int32, value: 3 }]);
      await expectRejected('duplicate_alias', before + 1);
      assert.equal((await t.rpc('device.get', { device_id: `${dup.edgeNodeId}/d1` })).error?.code, -32001);
    } finally {
      await dup.close();
    }
    await goodStillWorks();
  });

  it('accepts a DEFLATE-compressed payload (uuid SPBV1.0_COMPRESSED)', async () => {
    level++;
    const value = level;
    await good.publishRaw(good.topic('NDATA'), compressPayload({ timestamp: Date.now(), seq: BigInt(good.seq), metrics: [{ alias: 1n, value, timestamp: Date.now() }] }));
    good.seq = (good.seq + 1) % 256;
    await eventually(async () => {
      const r = await t.rpc('data.latest', { device_ids: [deviceIdFor(good.edgeNodeId)], measurement_types: ['Level'] });
      return r.result?.readings?.[0]?.value === value;
    }, 5000, 'compressed value stored');
  });

  it('after all that the hub is healthy and counts every Sparkplug message by type', async () => {
    const health = await fetch(`${t.httpUrl}/healthz`);
    assert.equal(health.status, 200);
    assert.ok((await counterValue(t.hub, 'llmiot_messages_received_total', { protocol: 'sparkplug', type: 'NDATA' })) >= 5);
    assert.ok((await counterValue(t.hub, 'llmiot_messages_received_total', { protocol: 'sparkplug', type: 'NBIRTH' })) >= 2);
  });
});
