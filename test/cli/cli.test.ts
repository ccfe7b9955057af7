import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
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

  it('runs a simulated fleet against the hub and prints a summary', async () => {
    const hub = runCli(['start', '--http-port', '0', '--mqtt-port', '0', '--http-host', '127.0.0.1', '--mqtt-host', '127.0.0.1', '--data-dir', join(dataDir, 'sim')]);
    const line = JSON.parse(await hub.waitFor(/llm-iot hub listening/));
    try {
      const sim = runCli(['simulate', '--url', line.mqtt, '--devices', '2', '--telemetry-interval', '0.2', '--duration', '2']);
      assert.equal(await sim.exit(), 0, sim.output());
      const summary = JSON.parse(sim.output().slice(sim.output().indexOf('{')));
      assert.equal(summary.mcus, 2);
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
});
