// A rebirth answered at once: NBIRTH, DBIRTH and the DDATA right behind them are handled strictly in order, however slow the stores.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceIdFor } from '../../../src/core/device-id.ts';
import type { Device } from '../../../src/core/device.ts';
import type { TelemetryPoint } from '../../../src/core/telemetry.ts';
import { DataType } from '../../../src/protocols/sparkplug/codec/index.ts';
import { eventually, type TestHub } from '../../support/test-hub.ts';
import type { TestEdgeNode } from './edge-node.ts';
import { counterTotal, counterValue, edgeNode, startSparkplugHub } from './host-fixtures.ts';

const RECEIVED = 'llmiot_messages_received_total';
const REBIRTHS = 'llmiot_sparkplug_rebirth_requests_total';
const SKIPPED = 'llmiot_sparkplug_metrics_skipped_total';

describe('Sparkplug host: the DDATA right behind a rebirth, with slow stores', () => {
  let t: TestHub;
  let n: TestEdgeNode;
  const slowed = { saves: 0, writes: 0 };
  // The stores wait at this gate while it is held: the test decides when they finish, not a timer.
  let gate: Promise<void> = Promise.resolve();
  let release = (): void => {};
  const hold = (): void => {
    gate = new Promise<void>((resolve) => (release = resolve));
  };

  before(async () => {
    t = await startSparkplugHub();
    // Registrations and commits still in flight when the next message arrives: the host must not wait on them, nor run ahead of them.
    const registry = t.hub.stores.registry;
    const saveDevice = registry.saveDevice.bind(registry);
    registry.saveDevice = async (device: Device) => {
      slowed.saves++;
      await gate;
      return saveDevice(device);
    };
    const telemetry = t.hub.stores.telemetry;
    const write = telemetry.write.bind(telemetry);
    telemetry.write = async (points: readonly TelemetryPoint[]) => {
      slowed.writes++;
      await gate;
      return write(points);
    };
    n = await edgeNode(t, 'rebirth-order');
  });
  after(async () => {
    await n.close();
    await t.close();
  });

  async function latest(): Promise<Record<string, unknown>> {
    const r = await t.rpc('data.latest', { device_ids: [deviceIdFor(`${n.edgeNodeId}/dev`)] });
    return Object.fromEntries((r.result?.readings ?? []).map((p: { measurement_type: string; value: unknown }) => [p.measurement_type, p.value]));
  }

  it('types the DDATA by the DBIRTH just before it, lets it win a tie at one ms, and asks for one rebirth only', async () => {
    await n.nbirth([]);
    await n.dbirth('dev', [{ name: 'Mode', datatype: DataType.String, value: 'auto' }]);
    await eventually(async () => (await t.rpc('device.get', { device_id: `${n.edgeNodeId}/dev` })).result, 5000, 'device registered');
    // A metric the DBIRTH never announced: the host's picture is stale.
    await n.ddata('dev', [{ name: 'Setpoint', datatype: DataType.Double, value: 1 }]);
    await n.waitForCommand((c) => c.topic.includes('/NCMD/'), 5000);
    const unknown = await counterValue(t.hub, SKIPPED, { reason: 'unknown_metric' });
    const saves = slowed.saves;
    const received = await counterValue(t.hub, RECEIVED, { protocol: 'sparkplug', type: 'DDATA' });
    // The node answers at once: its new births announce Setpoint, and DATA follows in the same ms, before any store is done.
    hold();
    const ts = Date.now();
    await n.nbirth([], { timestamp: ts });
    await n.send('DBIRTH', 'dev', [
      { name: 'Mode', datatype: DataType.String, value: 'auto' },
      { name: 'Setpoint', datatype: DataType.Double, value: 1 },
    ], { timestamp: ts });
    await n.ddata('dev', [
      { name: 'Mode', datatype: DataType.String, value: 'manual' },
      { name: 'Setpoint', datatype: DataType.Double, value: 2 },
    ], { timestamp: ts });
    // The DDATA has reached the host while the births' registry save is still held at the gate.
    await eventually(async () => (await counterValue(t.hub, RECEIVED, { protocol: 'sparkplug', type: 'DDATA' })) > received, 5000, 'the DDATA received');
    assert.ok(slowed.saves > saves, 'the births are being saved');
    release();
    const values = await eventually(async () => {
      const now = await latest();
      return now['Setpoint'] === 2 ? now : undefined;
    }, 5000, 'the DDATA after the births stored');
    assert.deepEqual(values, { Mode: 'manual', Setpoint: 2 });
    assert.ok(slowed.saves > saves && slowed.writes > 0, 'the births were registered and committed through the held stores');
    assert.equal(await counterValue(t.hub, SKIPPED, { reason: 'unknown_metric' }), unknown, 'Setpoint in the DDATA was known from the new DBIRTH');
    assert.equal(await counterTotal(t.hub, REBIRTHS), 1, 'one stale picture, one rebirth request');
    assert.equal(n.rebirthRequests().length, 1);
  });
});
