/**
 * `npm run bench -- --instances N`: native ingestion through one external Mosquitto and one
 * PostgreSQL schema by one hub, then by N hub instances sharing a group (src/cluster/), in the same
 * run: total throughput, and CPU-seconds per million points of every instance (each a child process).
 * The coordination cost per message is the extra CPU per message of the N instances over the one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';

export interface ScaleOutOptions {
  readonly instances: number;
  readonly messages: number;
  readonly points: number;
  readonly devices: number;
  readonly publishers: number;
  readonly postgresUrl: string;
  readonly publish: (url: string, clientIds: string[], sensors: Record<string, string[]>) => Promise<void>;
}

interface Child {
  readonly process: ChildProcess;
  last: { committed: number; cpuMs: number };
  readonly sensors: Promise<Record<string, string[]> | undefined>;
  readonly ready: Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startMosquitto(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'llmiot-bench-mosquitto-'));
  const user = process.getuid?.() === 0 ? ['user root'] : [];
  writeFileSync(join(dir, 'mosquitto.conf'), [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'max_queued_messages 0', ...user, ''].join('\n'));
  const child = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createServer().listen(port, '127.0.0.1', () => socket.close(() => resolve(false))).on('error', () => resolve(true));
    });
    if (ok) break;
  }
  return { url: `mqtt://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

function startHub(config: Record<string, unknown>, devices: number): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./cluster-hub.ts', import.meta.url).pathname, JSON.stringify(config), String(devices)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let resolveSensors!: (s: Record<string, string[]> | undefined) => void;
  let resolveReady!: () => void;
  const entry: Child = {
    process: child,
    last: { committed: 0, cpuMs: 0 },
    sensors: new Promise((resolve) => (resolveSensors = resolve)),
    ready: new Promise((resolve) => (resolveReady = resolve)),
  };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const message = JSON.parse(line) as { sensors?: Record<string, string[]>; ready?: boolean; committed?: number; cpuMs?: number };
    if (message.sensors !== undefined) resolveSensors(message.sensors);
    if (message.ready === true) {
      if (devices === 0) resolveSensors(undefined);
      resolveReady();
    }
    if (message.committed !== undefined && message.cpuMs !== undefined) entry.last = { committed: message.committed, cpuMs: message.cpuMs };
  });
  return entry;
}

export interface ScaleOutRun {
  readonly instances: number;
  readonly points: number;
  readonly seconds: number;
  /** CPU ms of each instance during the run. */
  readonly cpuMs: readonly number[];
}

async function run(options: ScaleOutOptions, instances: number, brokerUrl: string, tag: string): Promise<ScaleOutRun> {
  const schema = `llmiot_bench_${tag}_${Date.now().toString(36)}`;
  const base = (i: number): Record<string, unknown> => ({
    store: `${options.postgresUrl}?schema=${schema}`,
    mqttUrl: brokerUrl,
    mqttClientId: `bench-hub-${tag}-${i}`,
    sparkplugHostId: `bench-host-${tag}-${i}`,
    mqttSharedGroup: `bench${tag}`,
    mqttSessionExpiry: 0,
    clusterLeaseMs: 3000,
    dataDir: mkdtempSync(join(tmpdir(), 'llmiot-bench-hub-')),
    logLevel: 'silent',
    httpHost: '127.0.0.1',
  });
  const first = startHub(base(0), options.devices);
  const sensors = (await first.sensors) as Record<string, string[]>;
  await first.ready;
  const rest = Array.from({ length: instances - 1 }, (_, i) => startHub(base(i + 1), 0));
  const hubs = [first, ...rest];
  await Promise.all(hubs.map((h) => h.ready));
  // Members settle one renewal period after the last join (src/cluster/membership.ts).
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const before = hubs.map((h) => ({ ...h.last }));
  const expected = Math.ceil(options.messages / options.devices) * options.devices * options.points;
  const started = performance.now();
  await options.publish(brokerUrl, Object.keys(sensors), sensors);
  const committed = (): number => hubs.reduce((sum, h, i) => sum + h.last.committed - (before[i] as { committed: number }).committed, 0);
  while (committed() < expected && performance.now() - started < 180_000) await new Promise((resolve) => setTimeout(resolve, 100));
  const seconds = (performance.now() - started) / 1000;
  const points = committed();
  const cpuMs = hubs.map((h, i) => h.last.cpuMs - (before[i] as { cpuMs: number }).cpuMs);
  await Promise.all(hubs.map((h) => new Promise<void>((resolve) => {
    h.process.once('exit', () => resolve());
    h.process.kill('SIGTERM');
  })));
  const client = new pg.Client({ connectionString: options.postgresUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
  if (points < expected) throw new Error(`scale-out run with ${instances} instances stored ${points} of ${expected} points`);
  return { instances, points, seconds, cpuMs };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

export async function scaleOutBench(options: ScaleOutOptions): Promise<void> {
  const broker = await startMosquitto();
  try {
    console.log(`scale-out: ${fmt(options.messages)} messages × ${options.points} points from ${options.devices} devices, external Mosquitto + PostgreSQL, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const one = await run(options, 1, broker.url, 'one');
    const many = await run(options, options.instances, broker.url, 'many');
    for (const r of [one, many]) {
      const total = r.cpuMs.reduce((a, b) => a + b, 0) / 1000;
      const perMillion = (total / r.points) * 1e6;
      const per = r.cpuMs.map((ms) => ((ms / 1000 / r.points) * 1e6).toFixed(1)).join(' / ');
      console.log(`${String(r.instances).padStart(2)} instance(s) ${fmt(r.points / r.seconds).padStart(10)} points/s  ${perMillion.toFixed(1)} CPU-s per million points (per instance: ${per})`);
    }
    const cpuOne = one.cpuMs.reduce((a, b) => a + b, 0) / one.points;
    const cpuMany = many.cpuMs.reduce((a, b) => a + b, 0) / many.points;
    const perMessageUs = ((cpuMany - cpuOne) * options.points) * 1000;
    console.log(`ratio CPU per point ${options.instances}/1 ${(cpuMany / cpuOne).toFixed(2)}   coordination cost ${perMessageUs.toFixed(1)} µs CPU per message   throughput ${options.instances}/1 ${((many.points / many.seconds) / (one.points / one.seconds)).toFixed(2)}   load after ${loadavg()[0]?.toFixed(1)}`);
  } finally {
    broker.stop();
  }
}
