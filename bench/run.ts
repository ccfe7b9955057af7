/**
 * `npm run bench`: in one run on this machine, measure
 *   1. raw MQTT relay: publishers → embedded broker → one subscriber (no hub), the baseline;
 *   2. hub ingestion: the same publishers → broker → hub → committed to the SQLite store, zero loss checked,
 *      at QoS 0 and at QoS 1 (each PUBACK sent after its points are committed: docs/durability.md);
 *      then at QoS 0 under --device-auth credentials (each publisher logs in as its device, every PUBLISH
 *      checked against the device ACL), with the cost of a CONNECT's password check, first and repeated;
 *   3. Sparkplug: the same raw relay of DDATA messages (10 aliased metrics each) vs hub ingestion of
 *      them (decode, alias resolution, seq check, committed to SQLite), zero loss checked;
 *   4. data.query latency (p50/p99) over ≥ 10 million stored points: hourly average over one day of one device;
 *   5. the MCP tool list: bytes and tokens (bytes/4) of tools/list at 20, 200 and 2,000 devices, < 4,000 tokens;
 *   6. device.list at 10,000 devices, first page with and without a zone filter, as a ratio to device.get
 *      measured in the same run (bench/device-list-bench.ts).
 * Prints a table and the hub/raw ratios. `--only tools` runs 5 alone, `--only device-list` 6. Flags: --messages N (per run, default 300000; 0 skips the native
 * runs), --publishers N (2), --points N (readings per message, 5), --sparkplug-messages N (DDATA per run,
 * 300000; 0 skips), --sparkplug-metrics N (per DDATA, 10), --stored N (points for the query test, 10000000).
 * --instances N runs only the scale-out comparison (bench/scale-out-bench.ts): one hub vs N instances on
 * a private Mosquitto and PostgreSQL (--postgres-url), CPU per point of each instance; --messages defaults to
 * 100000 there.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { listenHttp } from '../dist/api/http-server.js';
import { createHub } from '../dist/hub.js';
import { createLogger, silentLogger } from '../dist/log/logger.js';
import { EmbeddedMqttBus } from '../dist/mqtt/embedded-bus.js';
import { listenMqttTcp } from '../dist/mqtt/listeners.js';
import { aclCheckNs } from './acl-micro.ts';
import { loadPoints, queryLatency } from './query-bench.ts';
import { sparkplugIngestion, sparkplugRawRelay } from './sparkplug-bench.ts';
import { scaleOutBench } from './scale-out-bench.ts';
import { TOKEN_BUDGET, toolListSizes } from './tools-bench.ts';
import { deviceListBench } from './device-list-bench.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string' },
    publishers: { type: 'string', default: '2' },
    devices: { type: 'string', default: '20' },
    points: { type: 'string', default: '5' },
    stored: { type: 'string', default: '10000000' },
    'sparkplug-messages': { type: 'string', default: '300000' },
    'sparkplug-metrics': { type: 'string', default: '10' },
    instances: { type: 'string' },
    'postgres-url': { type: 'string', default: process.env['LLMIOT_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test' },
    only: { type: 'string' },
  },
});
// The scale-out comparison sends the fleet's messages twice, to one hub and to N, each into PostgreSQL:
// 100,000 keep each run within its 180 s commit deadline on a two-core machine.
const MESSAGES = Number(values.messages ?? (values.instances === undefined ? 300_000 : 100_000));
const PUBLISHERS = Number(values.publishers);
const DEVICES = Number(values.devices);
const POINTS = Number(values.points);
const STORED = Number(values.stored);
const SPARKPLUG = { messages: Number(values['sparkplug-messages']), metrics: Number(values['sparkplug-metrics']), nodes: DEVICES, publishers: PUBLISHERS };

interface RunResult {
  messages: number;
  points: number;
  seconds: number;
}

/** Spread `devices` client ids over `PUBLISHERS` child processes, each sending its share of MESSAGES. */
async function publish(url: string, clientIds: string[], sensors: Record<string, string[]>, qos: 0 | 1 = 0, passwords?: Record<string, string>): Promise<void> {
  const perClient = Math.ceil(MESSAGES / clientIds.length);
  const groups = Array.from({ length: PUBLISHERS }, (_, i) => clientIds.filter((_, j) => j % PUBLISHERS === i)).filter((g) => g.length > 0);
  await Promise.all(
    groups.map(
      (group) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            ['--import', 'tsx', new URL('./publisher.ts', import.meta.url).pathname, url, JSON.stringify(group), String(perClient), String(POINTS), JSON.stringify(sensors), String(qos), ...(passwords === undefined ? [] : [JSON.stringify(passwords)])],
            { stdio: ['ignore', 'pipe', 'inherit'] },
          );
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`publisher exited with ${code}`))));
        }),
    ),
  );
}

function ids(prefix: string): string[] {
  return Array.from({ length: DEVICES }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
}

async function rawRelay(): Promise<RunResult> {
  const bus = await EmbeddedMqttBus.create({});
  const listener = await listenMqttTcp(bus, { port: 0, host: '127.0.0.1' });
  const url = `mqtt://127.0.0.1:${listener.port}`;
  const subscriber = await mqtt.connectAsync(url, { clientId: 'bench-subscriber', protocolVersion: 4 });
  const clients = ids('raw');
  const expected = Math.ceil(MESSAGES / clients.length) * clients.length;
  let received = 0;
  let first = 0;
  let last = 0;
  const done = new Promise<void>((resolve) => {
    subscriber.on('message', () => {
      if (received === 0) first = performance.now();
      received++;
      last = performance.now();
      if (received === expected) resolve();
    });
  });
  await subscriber.subscribeAsync('llmiot/v1/+/up', { qos: 0 });
  const sensors = Object.fromEntries(clients.map((c) => [c, ['00000000-0000-4000-8000-000000000000']]));
  const started = performance.now();
  await publish(url, clients, sensors);
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  await subscriber.endAsync();
  await listener.close();
  await bus.close();
  if (received !== expected) throw new Error(`raw relay lost messages: ${received} of ${expected}`);
  void started;
  return { messages: received, points: received * POINTS, seconds: (last - first) / 1000 };
}

async function hubIngestion(dataDir: string, credentials = false, qos: 0 | 1 = 0): Promise<RunResult & { hub: Awaited<ReturnType<typeof createHub>>; checkMs?: { first: number; repeated: number } }> {
  const deviceAuth = credentials ? 'credentials' : 'open';
  const hub = await createHub({ store: 'sqlite', dataDir, logLevel: 'silent', mqttHost: '127.0.0.1', httpHost: '127.0.0.1', deviceAuth }, { logger: process.env['BENCH_LOG'] ? createLogger({ level: 'debug' }) : silentLogger });
  const bus = hub.bus as EmbeddedMqttBus;
  const listener = await listenMqttTcp(bus, { port: 0, host: '127.0.0.1' });
  const url = `mqtt://127.0.0.1:${listener.port}`;
  const clients = ids('esp32-bench');
  const sensors: Record<string, string[]> = {};
  for (const clientId of clients) {
    const ctx = { transport: 'internal' as const };
    const reg = (await hub.dispatcher.invoke('device.register', { device_type: 'mcu', hardware_id: clientId, static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3' }, zone: 'Zone A' }, ctx)) as { device_id: string };
    const bmp = (await hub.dispatcher.invoke('sensor.discover', { mcu_id: reg.device_id, static_schema: { manufacturer: 'Bosch', model: 'BMP580', communication: { primary_protocol: 'I2C', i2c: { address: '0x47' } } } }, ctx)) as { sensor_id: string };
    const as5600 = (await hub.dispatcher.invoke('sensor.discover', { mcu_id: reg.device_id, static_schema: { manufacturer: 'ams', model: 'AS5600', communication: { primary_protocol: 'I2C', i2c: { address: '0x36' } } } }, ctx)) as { sensor_id: string };
    const soil = (await hub.dispatcher.invoke('sensor.discover', { mcu_id: reg.device_id, static_schema: { manufacturer: 'Adafruit', model: 'Soil Moisture Sensor', communication: { primary_protocol: 'analog', analog: { pin: 26 } } } }, ctx)) as { sensor_id: string };
    sensors[clientId] = [bmp.sensor_id, bmp.sensor_id, as5600.sensor_id, soil.sensor_id, reg.device_id];
  }
  let passwords: Record<string, string> | undefined;
  let checkMs: { first: number; repeated: number } | undefined;
  if (credentials) {
    passwords = {};
    for (const clientId of clients) passwords[clientId] = (await hub.credentials.create(clientId)).password;
    // What a CONNECT's password check costs: the first (PBKDF2) and a repeated one (remembered).
    const timeChecks = async (): Promise<number> => {
      const t0 = performance.now();
      for (const clientId of clients) if (!(await hub.credentials.check(clientId, passwords?.[clientId] ?? '')).ok) throw new Error(`check failed: ${clientId}`);
      return (performance.now() - t0) / clients.length;
    };
    checkMs = { first: await timeChecks(), repeated: await timeChecks() };
  }
  const expectedPoints = Math.ceil(MESSAGES / clients.length) * clients.length * POINTS;
  const base = hub.pipeline.stats().committed;
  const started = performance.now();
  await publish(url, clients, sensors, qos, passwords);
  for (;;) {
    await hub.pipeline.flush();
    const s = hub.pipeline.stats();
    if (s.committed - base >= expectedPoints || performance.now() - started > 120_000) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  const stats = hub.pipeline.stats();
  await listener.close();
  const committed = stats.committed - base;
  if (committed !== expectedPoints || stats.rejected > 0 || stats.dropped > 0) {
    throw new Error(`hub lost telemetry: committed ${committed} of ${expectedPoints}, rejected ${stats.rejected}, dropped ${stats.dropped}`);
  }
  return { messages: committed / POINTS, points: committed, seconds, hub, ...(checkMs !== undefined && { checkMs }) };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

if (values.only !== undefined && values.only !== 'tools' && values.only !== 'device-list') throw new Error(`--only takes "tools" or "device-list", not ${values.only}`);
// The tool list and device.list first: they need no broker and take seconds.
if (values.only !== 'device-list') {
  for (const row of await toolListSizes()) {
    console.log(`tools/list     ${fmt(row.devices).padStart(6)} devices  ${row.tools} tools  ${fmt(row.bytes).padStart(7)} bytes  ${fmt(row.tokens).padStart(6)} tokens (bytes/4, budget ${fmt(TOKEN_BUDGET)})`);
  }
}
if (values.only !== 'tools') {
  for (const row of await deviceListBench()) {
    console.log(`${row.name.padEnd(42)} ${row.medianMs.toFixed(3).padStart(8)} ms median  ×${row.ratio.toFixed(1).padStart(6)} device.get  (${fmt(row.total)} selected)`);
  }
}
if (values.only !== undefined) process.exit(0);

if (values.instances !== undefined) {
  // Scale-out only: one hub vs N instances on an external Mosquitto and PostgreSQL (bench/scale-out-bench.ts).
  await scaleOutBench({
    instances: Number(values.instances),
    messages: MESSAGES,
    points: POINTS,
    devices: DEVICES,
    publishers: PUBLISHERS,
    postgresUrl: values['postgres-url'],
    publish: (url, clientIds, sensors) => publish(url, clientIds, sensors),
  });
  process.exit(0);
}

const dataDir = mkdtempSync(join(tmpdir(), 'llmiot-bench-'));
try {
  let hub: Awaited<ReturnType<typeof createHub>> | undefined;
  if (MESSAGES > 0) {
    console.log(`llm-iot bench: ${fmt(MESSAGES)} messages × ${POINTS} points from ${DEVICES} devices over ${PUBLISHERS} publisher processes`);
    const raw = process.env['BENCH_SKIP_RAW'] ? { messages: 1, points: 1, seconds: 1 } : await rawRelay();
    console.log(`raw relay      ${fmt(raw.messages / raw.seconds).padStart(10)} msg/s ${fmt(raw.points / raw.seconds).padStart(12)} points/s`);
    const ingest = await hubIngestion(dataDir);
    console.log(`hub ingestion  ${fmt(ingest.messages / ingest.seconds).padStart(10)} msg/s ${fmt(ingest.points / ingest.seconds).padStart(12)} points/s  (committed to SQLite, zero loss)`);
    console.log(`ratio hub/raw  ${((ingest.messages / ingest.seconds) / (raw.messages / raw.seconds)).toFixed(2)}`);
    hub = ingest.hub;
    // QoS 1: each PUBACK waits for the commit of its points (acknowledged means stored).
    const durable = await hubIngestion(join(dataDir, 'qos1'), false, 1);
    await durable.hub.close();
    console.log(`hub QoS 1      ${fmt(durable.messages / durable.seconds).padStart(10)} msg/s ${fmt(durable.points / durable.seconds).padStart(12)} points/s  (PUBACK after commit to SQLite, zero loss)`);
    console.log(`ratio QoS1/raw ${((durable.messages / durable.seconds) / (raw.messages / raw.seconds)).toFixed(2)}   QoS1/QoS0 ${((durable.messages / durable.seconds) / (ingest.messages / ingest.seconds)).toFixed(2)}`);
    const secured = await hubIngestion(join(dataDir, 'credentials'), true);
    console.log(`hub ingestion  ${fmt(secured.messages / secured.seconds).padStart(10)} msg/s ${fmt(secured.points / secured.seconds).padStart(12)} points/s  (--device-auth credentials: logged-in devices, ACL on every PUBLISH)`);
    console.log(`ratio cred/open ${((secured.messages / secured.seconds) / (ingest.messages / ingest.seconds)).toFixed(2)}`);
    console.log(`ACL per PUBLISH ${(await aclCheckNs()).toFixed(0)} ns (DeviceAuth.authorizePublish, topic verdict remembered per connection)`);
    if (secured.checkMs !== undefined) console.log(`CONNECT check  first ${secured.checkMs.first.toFixed(1)} ms (PBKDF2-SHA512, 210000 rounds)  repeated ${secured.checkMs.repeated.toFixed(3)} ms (remembered)`);
    await secured.hub.close();
  }
  if (SPARKPLUG.messages > 0) {
    console.log(`sparkplug: ${fmt(SPARKPLUG.messages)} DDATA × ${SPARKPLUG.metrics} aliased metrics from ${SPARKPLUG.nodes} edge nodes over ${SPARKPLUG.publishers} publisher processes`);
    const raw = await sparkplugRawRelay(SPARKPLUG);
    console.log(`sp raw relay   ${fmt(raw.messages / raw.seconds).padStart(10)} msg/s ${fmt(raw.points / raw.seconds).padStart(12)} metrics/s`);
    const ingest = await sparkplugIngestion(SPARKPLUG, join(dataDir, 'sparkplug'));
    const accept = ingest.acceptSeconds ?? ingest.seconds;
    console.log(`sp hub accept  ${fmt(ingest.messages / accept).padStart(10)} msg/s ${fmt(ingest.points / accept).padStart(12)} metrics/s  (decoded, typed, in the pipeline)`);
    console.log(`sp ingestion   ${fmt(ingest.messages / ingest.seconds).padStart(10)} msg/s ${fmt(ingest.points / ingest.seconds).padStart(12)} metrics/s  (committed to SQLite, zero loss, no rebirth)`);
    console.log(`ratio sp/raw   ${((ingest.messages / ingest.seconds) / (raw.messages / raw.seconds)).toFixed(2)}`);
  }
  if (STORED === 0) {
    await hub?.close();
    process.exit(0);
  }
  hub ??= await createHub({ store: 'sqlite', dataDir, logLevel: 'silent', mqttHost: '127.0.0.1', httpHost: '127.0.0.1' }, { logger: silentLogger });
  const loaded = await loadPoints(hub, STORED);
  const http = await listenHttp(hub.http, { port: 0, host: '127.0.0.1' });
  const latency = await queryLatency(http.url, loaded.deviceId, loaded.day);
  console.log(`data.query     p50 ${latency.p50.toFixed(2)} ms  p99 ${latency.p99.toFixed(2)} ms  (hourly avg over one day of one device, ${fmt(loaded.total)} points stored, over HTTP)`);
  await http.close();
  await hub.close();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
