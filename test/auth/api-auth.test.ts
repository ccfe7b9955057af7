/**
 * Auth as a client sees it: the loopback local admin before any credential, then missing, unknown,
 * expired and revoked tokens refused with RFC 6750/9728 challenges, the protected-resource metadata,
 * /metrics and /export, DNS rebinding and cross-site WebSocket refused, CORS, and the audit log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { bearerChallenge, resourceMetadataUrl } from '../../src/api/http-security.ts';
import { createApiToken } from '../../src/auth/api-tokens.ts';
import { TEST_CERT, TEST_KEY } from '../fixtures/test-certificate.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

let now = Date.parse('2026-01-01T00:00:00Z');
let t: TestHub;
before(async () => {
  t = await startTestHub({ allowedOrigins: 'https://dash.example.com' }, undefined, { now: () => now });
});
after(() => t.close());

const rpc = (method: string, headers: Record<string, string> = {}, params: unknown = {}): Promise<Response> =>
  fetch(`${t.httpUrl}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** POST /rpc with a Host header of our choosing (fetch sets its own). */
function rpcWithHost(host: string): Promise<{ status: number; body: string }> {
  return withHost(host, 'POST', '/rpc', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'device.list' }));
}

/** A request naming `host` in its Host header (fetch cannot set it). */
function withHost(host: string, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.httpUrl}${path}`, { method, headers: { host, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** The status of a WebSocket upgrade (101 when it opened). */
function upgrade(headers: Record<string, string>, protocols?: string[], path = '/ws'): Promise<{ status: number; protocol?: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${t.httpUrl.replace(/^http/, 'ws')}${path}`, protocols ?? [], { headers });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.once('open', () => {
      resolve({ status: 101, protocol: ws.protocol });
      ws.close();
    });
    ws.once('error', () => undefined);
  });
}

describe('API auth', () => {
  let admin = '';
  let viewer = '';

  it('before any credential: a loopback caller is the local admin, and the hub still checks Host and Origin', async () => {
    assert.equal(await t.hub.auth.active(), false);
    const answer = (await (await rpc('audit.list')).json()) as { result?: unknown };
    assert.ok(answer.result, 'admin-only method answered for the local admin');
    assert.equal((await upgrade({})).status, 101);
    // DNS rebinding: evil.example resolved to 127.0.0.1 still names itself in Host.
    const rebound = await rpcWithHost('evil.example:8080');
    assert.equal(rebound.status, 403);
    assert.match(rebound.body, /Host \\"evil.example:8080\\"/);
    assert.equal((await rpcWithHost('localhost:8080')).status, 200);
    assert.equal((await upgrade({ host: 'evil.example' })).status, 403);
    // Cross-site WebSocket hijacking: a page elsewhere opens ws://127.0.0.1/ws; the browser sends its Origin.
    assert.equal((await upgrade({ origin: 'http://evil.example' })).status, 403);
    // The same rule on MQTT over WebSocket: a page elsewhere cannot reach the broker; devices send no Origin.
    assert.equal((await upgrade({ origin: 'http://evil.example' }, ['mqtt'], '/mqtt')).status, 403);
    assert.equal((await upgrade({}, ['mqtt'], '/mqtt')).status, 101);
    assert.equal((await upgrade({ origin: t.httpUrl }, ['mqtt'], '/mqtt')).status, 101);
    assert.equal((await rpc('device.list', { origin: 'http://evil.example' })).status, 403);
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const preflight = (origin: string): Promise<Response> =>
      fetch(`${t.httpUrl}/rpc`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    const allowed = await preflight('https://dash.example.com');
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://dash.example.com');
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const refused = await preflight('https://evil.example');
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
    const call = await rpc('device.list', { origin: 'https://dash.example.com' });
    assert.equal(call.headers.get('access-control-allow-origin'), 'https://dash.example.com');
  });

  it('once a token exists, every caller needs one: 401 with the RFC 9728 challenge', async () => {
    admin = (await createApiToken(t.hub.stores.tokens, { role: 'admin', name: 'ops' })).token;
    viewer = (await createApiToken(t.hub.stores.tokens, { role: 'viewer', ttlMs: 60_000, now: () => now })).token;
    const anonymous = await rpc('device.list');
    assert.equal(anonymous.status, 401);
    // /rpc is no OAuth protected resource (the RFC 9728 metadata describes /mcp): no resource_metadata.
    assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer scope="iot:read iot:write iot:admin"');
    assert.equal(((await anonymous.json()) as { error: { code: number } }).error.code, -32030);
    const unknown = await rpc('device.list', bearer('llmiot_not-a-real-token'));
    assert.equal(unknown.status, 401);
    assert.match(unknown.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    assert.equal((await upgrade({})).status, 401);
    assert.equal((await upgrade(bearer(admin))).status, 101);
    // Browsers cannot set headers on an upgrade: the token rides in a subprotocol, never echoed back.
    assert.deepEqual(await upgrade({}, ['jsonrpc', `bearer.${viewer}`]), { status: 101, protocol: 'jsonrpc' });
    assert.equal((await fetch(`${t.httpUrl}/metrics`)).status, 401);
    assert.equal((await fetch(`${t.httpUrl}/metrics`, { headers: bearer(viewer) })).status, 200);
    assert.equal((await fetch(`${t.httpUrl}/export?last=1h`)).status, 401);
    assert.equal((await fetch(`${t.httpUrl}/export?last=1h`, { headers: bearer(viewer) })).status, 200);
    assert.equal((await fetch(`${t.httpUrl}/healthz`)).status, 200, '/healthz stays open for load balancers');
  });

  it('refuses expired and revoked tokens', async () => {
    assert.equal((await rpc('device.list', bearer(viewer))).status, 200);
    now += 61_000;
    const expired = await rpc('device.list', bearer(viewer));
    assert.equal(expired.status, 401);
    assert.match(expired.headers.get('www-authenticate') ?? '', /error="invalid_token", error_description="token [0-9a-f]+ expired"/);
    const [record] = (await t.hub.stores.tokens.listTokens()).filter((r) => r.name === 'ops');
    assert.ok(record);
    assert.equal(await t.hub.stores.tokens.revokeToken(record.id, now), true);
    const revoked = await rpc('device.list', bearer(admin));
    assert.equal(revoked.status, 401);
    assert.match(revoked.headers.get('www-authenticate') ?? '', /was revoked/);
    assert.equal(await t.hub.auth.active(), true, 'auth stays on once it was on');
  });

  it('serves the RFC 9728 metadata, and /mcp challenges as the MCP authorization spec asks', async () => {
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const res = await fetch(`${t.httpUrl}${path}`);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as { resource: string; scopes_supported: string[]; bearer_methods_supported: string[] };
      assert.equal(doc.resource, `${t.httpUrl}/mcp`);
      assert.deepEqual(doc.scopes_supported, ['iot:read', 'iot:write', 'iot:admin']);
      assert.deepEqual(doc.bearer_methods_supported, ['header']);
      // Its URLs come from the Host: a rebinding name gets no document naming itself as resource and issuer.
      const rebound = await withHost('evil.example', 'GET', path);
      assert.equal(rebound.status, 403, path);
      assert.doesNotMatch(rebound.body, /"resource"/);
    }
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
    const res = await fetch(`${t.httpUrl}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(init) });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/);
    // A call above the token's scopes: 403 insufficient_scope naming the scope that is missing.
    const reader = await createApiToken(t.hub.stores.tokens, { role: 'viewer', now: () => now });
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'configure_device', arguments: { device: 'x', settings: { power_mode: 'low_power' } } } };
    const denied = await fetch(`${t.httpUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...bearer(reader.token) },
      body: JSON.stringify(call),
    });
    assert.equal(denied.status, 403);
    assert.match(denied.headers.get('www-authenticate') ?? '', /^Bearer error="insufficient_scope", scope="iot:write", resource_metadata="/);
    // The body answers the call it refuses: JSON-RPC 2.0 §5, the request's id.
    assert.deepEqual(await denied.json(), {
      jsonrpc: '2.0',
      id: 2,
      error: { code: -32031, message: `Forbidden: tool configure_device needs the operator role (scope iot:write); token:${reader.id} has viewer`, data: { required_role: 'operator', required_scope: 'iot:write', role: 'viewer' } },
    });
  });

  it('challenges on raw HTTP with the scope to ask for (RFC 6750 §3, MCP 2025-11-25 authorization §Scope Selection)', async () => {
    const metadata = `resource_metadata="${t.httpUrl}/.well-known/oauth-protected-resource/mcp"`;
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
    const raw = (headers: Record<string, string>): Promise<{ status: number; challenge: string | undefined }> =>
      new Promise((resolve, reject) => {
        const req = request(`${t.httpUrl}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
          res.resume();
          const header = res.headers['www-authenticate'];
          resolve({ status: res.statusCode ?? 0, challenge: Array.isArray(header) ? header.join('|') : header });
        });
        req.once('error', reject).end(body);
      });
    assert.deepEqual(await raw({}), { status: 401, challenge: `Bearer scope="iot:read iot:write iot:admin", ${metadata}` });
    assert.deepEqual(await raw(bearer('llmiot_not-a-real-token')), { status: 401, challenge: `Bearer error="invalid_token", error_description="unknown token", scope="iot:read iot:write iot:admin", ${metadata}` });
    // A WebSocket upgrade is challenged alike, but names no metadata: /ws is not the resource it describes.
    const ws = await new Promise<string | undefined>((resolve) => {
      const socket = new WebSocket(`${t.httpUrl.replace(/^http/, 'ws')}/ws`);
      socket.once('unexpected-response', (_req, res) => {
        resolve(res.headers['www-authenticate'] as string | undefined);
        res.resume();
        socket.terminate();
      });
      socket.once('error', () => undefined);
    });
    assert.equal(ws, 'Bearer scope="iot:read iot:write iot:admin"');
  });

  it('keeps a challenge\'s error_description to the characters RFC 6750 §3 allows', () => {
    assert.equal(
      bearerChallenge(resourceMetadataUrl('https://hub.example'), 'iot:read', { code: 'invalid_token', description: 'user "jos\u00e9" \\ removed' }),
      'Bearer error="invalid_token", error_description="user \'jos?\' ? removed", scope="iot:read", resource_metadata="https://hub.example/.well-known/oauth-protected-resource/mcp"',
    );
  });

  it('writes every write and refused call to the audit log with the principal and role', async () => {
    const operator = await createApiToken(t.hub.stores.tokens, { role: 'operator', name: 'bot' });
    await rpc('device.update', bearer(operator.token), { device_id: '00000000-0000-4000-8000-000000000000', name: 'x' });
    await rpc('mcu.reboot', bearer(operator.token), { mcu_id: '00000000-0000-4000-8000-000000000000' });
    const entries = await t.hub.stores.audit.list({ principal: `token:${operator.id}` });
    assert.deepEqual(
      entries.map((e) => [e.tool, e.role, e.via, e.decision, e.outcome, e.error?.code]),
      [
        ['mcu_reboot', 'operator', 'http', 'deny', 'denied', -32031],
        ['device_update', 'operator', 'http', 'allow', 'failed', -32001],
      ],
    );
  });
});

describe('HTTPS', () => {
  it('serves /rpc and /ws over TLS on the HTTP port when --tls-cert and --tls-key are given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmiot-https-'));
    writeFileSync(join(dir, 'cert.pem'), TEST_CERT);
    writeFileSync(join(dir, 'key.pem'), TEST_KEY);
    const t3 = await startTestHub({ tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') });
    try {
      assert.match(t3.httpUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(`${t3.httpUrl}/rpc`, { method: 'POST', ca: TEST_CERT, headers: { 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        });
        req.once('error', reject);
        req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'device.list', params: {} }));
      });
      assert.deepEqual(JSON.parse(body).result.total, 0);
      const ws = new WebSocket(`${t3.httpUrl.replace(/^https/, 'wss')}/ws`, { ca: TEST_CERT });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.close();
    } finally {
      await t3.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
