/**
 * Sparkplug ingestion benchmark, run by bench/run.ts: the same DDATA load (sparkplug-publisher.ts
 * child processes) once through an embedded broker to a plain subscriber (the raw relay baseline)
 * and once into a hub (decode, alias resolution, seq ordering, committed to SQLite), zero loss checked.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import mqtt from 'mqtt';
import { createHub } from '../dist/hub.js';
import { silentLogger } from '../dist/log/logger.js';
import { EmbeddedMqttBus } from '../dist/mqtt/embedded-bus.js';
import { listenMqttTcp } from '../dist/mqtt/listeners.js';

export interface SparkplugLoad {
  /** DDATA messages in all. */
  readonly messages: number;
  /** Aliased metrics per DDATA. */
  readonly metrics: number;
  readonly nodes: number;
  readonly publishers: number;
}

export interface SparkplugRun {
  readonly messages: number;
  /** Metrics (points) carried or committed. */
  readonly points: number;
  readonly seconds: number;
  /** Hub only: first to last point accepted by the pipeline (decode, aliases, seq, latest cache), before the store. */
  readonly acceptSeconds?: number;
}

function nodeIds(prefix: string, load: SparkplugLoad): string[] {
  return Array.from({ length: load.nodes }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
}

function perNode(load: SparkplugLoad): number {
  return Math.ceil(load.messages / load.nodes);
}

/** Spread the edge nodes over `publishers` child processes; resolves when all have sent everything. */
async function publish(url: string, groupId: string, ids: readonly string[], load: SparkplugLoad): Promise<void> {
  const groups = Array.from({ length: load.publishers }, (_, i) => ids.filter((_, j) => j % load.publishers === i)).filter((g) => g.length > 0);
  const script = new URL('./sparkplug-publisher.ts', import.meta.url).pathname;
  await Promise.all(
    groups.map(
      (group) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', script, url, groupId, JSON.stringify(group), String(perNode(load)), String(load.metrics)], {
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sparkplug publisher exited with ${code}`))));
        }),
    ),
  );
}

/** Publishers → embedded broker → one subscriber counting DDATA: the ceiling the hub is measured against. */
export async function sparkplugRawRelay(load: SparkplugLoad): Promise<SparkplugRun> {
  const bus = await EmbeddedMqttBus.create({});
  const listener = await listenMqttTcp(bus, { port: 0, host: '127.0.0.1' });
  const url = `mqtt://127.0.0.1:${listener.port}`;
  const subscriber = await mqtt.connectAsync(url, { clientId: 'bench-sp-subscriber', protocolVersion: 4 });
  const ids = nodeIds('sp-raw', load);
  const expected = perNode(load) * ids.length;
  let received = 0;
  let first = 0;
  let last = 0;
  const done = new Promise<void>((resolve) => {
    subscriber.on('message', (topic) => {
      if (!topic.includes('/DDATA/')) return;
      if (received === 0) first = performance.now();
      received++;
      last = performance.now();
      if (received === expected) resolve();
    });
  });
  await subscriber.subscribeAsync('spBv1.0/#', { qos: 0 });
  await publish(url, 'bench-raw', ids, load);
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  await subscriber.endAsync();
  await listener.close();
  await bus.close();
  if (received !== expected) throw new Error(`sparkplug raw relay lost messages: ${received} of ${expected}`);
  return { messages: received, points: received * load.metrics, seconds: (last - first) / 1000 };
}

/** Publishers → hub → SQLite; timed from the first point accepted to the last committed. */
export async function sparkplugIngestion(load: SparkplugLoad, dataDir: string): Promise<SparkplugRun> {
  mkdirSync(dataDir, { recursive: true });
  // Sparkplug has no way to slow an edge node down: DATA arriving while the pipeline is full is
  // dropped and counted. The buffer is sized for the whole burst so the run measures commit speed.
  const telemetryMaxPending = Math.max(1_000_000, (load.messages + load.nodes) * load.metrics * 2);
  const hub = await createHub({ store: 'sqlite', dataDir, logLevel: 'silent', mqttHost: '127.0.0.1', httpHost: '127.0.0.1', sparkplugHostId: 'llmiot-bench', telemetryMaxPending }, { logger: silentLogger });
  try {
    const listener = await listenMqttTcp(hub.bus as EmbeddedMqttBus, { port: 0, host: '127.0.0.1' });
    const url = `mqtt://127.0.0.1:${listener.port}`;
    const ids = nodeIds('sp-node', load);
    const messages = perNode(load) * ids.length;
    // Each DBIRTH's values are stored too.
    const expectedPoints = (messages + ids.length) * load.metrics;
    const base = hub.pipeline.stats();
    let first = 0;
    let allAccepted = 0;
    const watch = setInterval(() => {
      const accepted = hub.pipeline.stats().accepted - base.accepted;
      if (first === 0 && accepted > 0) first = performance.now();
      if (allAccepted === 0 && accepted >= expectedPoints) allAccepted = performance.now();
    }, 2);
    const published = publish(url, 'bench', ids, load);
    const deadline = performance.now() + 180_000;
    for (;;) {
      const s = hub.pipeline.stats();
      if (s.committed - base.committed >= expectedPoints || performance.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const end = performance.now();
    clearInterval(watch);
    await published;
    await listener.close();
    const stats = hub.pipeline.stats();
    const committed = stats.committed - base.committed;
    const rejected = await counterTotal(hub, 'llmiot_messages_rejected_total');
    const rebirths = await counterTotal(hub, 'llmiot_sparkplug_rebirth_requests_total');
    if (committed !== expectedPoints || stats.rejected > 0 || stats.dropped > 0 || rejected > 0 || rebirths > 0) {
      throw new Error(
        `sparkplug ingestion lost data: committed ${committed} of ${expectedPoints} points, pipeline rejected ${stats.rejected}, dropped ${stats.dropped}, messages rejected ${rejected}, rebirths ${rebirths}`,
      );
    }
    const stored = await hub.stores.telemetry.count();
    if (stored < expectedPoints) throw new Error(`sparkplug ingestion: store holds ${stored} points, expected ${expectedPoints}`);
    return { messages, points: messages * load.metrics, seconds: (end - first) / 1000, acceptSeconds: ((allAccepted || end) - first) / 1000 };
  } finally {
    await hub.close();
  }
}

async function counterTotal(hub: Awaited<ReturnType<typeof createHub>>, name: string): Promise<number> {
  const metric = hub.metrics.registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  return (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
}
