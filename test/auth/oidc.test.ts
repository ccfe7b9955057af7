/**
 * Access tokens from an external OpenID Connect issuer, as a client sees them: a local issuer
 * (discovery + JWKS on port 0) signs tokens; the hub accepts the valid ones with the role they
 * carry over /rpc and /mcp, and refuses expired, wrong-audience, wrong-issuer, badly signed,
 * unsigned and HMAC tokens, and tokens that grant no role. The audience depends on the endpoint:
 * --auth-audience on /mcp, --auth-api-audience on /rpc, /ws and /export (none unless configured).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { once } from 'node:events';
import { SignJWT, base64url } from 'jose';
import { WebSocket } from 'ws';
import { OidcAuthenticator } from '../../src/auth/oidc-authenticator.ts';
import { roleFromClaims } from '../../src/auth/oidc-claims.ts';
import { oidcAuthenticator } from '../../src/auth/oidc-config.ts';
import { CredentialRefused } from '../../src/auth/authenticator.ts';
import { startTestIssuer, signingKey, type TestIssuer } from '../support/oidc-issuer.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

const AUDIENCE = 'https://hub.example.com/mcp';
const API_AUDIENCE = 'https://hub.example.com/rpc';
/** What the HTTP layer tells an authenticator on a call to /mcp. */
const AT_MCP = { origin: 'https://hub.example.com', resource: AUDIENCE };
const now = Date.parse('2026-06-01T12:00:00Z');
const NO_DEVICE = '00000000-0000-4000-8000-000000000000';
let issuer: TestIssuer;
let t: TestHub;

before(async () => {
  issuer = await startTestIssuer();
  t = await startTestHub({ authIssuer: issuer.url, authAudience: AUDIENCE, authApiAudience: API_AUDIENCE }, undefined, { now: () => now });
});
after(async () => {
  await t.close();
  await issuer.close();
});

/** A token for both the MCP endpoint and the API, unless `claims` says otherwise. */
const token = (claims: Record<string, unknown> = {}): Promise<string> => issuer.sign({ aud: [AUDIENCE, API_AUDIENCE], llmiot_role: 'operator', ...claims }, { now });
const rpc = (bearer: string | undefined, method: string, params: unknown = {}): Promise<Response> =>
  fetch(`${t.httpUrl}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer !== undefined && { authorization: `Bearer ${bearer}` }) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
const mcp = (bearer: string, method: string, params: unknown): Promise<Response> =>
  fetch(`${t.httpUrl}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
const INIT = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'oidc-test', version: '1' } };

/** The HTTP status of a WebSocket upgrade to /ws with `bearer` (101: accepted). */
function upgradeStatus(bearer: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${t.httpUrl.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${bearer}` } });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', () => undefined);
  });
}

/** The 401 of a refused token, with the reason the challenge gives. */
async function refused(bearer: string): Promise<string> {
  const res = await rpc(bearer, 'device.list');
  assert.equal(res.status, 401);
  const body = (await res.json()) as { error: { code: number } };
  assert.equal(body.error.code, -32030);
  const challenge = res.headers.get('www-authenticate') ?? '';
  assert.match(challenge, /^Bearer error="invalid_token"/);
  return challenge;
}

describe('OpenID Connect tokens', () => {
  it('turn auth on and name the issuer in the protected-resource metadata', async () => {
    assert.equal(await t.hub.auth.active(), true);
    const res = await rpc(undefined, 'device.list');
    assert.equal(res.status, 401, 'a loopback caller without a token is no longer the local admin');
    const doc = (await (await fetch(`${t.httpUrl}/.well-known/oauth-protected-resource/mcp`)).json()) as { authorization_servers: string[]; scopes_supported: string[] };
    // The configured issuer first (MCP clients take the first), then the hub's built-in server.
    assert.deepEqual(doc.authorization_servers, [issuer.url, t.httpUrl]);
    assert.deepEqual(doc.scopes_supported, ['iot:read', 'iot:write', 'iot:admin']);
  });

  it('give the role of their claim over /rpc and /mcp', async () => {
    const operator = await token();
    const list = await rpc(operator, 'device.list');
    assert.equal(list.status, 200);
    assert.ok(Array.isArray(((await list.json()) as { result: { devices: unknown[] } }).result.devices));
    // A write passes the role check (and fails on the unknown device, past it).
    const write = (await (await rpc(operator, 'device.update', { device_id: NO_DEVICE, name: 'x' })).json()) as { error: { code: number } };
    assert.equal(write.error.code, -32001);
    const init = await mcp(operator, 'initialize', INIT);
    assert.equal(init.status, 200);
    const entries = await t.hub.stores.audit.list({ principal: 'oidc:alice' });
    assert.deepEqual(entries.map((e) => [e.tool, e.role]), [['device_update', 'operator']]);
  });

  it('refuse a write to a viewer: FORBIDDEN over /rpc, 403 insufficient_scope naming iot:write over /mcp', async () => {
    const viewer = await token({ llmiot_role: 'viewer' });
    const body = (await (await rpc(viewer, 'device.update', { device_id: NO_DEVICE, name: 'x' })).json()) as { error: { code: number; data: { required_role: string } } };
    assert.equal(body.error.code, -32031);
    assert.equal(body.error.data.required_role, 'operator');
    const res = await mcp(viewer, 'tools/call', { name: 'update_device', arguments: { device: NO_DEVICE, name: 'x' } });
    assert.equal(res.status, 403);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer error="insufficient_scope", scope="iot:write", resource_metadata="/);
  });

  it('take the role from the iot:* scopes too, the highest wins', async () => {
    const scoped = await token({ llmiot_role: undefined, scope: 'openid profile iot:read iot:write' });
    const write = (await (await rpc(scoped, 'device.update', { device_id: NO_DEVICE, name: 'x' })).json()) as { error: { code: number } };
    assert.equal(write.error.code, -32001, 'iot:write makes an operator');
    const admin = await token({ llmiot_role: 'viewer', scope: 'iot:admin' });
    const reboot = (await (await rpc(admin, 'mcu.reboot', { mcu_id: NO_DEVICE })).json()) as { error: { code: number } };
    assert.notEqual(reboot.error.code, -32031);
  });

  it('refuse a token that grants no role: 403 naming iot:read, not a 401 the client would loop on', async () => {
    const none = await token({ llmiot_role: 'superuser', scope: 'openid email' });
    const body = (await (await rpc(none, 'device.list')).json()) as { error: { code: number } };
    assert.equal(body.error.code, -32031);
    const res = await mcp(none, 'initialize', INIT);
    assert.equal(res.status, 403);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer error="insufficient_scope", scope="iot:read"/);
  });

  it('refuse expired, wrong-audience and wrong-issuer tokens', async () => {
    assert.match(await refused(await issuer.sign({ aud: API_AUDIENCE, llmiot_role: 'admin', exp: Math.floor(now / 1000) - 3600 }, { now: now - 7200_000 })), /expired/);
    assert.match(await refused(await token({ aud: 'https://other.example.com/mcp' })), /aud does not match/);
    assert.match(await refused(await token({ iss: 'https://evil.example.com' })), /iss does not match/);
    assert.match(await refused(await token({ exp: undefined })), /exp/);
  });

  it('refuse a bad signature, alg none and HS256', async () => {
    // Same kid as the published key, another private key.
    const impostor = await signingKey('key-1');
    assert.match(await refused(await issuer.sign({ aud: API_AUDIENCE, llmiot_role: 'admin' }, { key: impostor, now })), /bad signature/);
    const claims = { sub: 'mallory', iss: issuer.url, aud: API_AUDIENCE, llmiot_role: 'admin', exp: Math.floor(now / 1000) + 300 };
    const unsigned = `${base64url.encode(JSON.stringify({ alg: 'none', kid: 'key-1' }))}.${base64url.encode(JSON.stringify(claims))}.`;
    assert.match(await refused(unsigned), /algorithm not allowed/);
    // HMAC keyed with the public JWK's bytes: the classic confusion attack; the algorithm is not allowed.
    const secret = new TextEncoder().encode(JSON.stringify(issuer.keys[0]?.jwk));
    const hmac = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'key-1' }).sign(secret);
    assert.match(await refused(hmac), /algorithm not allowed/);
  });

  it('open a WebSocket (token as the bearer subprotocol, as browsers send it)', async () => {
    const ws = new WebSocket(`${t.httpUrl.replace(/^http/, 'ws')}/ws`, ['jsonrpc', `bearer.${await token({ llmiot_role: 'viewer' })}`]);
    await once(ws, 'open');
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'device.update', params: { device_id: NO_DEVICE, name: 'x' } }));
    const [data] = (await once(ws, 'message')) as [Buffer];
    ws.close();
    assert.equal((JSON.parse(data.toString()) as { error: { code: number } }).error.code, -32031, 'a viewer, over WebSocket too');
  });

  it('are accepted on /mcp for --auth-audience and on /rpc, /ws, /export for --auth-api-audience, never the other way (RFC 8707 §2)', async () => {
    const forMcp = await token({ aud: AUDIENCE });
    assert.equal((await mcp(forMcp, 'initialize', INIT)).status, 200);
    assert.match(await refused(forMcp), /aud does not match \(--auth-api-audience\)/);
    const exported = await fetch(`${t.httpUrl}/export?last=1h`, { headers: { authorization: `Bearer ${forMcp}` } });
    assert.equal(exported.status, 401);
    assert.equal(await upgradeStatus(forMcp), 401);
    const forApi = await token({ aud: API_AUDIENCE });
    assert.equal((await rpc(forApi, 'device.list')).status, 200);
    assert.equal((await fetch(`${t.httpUrl}/export?last=1h`, { headers: { authorization: `Bearer ${forApi}` } })).status, 200);
    assert.equal(await upgradeStatus(forApi), 101);
    const onMcp = await mcp(forApi, 'initialize', INIT);
    assert.equal(onMcp.status, 401, 'a token minted for scripts on the API is no credential for /mcp');
    assert.match(onMcp.headers.get('www-authenticate') ?? '', /error_description="OIDC token refused: aud does not match \(--auth-audience\)".*resource_metadata="/);
  });

  it('leave API tokens to the API-token authenticator', async () => {
    assert.match(await refused('llmiot_notatoken'), /unknown token/);
  });
});

describe('OpenID Connect tokens without --auth-api-audience', () => {
  it('are accepted on /mcp only; the API refuses them saying which option is missing', async () => {
    const hub = await startTestHub({ authIssuer: issuer.url, authAudience: AUDIENCE }, undefined, { now: () => now });
    try {
      // Even a token that names the API audience: the operator has not said the API takes the issuer's tokens.
      const both = await token();
      const init = await fetch(`${hub.httpUrl}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${both}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: INIT }),
      });
      assert.equal(init.status, 200);
      const res = await fetch(`${hub.httpUrl}/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${both}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'device.list', params: {} }),
      });
      assert.equal(res.status, 401);
      assert.equal(
        res.headers.get('www-authenticate'),
        `Bearer error="invalid_token", error_description="OIDC token refused: ${hub.httpUrl}/rpc accepts this issuer's tokens only for an audience of --auth-api-audience, and none is configured (/mcp takes them for --auth-audience)", scope="iot:read iot:write iot:admin"`,
      );
      // A bad token is refused for what is wrong with it, not for the missing option.
      assert.equal((await fetch(`${hub.httpUrl}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await token({ iss: 'https://evil.example.com' })}` }, body: '{}' })).headers.get('www-authenticate')?.includes('iss does not match'), true);
    } finally {
      await hub.close();
    }
  });
});

describe('OidcAuthenticator', () => {
  it('refetches the JWKS once for an unknown kid (key rotation), then accepts the new key', async () => {
    const local = await startTestIssuer();
    try {
      const oidc = new OidcAuthenticator({ issuer: local.url, audience: [AUDIENCE], jwksCooldownMs: 0 });
      const first = await oidc.authenticate(await local.sign({ aud: AUDIENCE, llmiot_role: 'viewer' }), AT_MCP);
      assert.deepEqual(first, { id: 'oidc:alice', kind: 'oidc', role: 'viewer', scopes: ['iot:read'] });
      assert.equal(local.jwksFetches(), 1);
      await oidc.authenticate(await local.sign({ aud: AUDIENCE, llmiot_role: 'viewer' }), AT_MCP);
      assert.equal(local.jwksFetches(), 1, 'the key set is cached');
      const rotated = await signingKey('key-2', 'EdDSA');
      local.keys = [rotated];
      const second = await oidc.authenticate(await local.sign({ aud: AUDIENCE, llmiot_role: 'admin', preferred_username: 'alice' }, { key: rotated }), AT_MCP);
      assert.deepEqual(second, { id: 'oidc:alice', kind: 'oidc', role: 'admin', scopes: ['iot:read', 'iot:write', 'iot:admin'], name: 'alice' });
      assert.equal(local.jwksFetches(), 2, 'one refetch for the new kid');
    } finally {
      await local.close();
    }
  });

  it('refuses an issuer whose discovery document announces another issuer', async () => {
    const local = await startTestIssuer();
    try {
      const oidc = new OidcAuthenticator({ issuer: `${local.url}/`, audience: [AUDIENCE] });
      await assert.rejects(oidc.authenticate(await local.sign({ aud: AUDIENCE, llmiot_role: 'viewer' }), AT_MCP), (e: unknown) => e instanceof CredentialRefused && /announces issuer/.test(e.message));
    } finally {
      await local.close();
    }
  });

  it('refuses tokens while the issuer cannot be reached (401, not a crash)', async () => {
    const local = await startTestIssuer();
    const url = local.url;
    const signed = await local.sign({ aud: AUDIENCE, llmiot_role: 'viewer' });
    await local.close();
    const oidc = new OidcAuthenticator({ issuer: url, audience: [AUDIENCE], timeoutMs: 2_000 });
    await assert.rejects(oidc.authenticate(signed, AT_MCP), (e: unknown) => e instanceof CredentialRefused && /OIDC discovery failed/.test(e.message));
  });

  it('needs an audience and an https issuer (http only on loopback)', () => {
    const base = { authRoleClaim: 'llmiot_role', authJwksUrl: undefined, authApiAudience: undefined };
    assert.throws(() => oidcAuthenticator({ ...base, authIssuer: 'https://id.example.com', authAudience: undefined }, Date.now), /needs --auth-audience/);
    assert.throws(() => oidcAuthenticator({ ...base, authIssuer: 'http://id.example.com', authAudience: AUDIENCE }, Date.now), /must be https/);
    assert.equal(oidcAuthenticator({ ...base, authIssuer: undefined, authAudience: undefined }, Date.now), undefined);
    assert.throws(() => oidcAuthenticator({ ...base, authIssuer: undefined, authAudience: undefined, authApiAudience: API_AUDIENCE }, Date.now), /--auth-api-audience needs --auth-issuer/);
  });

  it('reads Keycloak and Auth0 style role claims', () => {
    assert.equal(roleFromClaims({ realm_access: { roles: ['offline_access', 'operator'] } }, 'realm_access.roles'), 'operator');
    assert.equal(roleFromClaims({ 'https://iot.example.com/roles': ['viewer', 'admin'] }, 'https://iot.example.com/roles'), 'admin');
    assert.equal(roleFromClaims({ scp: ['iot:read'] }, 'llmiot_role'), 'viewer');
    assert.equal(roleFromClaims({ llmiot_role: 'root', scope: 'iot:everything' }, 'llmiot_role'), undefined);
  });
});
