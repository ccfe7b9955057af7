import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { OPTIONS } from '../../src/plugins.ts';
import { EmbeddedMqttBus } from '../../src/mqtt/embedded-bus.ts';
import { listenMqttTcp } from '../../src/mqtt/listeners.ts';
import { runCli } from '../support/cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'llmiot-cli-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

describe('llm-iot CLI', () => {
  it('start binds ephemeral ports, logs the addresses, serves JSON-RPC, and shuts down cleanly on SIGTERM', async () => {
    const hub = runCli(['start', '--http-port', '0', '--mqtt-port', '0', '--http-host', '127.0.0.1', '--mqtt-host', '127.0.0.1', '--data-dir', dataDir]);
    const line = JSON.parse(await hub.waitFor(/llm-iot hub listening/));
    assert.match(line.rpc, /^http:\/\/127\.0\.0\.1:\d+\/rpc$/);
    assert.match(line.mqtt, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const rpc = runCli(['rpc', 'device.list', '{"include_schema":false}', '--url', line.rpc.replace(/\/rpc$/, '')]);
    assert.equal(await rpc.exit(), 0);
    assert.deepEqual(JSON.parse(rpc.output()), { devices: [], total: 0 });
    const failing = runCli(['rpc', 'device.get', '{"device_id":"missing-board"}', '--url', line.rpc.replace(/\/rpc$/, '')]);
    assert.equal(await failing.exit(), 1);
    assert.match(failing.output(), /error -32001: device not found: missing-board/);
    hub.child.kill('SIGTERM');
    assert.equal(await hub.exit(), 0);
    assert.match(hub.output(), /llm-iot hub stopped/);
  });

  it('one hub per data directory: a second start there is refused naming the first, and kill -9 of the first frees it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmiot-cli-lock-'));
    try {
      const args = ['start', '--http-port', '0', '--mqtt-port', '0', '--http-host', '127.0.0.1', '--mqtt-host', '127.0.0.1', '--data-dir', dir];
      const first = runCli(args);
      await first.waitFor(/llm-iot hub listening/);
      const second = runCli(args);
      assert.equal(await second.exit(), 1);
      assert.match(second.output(), new RegExp(`the data directory ${dir} is in use by another llm-iot hub \\(pid ${first.child.pid}\\): stop it first, or give this one its own --data-dir`));
      // The lock is the kernel's: it goes with the process, no stale file to remove.
      first.child.kill('SIGKILL');
      await first.exit();
      const third = runCli(args);
      await third.waitFor(/llm-iot hub listening/);
      third.child.kill('SIGTERM');
      assert.equal(await third.exit(), 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says which port is taken and how to fix it when the MQTT port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const hub = runCli(['start', '--http-port', '0', '--mqtt-port', String(port), '--mqtt-host', '127.0.0.1', '--data-dir', dataDir]);
      assert.equal(await hub.exit(), 1);
      assert.match(hub.output(), new RegExp(`MQTT port ${port} is already in use \\(another broker running\\?\\) — pass --mqtt-port or --mqtt-url`));
    } finally {
      blocker.close();
    }
  });

  it('rejects a malformed flag value with a message naming it', async () => {
    const hub = runCli(['start', '--http-port', 'eighty']);
    assert.equal(await hub.exit(), 2);
    assert.match(hub.output(), /--http-port must be a non-negative integer, got "eighty"/);
  });

  it('every command answers --help (and `help <command>`) with its usage and options, exit 0', async () => {
    const commands = ['start', 'simulate', 'rpc', 'mcp'];
    const runs = commands.map((command) => ({ command, help: runCli([command, '--help']), via: runCli(['help', command]) }));
    for (const { command, help, via } of runs) {
      assert.equal(await help.exit(), 0, help.output());
      assert.match(help.output(), new RegExp(`^Usage: llm-iot ${command}`));
      assert.match(help.output(), /-h, --help/);
      assert.equal(await via.exit(), 0);
      assert.equal(via.output(), help.output());
    }
  });

  it('start --help lists every option of the options table with its environment variable', async () => {
    const help = runCli(['start', '-h']);
    assert.equal(await help.exit(), 0);
    for (const option of OPTIONS) assert.match(help.output(), new RegExp(`--${option.flag}\\b[^\\n]*\\n\\s+env ${option.env}\\b`));
    const rpc = runCli(['rpc', '--help']);
    assert.equal(await rpc.exit(), 0);
    assert.match(rpc.output(), /--url <url>\s+hub base URL/);
  });

  it('an unreachable PostgreSQL store is one line naming the URL without its password, exit 1', async () => {
    const hub = runCli(['start', '--http-port', '0', '--mqtt-port', '0', '--http-host', '127.0.0.1', '--mqtt-host', '127.0.0.1', '--store', 'postgres://alice:hunter2@127.0.0.1:1/fleet']);
    assert.equal(await hub.exit(), 1);
    const text = hub.output().trim();
    assert.equal(text.split('\n').length, 1, text);
    assert.match(text, /^llm-iot start: store open failed: postgres:\/\/alice:\*\*\*@127\.0\.0\.1:1\/fleet: connect ECONNREFUSED 127\.0\.0\.1:1 — check that PostgreSQL is running/);
    assert.doesNotMatch(text, /hunter2|HubError/);
  });

  it('--log-format pretty (flag or LLMIOT_LOG_FORMAT) writes readable lines; json is the default off a terminal', async () => {
    for (const [args, env] of [[['--log-format', 'pretty'], {}], [[], { LLMIOT_LOG_FORMAT: 'pretty' }]] as const) {
      const hub = runCli(['start', '--http-port', '0', '--mqtt-port', '0', '--http-host', '127.0.0.1', '--mqtt-host', '127.0.0.1', '--store', 'memory', ...args], env);
      const line = await hub.waitFor(/llm-iot hub listening/);
      assert.match(line, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: llm-iot hub listening$/);
      assert.match(hub.output(), /^\s+rpc: "http:\/\/127\.0\.0\.1:\d+\/rpc"$/m);
      hub.child.kill('SIGTERM');
      assert.equal(await hub.exit(), 0);
    }
    const bad = runCli(['start', '--log-format', 'fancy']);
    assert.equal(await bad.exit(), 2);
    assert.match(bad.output(), /--log-format must be one of json, pretty, got "fancy"/);
  });

  it('runs a simulated fleet against the hub and prints a summary', async () => {
    const hub = runCli(['start', '--http-port', '0', '--mqtt-port', '0', '--http-host', '127.0.0.1', '--mqtt-host', '127.0.0.1', '--data-dir', join(dataDir, 'sim')]);
    const line = JSON.parse(await hub.waitFor(/llm-iot hub listening/));
    try {
      const sim = runCli(['simulate', '--url', line.mqtt, '--devices', '2', '--telemetry-interval', '0.2', '--duration', '2']);
      assert.equal(await sim.exit(), 0, sim.output());
      const summary = JSON.parse(sim.output().slice(sim.output().indexOf('{')));
      assert.equal(summary.mcus, 2);
      assert.equal(summary.registered, 2);
      assert.ok(summary.telemetry_messages > 0);
      assert.equal(summary.failures.length, 0);
      const list = runCli(['rpc', 'device.list', '{"type":"mcu","include_schema":false}', '--url', line.rpc.replace(/\/rpc$/, '')]);
      assert.equal(await list.exit(), 0);
      assert.equal(JSON.parse(list.output()).total, 2);
    } finally {
      hub.child.kill('SIGTERM');
      await hub.exit();
    }
  });

  it('simulate against a broker with no hub says so on stderr with the URL and what to check, and exits 1', async () => {
    const broker = await EmbeddedMqttBus.create();
    const listener = await listenMqttTcp(broker, { port: 0, host: '127.0.0.1' });
    const url = `mqtt://127.0.0.1:${listener.port}`;
    try {
      const sim = runCli(['simulate', '--url', url, '--devices', '2', '--protocol', 'mixed', '--hub-timeout', '0.5', '--duration', '60', '--host-id', 'nohub-host']);
      const line = await sim.waitFor(/no hub is answering/);
      assert.equal(line, `llm-iot simulate: no hub is answering on ${url}: after 0.5 s, no answer to device.register (native); no LwM2M registration answer and no online Sparkplug STATE on spBv1.0/STATE/nohub-host (dual).`);
      await sim.waitFor(/The devices keep trying/);
      assert.match(sim.output(), /`llm-iot start` is running and uses this broker/);
      assert.match(sim.output(), /--host-id \(nohub-host\) must equal the hub's --sparkplug-host-id/);
      sim.child.kill('SIGINT');
      assert.equal(await sim.exit(), 1);
      const out = sim.output();
      assert.equal(JSON.parse(out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1)).hub_answered, false);
      assert.match(out, /no hub answered any device on mqtt:\/\/127\.0\.0\.1:\d+ during the run/);
    } finally {
      await listener.close();
      await broker.close();
    }
  });
});
