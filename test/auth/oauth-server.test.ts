/**
 * The built-in OAuth 2.1 authorization server, driven as an MCP client and a browser would: the MCP
 * SDK's own OAuth client gets 401, discovers the metadata, registers, is sent to the authorize
 * endpoint; a "browser" (fetch with cookies) logs in and consents on the hub's pages; the client
 * finishes with the code, lists and calls tools. Then scopes capped by role, audience, expiry,
 * refresh, a removed user, and the login throttle.
 */
import assert from 'node:assert/strict';
import { get, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { importJWK, SignJWT } from 'jose';
import { addUser } from '../../src/auth/users.ts';
import { loadServerKeys } from '../../src/oauth/server-keys.ts';
import { authorize, Browser, MemoryOAuthClient } from '../support/oauth-browser.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

const PASSWORD = 'correct horse battery staple';
const FAST = { iterations: 1000 };
let offset = 0;
let t: TestHub;
/** A board to reboot: run_command reboot on it needs the admin role (iot:admin). */
const BOARD = 'oauth-board';
before(async () => {
  t = await startTestHub({}, undefined, { now: () => Date.now() + offset });
  await t.hub.dispatcher.invoke('device.register', { device_type: 'mcu', hardware_id: BOARD, static_schema: { manufacturer: 'Raspberry Pi', model: 'Pico W' } }, { transport: 'internal' });
  await addUser(t.hub.stores.users, { name: 'olive', role: 'operator', password: PASSWORD, ...FAST });
  await addUser(t.hub.stores.users, { name: 'vera', role: 'viewer', password: PASSWORD, ...FAST });
  await addUser(t.hub.stores.users, { name: 'gone', role: 'admin', password: PASSWORD, ...FAST });
});
after(() => t.close());

const mcpUrl = (): URL => new URL(`${t.httpUrl}/mcp`);

/** The SDK's whole flow for `user`: 401, discovery, registration, login + consent, code exchange. */
async function signIn(user: string, scopes?: readonly string[]): Promise<MemoryOAuthClient> {
  const provider = new MemoryOAuthClient();
  const first = new Client({ name: 'oauth-test', version: '1.0.0' });
  await assert.rejects(first.connect(new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider })), /Unauthorized/);
  assert.ok(provider.authorizationUrl, 'the client was sent to the authorization endpoint');
  const code = await authorize(new Browser(), provider.authorizationUrl, { name: user, password: PASSWORD }, scopes);
  await new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider }).finishAuth(code);
  return provider;
}

async function connect(provider: MemoryOAuthClient): Promise<Client> {
  const client = new Client({ name: 'oauth-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider }));
  return client;
}

/** A tools/call on /mcp with a bearer token, as raw HTTP (the 401/403 answers come before any session). */
const callTool = (token: string, name: string, args: Record<string, unknown> = {}): Promise<Response> =>
  fetch(mcpUrl(), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  });

/** The tools a bearer token may list, over a plain MCP session (the token in a header, as Claude Code --header sends it). */
async function toolsWith(token: string): Promise<string[]> {
  const client = new Client({ name: 'bearer', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl(), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  try {
    return (await client.listTools()).tools.map((tool) => tool.name);
  } finally {
    await client.close();
  }
}

describe('built-in OAuth authorization server', () => {
  it('publishes its metadata and is named by the protected-resource metadata', async () => {
    const prm = (await (await fetch(`${t.httpUrl}/.well-known/oauth-protected-resource/mcp`)).json()) as { resource: string; authorization_servers: string[] };
    assert.equal(prm.resource, `${t.httpUrl}/mcp`);
    assert.deepEqual(prm.authorization_servers, [t.httpUrl]);
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const res = await fetch(`${t.httpUrl}${path}`);
      assert.equal(res.status, 200, path);
      const meta = (await res.json()) as Record<string, unknown>;
      assert.equal(meta['issuer'], t.httpUrl);
      assert.equal(meta['authorization_endpoint'], `${t.httpUrl}/oauth/authorize`);
      assert.equal(meta['registration_endpoint'], `${t.httpUrl}/oauth/register`);
      assert.deepEqual(meta['code_challenge_methods_supported'], ['S256']);
      assert.deepEqual(meta['response_types_supported'], ['code']);
      for (const scope of ['iot:read', 'iot:write', 'iot:admin']) assert.ok((meta['scopes_supported'] as string[]).includes(scope), scope);
    }
    const foreign = await new Promise<number>((resolve, reject) => {
      // fetch cannot set Host: a DNS-rebinding page's request, by hand.
      get(`${t.httpUrl}/.well-known/oauth-authorization-server`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).once('error', reject);
    });
    assert.equal(foreign, 403, 'a foreign Host never becomes an issuer');
  });

  it('the MCP SDK client finds /mcp\'s metadata at the path-suffixed well-known URI, and at the root as a fallback (RFC 9728 §3.1)', async () => {
    const prmPath = '/.well-known/oauth-protected-resource';
    /** A fetch that records the metadata URLs asked for; `strip`: the challenge names no metadata; `noSuffixed`: the path-suffixed URI answers 404 (an older hub, a proxy that forwards only the root). */
    const watching = (strip: boolean, noSuffixed: boolean): { fetch: typeof fetch; asked: string[] } => {
      const asked: string[] = [];
      const watched: typeof fetch = async (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        if (new URL(url).pathname.startsWith(prmPath)) asked.push(new URL(url).pathname);
        if (noSuffixed && new URL(url).pathname === `${prmPath}/mcp`) return new Response('not found', { status: 404 });
        const res = await fetch(input, init);
        const challenge = res.headers.get('www-authenticate');
        if (!strip || challenge === null) return res;
        const headers = new Headers(res.headers);
        headers.set('www-authenticate', challenge.replace(/, resource_metadata="[^"]*"/, ''));
        return new Response(res.body, { status: res.status, headers });
      };
      return { fetch: watched, asked };
    };
    for (const [strip, noSuffixed, expected] of [
      [false, false, [`${prmPath}/mcp`]],
      [true, false, [`${prmPath}/mcp`]],
      [true, true, [`${prmPath}/mcp`, prmPath]],
    ] as const) {
      const { fetch: watched, asked } = watching(strip, noSuffixed);
      const provider = new MemoryOAuthClient();
      const client = new Client({ name: 'discovery', version: '1.0.0' });
      await assert.rejects(client.connect(new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider, fetch: watched })), /Unauthorized/);
      assert.deepEqual(asked, expected, `challenge stripped: ${strip}, path-suffixed 404: ${noSuffixed}`);
      // Either document names <hub>/mcp: the token the client asks for is for /mcp (RFC 8707), the one resource the server issues tokens for.
      assert.equal(provider.authorizationUrl?.searchParams.get('resource'), `${t.httpUrl}/mcp`);
      if (noSuffixed) {
        const code = await authorize(new Browser(), provider.authorizationUrl, { name: 'vera', password: PASSWORD });
        await new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider, fetch: watched }).finishAuth(code);
        assert.ok((await toolsWith(provider.tokens()?.access_token ?? '')).includes('find_devices'), 'a client that found only the root document signs in');
      }
    }
  });

  it('the MCP SDK client registers, the user logs in and consents, and the client lists and calls tools', async () => {
    const provider = await signIn('olive');
    // The client asks for the 401 challenge's scope (MCP 2025-11-25 authorization §Scope Selection); the consent page caps it.
    assert.equal(provider.authorizationUrl?.searchParams.get('scope'), 'iot:read iot:write iot:admin');
    const tokens = provider.tokens();
    assert.equal(tokens?.token_type, 'Bearer');
    assert.equal(tokens?.expires_in, 600);
    assert.equal(tokens?.scope, 'iot:read iot:write', 'an operator cannot grant iot:admin');
    assert.ok(tokens?.refresh_token);
    const client = await connect(provider);
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      assert.ok(names.includes('find_devices') && names.includes('update_device'));
      const result = await client.callTool({ name: 'find_devices', arguments: {} });
      assert.notEqual(result.isError, true);
      const reboot = await callTool(tokens?.access_token ?? '', 'run_command', { device: BOARD, command: 'reboot' });
      assert.equal(reboot.status, 403, 'no admin action for an operator');
      assert.match(reboot.headers.get('www-authenticate') ?? '', /error="insufficient_scope", scope="iot:admin"/);
    } finally {
      await client.close();
    }
  });

  it('a viewer can grant iot:read only, whatever the form sends; a write tool then answers 403 insufficient_scope', async () => {
    const provider = new MemoryOAuthClient();
    await assert.rejects(new Client({ name: 'v', version: '1' }).connect(new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider })));
    const browser = new Browser();
    const login = await browser.open(provider.authorizationUrl as URL);
    assert.equal(login.kind, 'page');
    assert.match(login.kind === 'page' ? login.html : '', /<label for="password">Password<\/label>/);
    const consent = await browser.submit(login, [['name', 'vera'], ['password', PASSWORD]]);
    assert.equal(consent.kind, 'page');
    const html = consent.kind === 'page' ? consent.html : '';
    assert.match(html, /Test MCP client/);
    assert.match(html, /name="scope" value="iot:read" checked/);
    assert.match(html, /<code>iot:write<\/code>.*not available to your role, viewer/);
    // A forged form asking for more than the role: the server grants only what the role reaches.
    const back = await browser.submit(consent, [['scope', 'iot:read'], ['scope', 'iot:write'], ['scope', 'iot:admin'], ['decision', 'allow']]);
    assert.equal(back.kind, 'redirect');
    await new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider }).finishAuth((back.kind === 'redirect' && back.url.searchParams.get('code')) || '');
    assert.equal(provider.tokens()?.scope, 'iot:read');
    const refused = await callTool(provider.tokens()?.access_token ?? '', 'update_device');
    assert.equal(refused.status, 403);
    assert.match(refused.headers.get('www-authenticate') ?? '', /error="insufficient_scope", scope="iot:write"/);
  });

  it('an operator who grants only iot:read gets a viewer token', async () => {
    const provider = await signIn('olive', ['iot:read']);
    assert.equal(provider.tokens()?.scope, 'iot:read');
    assert.equal((await callTool(provider.tokens()?.access_token ?? '', 'update_device')).status, 403);
  });

  it('refuses a token of this server for another audience, and an expired one', async () => {
    const keys = await loadServerKeys(t.hub.stores.oauth);
    const jwk = keys.signing[0];
    assert.ok(jwk);
    const key = await importJWK(jwk, 'RS256');
    const forged = await new SignJWT({ scope: 'iot:read', client_id: 'x' })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: jwk.kid ?? '' })
      .setIssuer(t.httpUrl)
      .setAudience('https://other.example/mcp')
      .setSubject('olive')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
    const wrongAudience = await callTool(forged, 'find_devices');
    assert.equal(wrongAudience.status, 401);
    assert.match(wrongAudience.headers.get('www-authenticate') ?? '', /error="invalid_token", error_description="access token refused: aud does not match"/);
    const provider = await signIn('olive');
    const token = provider.tokens()?.access_token ?? '';
    assert.ok((await toolsWith(token)).includes('find_devices'));
    // Nor does the server issue a token for another resource (RFC 8707 §2: invalid_target).
    const elsewhere = new URL(provider.authorizationUrl?.href ?? '');
    elsewhere.searchParams.set('resource', 'https://other.example/mcp');
    const refusedTarget = await new Browser().open(elsewhere);
    assert.equal(refusedTarget.kind, 'redirect');
    assert.equal(refusedTarget.kind === 'redirect' && refusedTarget.url.searchParams.get('error'), 'invalid_target');
    // OAuth 2.1 §7.5.1: no code without PKCE, and only S256.
    for (const [name, value] of [['code_challenge', undefined], ['code_challenge_method', 'plain']] as const) {
      const weak = new URL(provider.authorizationUrl?.href ?? '');
      if (value === undefined) weak.searchParams.delete(name);
      else weak.searchParams.set(name, value);
      const stop = await new Browser().open(weak);
      assert.equal(stop.kind === 'redirect' && stop.url.searchParams.get('error'), 'invalid_request', `${name}=${value ?? '(none)'}`);
    }
    offset = 11 * 60_000;
    try {
      const expired = await callTool(token, 'find_devices');
      assert.equal(expired.status, 401);
      assert.match(expired.headers.get('www-authenticate') ?? '', /access token expired/);
    } finally {
      offset = 0;
    }
  });

  it('accepts its access tokens on /mcp only: /rpc, /ws and /export refuse them, and their challenges name no resource metadata', async () => {
    const provider = await signIn('olive');
    const token = provider.tokens()?.access_token ?? '';
    assert.ok((await toolsWith(token)).includes('find_devices'), 'good on /mcp, the resource it was issued for');
    /** One raw HTTP request: status and WWW-Authenticate. */
    const raw = (path: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; challenge: string | undefined }> =>
      new Promise((resolve, reject) => {
        const req = request(`${t.httpUrl}${path}`, { method, headers }, (res) => {
          res.resume();
          const header = res.headers['www-authenticate'];
          resolve({ status: res.statusCode ?? 0, challenge: Array.isArray(header) ? header.join('|') : header });
        });
        req.once('error', reject).end(body);
      });
    const rpcBody = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'device.list', params: {} });
    const refusal = `Bearer error="invalid_token", error_description="access token refused: it is for ${t.httpUrl}/mcp only; `;
    const rpc = await raw('/rpc', 'POST', { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, rpcBody);
    assert.equal(rpc.status, 401, 'a token minted for /mcp is no credential for /rpc (RFC 9068 §4)');
    assert.equal(rpc.challenge, `${refusal}${t.httpUrl}/rpc takes API tokens and the session cookie", scope="iot:read iot:write iot:admin"`);
    const exported = await raw('/export?last=1h', 'GET', { authorization: `Bearer ${token}` });
    assert.equal(exported.status, 401);
    assert.equal(exported.challenge?.startsWith(`${refusal}${t.httpUrl}/export takes`), true, exported.challenge);
    const ws = await raw('/ws', 'GET', { authorization: `Bearer ${token}`, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' });
    assert.equal(ws.status, 401);
    assert.equal(ws.challenge?.startsWith(`${refusal}${t.httpUrl}/ws takes`), true, ws.challenge);
    // No credential: /rpc challenges without resource_metadata (the metadata's resource is /mcp, which a client would have to refuse, RFC 9728 §3.3); /mcp with it.
    assert.deepEqual(await raw('/rpc', 'POST', { 'content-type': 'application/json' }, rpcBody), { status: 401, challenge: 'Bearer scope="iot:read iot:write iot:admin"' });
    const mcp = await raw('/mcp', 'POST', { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, '{}');
    assert.deepEqual(mcp, { status: 401, challenge: `Bearer scope="iot:read iot:write iot:admin", resource_metadata="${t.httpUrl}/.well-known/oauth-protected-resource/mcp"` });
  });

  it('refreshes the access token; a removed user can neither refresh nor use the token they hold', async () => {
    const provider = await signIn('gone');
    const before = provider.tokens();
    assert.equal(before?.scope, 'iot:read iot:write iot:admin');
    assert.equal(await auth(provider, { serverUrl: mcpUrl() }), 'AUTHORIZED');
    const after = provider.tokens();
    assert.notEqual(after?.access_token, before?.access_token);
    assert.notEqual(after?.refresh_token, before?.refresh_token, 'a public client\'s refresh token is rotated');
    assert.ok((await toolsWith(after?.access_token ?? '')).includes('run_command'));
    const reboot = await callTool(after?.access_token ?? '', 'run_command', { device: BOARD, command: 'reboot' });
    assert.notEqual(reboot.status, 403, 'an admin token reaches admin actions');

    await t.hub.stores.users.removeUser('gone');
    const refused = await callTool(after?.access_token ?? '', 'find_devices');
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate') ?? '', /user gone was removed or disabled/);
    const refresh = await fetch(`${t.httpUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: after?.refresh_token ?? '', client_id: provider.clientInformation()?.client_id ?? '' }),
    });
    assert.equal(refresh.status, 400);
    assert.equal(((await refresh.json()) as { error: string }).error, 'invalid_grant');
  });

  it('--oauth-server off: no authorization server, and none named in the resource metadata', async () => {
    const off = await startTestHub({ oauthServer: 'off' });
    try {
      assert.equal((await fetch(`${off.httpUrl}/.well-known/oauth-authorization-server`)).status, 404);
      assert.equal((await fetch(`${off.httpUrl}/oauth/register`, { method: 'POST' })).status, 404);
      const prm = (await (await fetch(`${off.httpUrl}/.well-known/oauth-protected-resource`)).json()) as { authorization_servers: string[] };
      assert.deepEqual(prm.authorization_servers, []);
    } finally {
      await off.close();
    }
  });

  it('throttles the login page like POST /auth/login, and refuses a form posted from another origin', async () => {
    const provider = new MemoryOAuthClient();
    await assert.rejects(new Client({ name: 't', version: '1' }).connect(new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider })));
    const browser = new Browser();
    const login = await browser.open(provider.authorizationUrl as URL);
    assert.equal(login.kind, 'page');
    const page = login.kind === 'page' ? login : undefined;
    const action = new URL(/action="([^"]+)"/.exec(page?.html ?? '')?.[1] ?? '', page?.url);
    const crossSite = await fetch(action, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=vera&password=x' });
    assert.equal(crossSite.status, 403);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const again = await browser.submit(login, [['name', 'vera'], ['password', `wrong password ${i}`]]);
      statuses.push(again.kind === 'page' ? again.status : 0);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
  });
});
