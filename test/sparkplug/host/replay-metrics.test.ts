// Scale-out replay: what a new owner replays from the window other instances kept is stored, and counted apart
// from received messages (the dead owner counted them on arrival), so message rates stay true.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TelemetryPoint } from '../../../src/core/telemetry.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { HubMetrics } from '../../../src/metrics/hub-metrics.ts';
import { MemoryMqttBus } from '../../../src/mqtt/memory-bus.ts';
import { DataType, encodePayload } from '../../../src/protocols/sparkplug/codec/index.ts';
import { HostStateMessages } from '../../../src/protocols/sparkplug/host/host-state.ts';
import { SparkplugHost } from '../../../src/protocols/sparkplug/host/sparkplug-host.ts';
import { uniqueSuffix } from '../../support/services.ts';
import type { TestHub } from '../../support/test-hub.ts';
import { startSparkplugHub } from './host-fixtures.ts';

async function count(metrics: HubMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  return values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))?.value ?? 0;
}

describe('Sparkplug host: a scale-out replay', () => {
  let t: TestHub;
  let bus: MemoryMqttBus;
  let host: SparkplugHost;
  let metrics: HubMetrics;

  before(async () => {
    t = await startSparkplugHub();
    // A second host on the hub's registry and ingress, as the new owner of a node: its counters are its own.
    bus = new MemoryMqttBus();
    metrics = new HubMetrics();
    host = new SparkplugHost({
      bus,
      registry: t.hub.registry,
      ingress: t.hub.ingress,
      logger: silentLogger,
      metrics,
      state: new HostStateMessages(`replay-${uniqueSuffix()}`, Date.now()),
      maxMessageBytes: 256 * 1024,
    });
    await host.start();
  });
  after(async () => {
    await host.stop();
    await bus.close();
    await t.close();
  });

  it('stores the replayed DATA and counts it in llmiot_sparkplug_replayed_messages_total, not in llmiot_messages_received_total', async () => {
    const node = `replay-node-${uniqueSuffix()}`;
    const ts = Date.now();
    const stored = new Promise<readonly TelemetryPoint[]>((resolve) => {
      const off = t.hub.events.on('telemetry', ({ points }) => {
        if (!points.some((p) => p.value === 21.5)) return;
        off();
        resolve(points);
      });
    });
    host.replay([
      {
        topic: `spBv1.0/g/NBIRTH/${node}`,
        payload: Buffer.from(encodePayload({ timestamp: ts, seq: 0n, metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: 0n }, { name: 'Temperature', alias: 1n, datatype: DataType.Double, value: 20 }] })),
        resume: false,
      },
      { topic: `spBv1.0/g/NDATA/${node}`, payload: Buffer.from(encodePayload({ timestamp: ts + 1, seq: 1n, metrics: [{ alias: 1n, datatype: DataType.Double, value: 21.5, timestamp: ts + 1 }] })), resume: false },
    ]);
    await stored;
    assert.equal(await count(metrics, 'llmiot_sparkplug_replayed_messages_total', { type: 'NBIRTH' }), 1);
    assert.equal(await count(metrics, 'llmiot_sparkplug_replayed_messages_total', { type: 'NDATA' }), 1);
    assert.equal(await count(metrics, 'llmiot_messages_received_total', { protocol: 'sparkplug', type: 'NDATA' }), 0);
    assert.equal(await count(metrics, 'llmiot_messages_received_total', { protocol: 'sparkplug', type: 'NBIRTH' }), 0);
  });

  it('counts a replayed message it rejects in llmiot_sparkplug_replay_rejected_total, not again in llmiot_messages_rejected_total', async () => {
    const node = `replay-stale-${uniqueSuffix()}`;
    const ts = Date.now();
    const rejectedBefore = await count(metrics, 'llmiot_messages_rejected_total', { protocol: 'sparkplug', reason: 'stale_seq' });
    const data = (seq: bigint, value: number): { topic: string; payload: Buffer; resume: boolean } => ({
      topic: `spBv1.0/g/NDATA/${node}`,
      payload: Buffer.from(encodePayload({ timestamp: ts + Number(seq), seq, metrics: [{ alias: 1n, datatype: DataType.Double, value, timestamp: ts + Number(seq) }] })),
      resume: false,
    });
    const stored = new Promise<void>((resolve) => {
      const off = t.hub.events.on('telemetry', ({ points }) => {
        if (!points.some((p) => p.value === 31.5)) return;
        off();
        resolve();
      });
    });
    // The window holds a message twice (seq 1 again after seq 2): the second one is behind the session's order.
    host.replay([
      {
        topic: `spBv1.0/g/NBIRTH/${node}`,
        payload: Buffer.from(encodePayload({ timestamp: ts, seq: 0n, metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: 0n }, { name: 'Temperature', alias: 1n, datatype: DataType.Double, value: 30 }] })),
        resume: false,
      },
      data(1n, 30.5),
      data(2n, 31.5),
      data(1n, 30.5),
    ]);
    await stored;
    assert.equal(await count(metrics, 'llmiot_sparkplug_replay_rejected_total', { reason: 'stale_seq' }), 1);
    assert.equal(await count(metrics, 'llmiot_messages_rejected_total', { protocol: 'sparkplug', reason: 'stale_seq' }), rejectedBefore);
  });
});
