/** `llm-iot simulate --protocol dual` over mqtts://: `--ca` trusts a private CA, `--insecure` skips verification, neither fails. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { cliCommand } from '../support/cli-command.ts';
import { DualFakeHost } from './dual-fake-host.ts';

interface CliRun {
  readonly code: number;
  readonly summary: Record<string, any>;
}

/** Run the real CLI in a child process and parse the JSON summary it prints. */
function simulate(args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...cliCommand(), 'simulate', ...args],
      { cwd: new URL('../..', import.meta.url), env: { ...process.env, LLMIOT_SIM_PROTOCOL: '', DEVICE_COUNT: '' }, timeout: 60_000 },
      (error, stdout) => {
        try {
          resolve({ code: error === null ? 0 : Number(error.code), summary: JSON.parse(stdout) as Record<string, any> });
        } catch (parseError) {
          reject(error ?? parseError);
        }
      },
    );
  });
}

describe('simulate --protocol dual over TLS', () => {
  let host: DualFakeHost;
  let server: Server;
  let url = '';
  const dir = mkdtempSync(join(tmpdir(), 'llmiot-sim-tls-'));
  const caFile = join(dir, 'ca.pem');

  before(async () => {
    writeFileSync(caFile, TEST_CERT);
    host = await DualFakeHost.start();
    // The fake host is online, as a hub is: a run no hub answers exits 1 (llm-iot simulate --hub-timeout).
    await host.state(true);
    server = createServer({ cert: TEST_CERT, key: TEST_KEY }, (socket) => host.broker.handle(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `mqtts://localhost:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // 2 s: long enough for CONNECT, STATE and the births on a machine busy with other test files.
  const base = ['--protocol', 'dual', '--devices', '1', '--duration', '2', '--host-id', 'llm-iot', '--telemetry-interval', '0.2'];

  it('--ca trusts the broker certificate: both protocols flow and the summary counts them per protocol', async () => {
    const run = await simulate([...base, '--url', url, '--ca', caFile, '--id-prefix', 'tlsca']);
    assert.equal(run.code, 0);
    const { sparkplug, lwm2m } = run.summary['per_protocol'];
    assert.equal(run.summary['failures'].length, 0);
    assert.ok(sparkplug.messages_acknowledged >= 4 && lwm2m.messages_acknowledged >= 2, JSON.stringify(run.summary['per_protocol']));
    assert.equal(run.summary['per_protocol']['native'], undefined);
    assert.ok(host.lwm2m('tlsca-esp32-s3-001', 'reg').length === 1);
    assert.ok(host.sparkplug('tlsca-esp32-s3-001', 'NBIRTH').length === 1);
  });

  it('--insecure connects without the CA; with neither the device never registers and the run fails', async () => {
    const [insecure, refused] = await Promise.all([simulate([...base, '--url', url, '--insecure', '--id-prefix', 'tlsin']), simulate([...base, '--url', url, '--id-prefix', 'tlsno'])]);
    assert.equal(insecure.code, 0);
    assert.equal(host.lwm2m('tlsin-esp32-s3-001', 'reg').length, 1);
    assert.equal(refused.code, 1);
    assert.equal(refused.summary['failures'].length, 1);
    assert.ok(refused.summary['errors'] > 0, 'certificate errors are counted');
    assert.equal(host.lwm2m('tlsno-esp32-s3-001', 'reg').length, 0);
  });
});

// A self-signed P-256 certificate for localhost / 127.0.0.1 (the one test/mqtt/embedded-bus.test.ts uses); test use only.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFAeta9GCxv4c3lKU
sKtvO9+pZ8kkfSLa2H4fZ4kX8TmhRANCAARR2XSQ5YHvVO8azvx7LVfmy3C3zHPA
xgkncnKv8w7JtV1M5MT+MkxI8jHohXmsBnHB2hwriRxEtw7SXEWws7UG
-----END PRIVATE KEY-----
`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUItGcgeCTpnTgHAbWyIgQMJ4BQyswCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMjAwMDAxNFoYDzIxMjYxMDI5
MDAwMDE0WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARR2XSQ5YHvVO8azvx7LVfmy3C3zHPAxgkncnKv8w7JtV1M5MT+MkxI
8jHohXmsBnHB2hwriRxEtw7SXEWws7UGo28wbTAdBgNVHQ4EFgQUEpsbfRviffv5
ub8HP5gcsGoak/8wHwYDVR0jBBgwFoAUEpsbfRviffv5ub8HP5gcsGoak/8wDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSAAwRQIgO7dKloiKurWCBybGLBJQFnYTnsGBJRGLs6TjI0kTKqQCIQCr
uc4zQ1lF6lq3aWn3TbZJywUc4CDB21eOWWB5sctsKA==
-----END CERTIFICATE-----
`;
