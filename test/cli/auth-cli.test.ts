/**
 * Secure defaults and tokens from the command line: loopback by default, refusal to listen beyond it
 * without credentials, --insecure warned, `token create | list | revoke` on the hub's own store.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'llmiot-auth-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

const rpc = (url: string, token?: string): Promise<Response> =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token !== undefined && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'device.list', params: {} }),
  });

describe('secure defaults', () => {
  it('with no credentials: binds HTTP and MQTT to 127.0.0.1 and says how to go beyond', async () => {
    const hub = runCli(['start', '--http-port', '0', '--mqtt-port', '0', '--data-dir', join(root, 'a')]);
    const line = JSON.parse(await hub.waitFor(/llm-iot hub listening/));
    assert.match(line.rpc, /^http:\/\/127\.0\.0\.1:\d+\/rpc$/);
    assert.match(line.mqtt, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
    assert.match(line.oauth, /^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-authorization-server$/, 'the built-in authorization server is announced');
    assert.match(hub.output(), /listening on loopback only.*llm-iot token create --role admin/);
    assert.equal((await rpc(line.rpc)).status, 200, 'the quick start needs no token on loopback');
    hub.child.kill('SIGTERM');
    assert.equal(await hub.exit(), 0);
  });

  it('refuses to listen beyond loopback without credentials (API tokens for HTTP, device auth for MQTT), unless --insecure (then warns)', async () => {
    const refused = runCli(['start', '--http-port', '0', '--mqtt-port', '0', '--http-host', '0.0.0.0', '--data-dir', join(root, 'b')]);
    assert.equal(await refused.exit(), 1);
    assert.match(refused.output(), /refusing to listen on --http-host 0\.0\.0\.0 with no API credentials/);
    assert.doesNotMatch(refused.output(), /llm-iot hub listening/);
    const openBroker = runCli(['start', '--http-port', '0', '--mqtt-port', '0', '--mqtt-host', '0.0.0.0', '--device-auth', 'open', '--data-dir', join(root, 'b')]);
    assert.equal(await openBroker.exit(), 1);
    assert.match(openBroker.output(), /refusing to listen on --mqtt-host 0\.0\.0\.0 with --device-auth open/);
    const insecure = runCli(['start', '--http-port', '0', '--mqtt-port', '0', '--mqtt-host', '0.0.0.0', '--device-auth', 'open', '--insecure', '--data-dir', join(root, 'b')]);
    await insecure.waitFor(/llm-iot hub listening/);
    assert.match(insecure.output(), /INSECURE: --mqtt-host 0\.0\.0\.0 with --device-auth open/);
    insecure.child.kill('SIGTERM');
    assert.equal(await insecure.exit(), 0);
  });
});

describe('llm-iot token', () => {
  it('creates a token printed once, lists it without the secret, and revokes it while the hub runs', async () => {
    const dataDir = join(root, 'c');
    const create = runCli(['token', 'create', '--role', 'operator', '--name', 'grafana', '--expires', '30d', '--data-dir', dataDir]);
    assert.equal(await create.exit(), 0);
    const created = JSON.parse(create.output().split('\n')[0] ?? '') as { id: string; token: string; role: string; expires_at: string };
    assert.equal(created.role, 'operator');
    assert.match(created.token, /^llmiot_[A-Za-z0-9_-]{43}$/);
    assert.ok(Date.parse(created.expires_at) > Date.now() + 29 * 86_400_000);

    // With a credential, binding beyond loopback is allowed and every caller needs a token.
    const hub = runCli(['start', '--http-port', '0', '--mqtt-port', '0', '--http-host', '0.0.0.0', '--data-dir', dataDir]);
    const line = JSON.parse(await hub.waitFor(/llm-iot hub listening/));
    const url = (line.rpc as string).replace('localhost', '127.0.0.1');
    assert.equal((await rpc(url)).status, 401);
    assert.equal((await rpc(url, created.token)).status, 200);
    const viaCli = runCli(['rpc', 'device.list', '--url', url.replace(/\/rpc$/, '')], { LLMIOT_TOKEN: created.token });
    assert.equal(await viaCli.exit(), 0);
    const withoutToken = runCli(['rpc', 'device.list', '--url', url.replace(/\/rpc$/, '')], { LLMIOT_TOKEN: '' });
    assert.equal(await withoutToken.exit(), 1);
    assert.match(withoutToken.output(), /error -32030: .*\nhint: this hub needs a token: pass --token <token> or set LLMIOT_TOKEN/s);

    const list = runCli(['token', 'list', '--data-dir', dataDir]);
    assert.equal(await list.exit(), 0);
    assert.doesNotMatch(list.output(), new RegExp(created.token));
    const rows = JSON.parse(list.output().slice(0, list.output().lastIndexOf(']') + 1)) as { id: string; name: string; revoked_at: string | null }[];
    assert.deepEqual(rows.map((r) => [r.id, r.name, r.revoked_at]), [[created.id, 'grafana', null]]);

    const revoke = runCli(['token', 'revoke', created.id, '--data-dir', dataDir]);
    assert.equal(await revoke.exit(), 0);
    assert.equal((await rpc(url, created.token)).status, 401, 'revoked while the hub runs: refused at once');
    hub.child.kill('SIGTERM');
    assert.equal(await hub.exit(), 0);
  });

  it('refuses a bad role or duration', async () => {
    const bad = runCli(['token', 'create', '--role', 'root', '--data-dir', join(root, 'd')]);
    assert.equal(await bad.exit(), 2);
    assert.match(bad.output(), /--role must be one of viewer, operator, admin/);
    const badTtl = runCli(['token', 'create', '--role', 'viewer', '--expires', 'soon', '--data-dir', join(root, 'd')]);
    assert.equal(await badTtl.exit(), 2);
  });
});
