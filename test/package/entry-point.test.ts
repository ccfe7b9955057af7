/** The published entry point: a program outside the repository imports 'llm-iot' by name (dist/ via the exports map) and runs a hub. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A consumer program: in-process hub, its HTTP and MQTT on port 0, one simulated board, then device.list over HTTP. */
const CONSUMER = `
import { createHub, listenHttp, listenMqttTcp, EmbeddedMqttBus, HubError, simulator } from 'llm-iot';
import { Fleet } from 'llm-iot/simulator';

const hub = await createHub({ store: 'memory', logLevel: 'silent', mqttHost: '127.0.0.1', httpHost: '127.0.0.1', sparkplugHostId: 'pkg-entry-' + process.pid });
const http = await listenHttp(hub.http, { port: 0, host: '127.0.0.1' });
if (!(hub.bus instanceof EmbeddedMqttBus)) throw new Error('expected the embedded broker');
const mqtt = await listenMqttTcp(hub.bus, { port: 0, host: '127.0.0.1' });
const fleet = new Fleet({ url: 'mqtt://127.0.0.1:' + mqtt.port, count: 1, boards: ['pico-w'], idPrefix: 'pkg', telemetryIntervalMs: 60000 });
await fleet.start();
const res = await fetch(http.url + '/rpc', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'device.list', params: { type: 'mcu', include_schema: false } }),
});
const { result } = await res.json();
await fleet.stop();
await mqtt.close();
await http.close();
await hub.close();
console.log(JSON.stringify({ sameFleet: simulator.Fleet === Fleet, hubError: new HubError('DEVICE_NOT_FOUND', 'x').rpcCode, total: result.total, hardware: result.devices.map((d) => d.hardware_id) }));
`;

/** The same program's imports, type-checked as a TypeScript consumer would (types through the exports map). */
const TYPED_CONSUMER = `
import { createHub, type Hub, type HubConfig, type MqttBus, type TelemetryStore } from 'llm-iot';
import { runFleet, type FleetSummary } from 'llm-iot/simulator';
const config: Partial<HubConfig> = { store: 'memory', maxMessageBytes: 65536 };
const hub: Hub = await createHub(config);
const bus: MqttBus = hub.bus;
const store: TelemetryStore = hub.stores.telemetry;
const summary: Promise<FleetSummary> = runFleet({ count: 0, durationMs: 0 });
void [bus, store, summary];
// @ts-expect-error deep imports are not part of the API
import type { Hub as DeepHub } from 'llm-iot/dist/hub.js';
export type { DeepHub };
`;

describe("package entry point 'llm-iot'", () => {
  let dir = '';
  before(() => {
    assert.ok(existsSync(join(ROOT, 'dist/index.js')), 'dist/index.js is missing: run `npm run build` first');
    dir = mkdtempSync(join(tmpdir(), 'llmiot-consumer-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules/llm-iot'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    writeFileSync(join(dir, 'consumer.mjs'), CONSUMER);
    writeFileSync(join(dir, 'consumer.ts'), TYPED_CONSUMER);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('imports createHub by package name with plain node, starts a hub in-process and serves a simulated board', async () => {
    const { stdout } = await run(process.execPath, ['consumer.mjs'], { cwd: dir, env: { ...process.env, LLMIOT_LOG_LEVEL: 'silent' }, timeout: 60_000 });
    assert.deepEqual(JSON.parse(stdout), { sameFleet: true, hubError: -32001, total: 1, hardware: ['pkg-pico-w-001'] });
  });

  it('ships types for the root and the simulator subpath, and hides deep imports', async () => {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules/@types'), 'consumer.ts'];
    const result = await run(process.execPath, [tsc, ...args], { cwd: dir, timeout: 120_000 }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
    assert.equal(result.stdout, '');
  });
});
