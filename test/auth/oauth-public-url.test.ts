/**
 * The built-in authorization server behind a TLS-terminating reverse proxy (`--public-url`): the hub
 * listens on plain HTTP on loopback; a proxy on this machine terminates TLS for https://hub.example and
 * forwards the Host. The issuer, every metadata URL, the protected-resource document, the challenges
 * and the token audience name https://hub.example, and the MCP SDK's OAuth client signs in through the
 * proxy. X-Forwarded-* headers a client sends change nothing.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { decodeJwt } from 'jose';
import { addUser } from '../../src/auth/users.ts';
import { TEST_CERT, TEST_KEY } from '../fixtures/test-certificate.ts';
import { authorize, Browser, MemoryOAuthClient } from '../support/oauth-browser.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

const PASSWORD = 'correct horse battery staple';
let t: TestHub;
let proxy: Server;
let hubPort = 0;
/** https://hub.example:<proxy port>: what the MCP client and the browser use. */
let publicUrl = '';

/** A TLS-terminating reverse proxy (nginx `proxy_pass` with `proxy_set_header Host $host`): HTTPS in, plain HTTP to the hub. */
function startProxy(): Promise<Server> {
  const server = createHttpsServer({ cert: TEST_CERT, key: TEST_KEY }, (req, res) => {
    const upstream = httpRequest({ host: '127.0.0.1', port: hubPort, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '', 'x-forwarded-proto': 'https' } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    });
    upstream.once('error', () => res.destroy());
    res.once('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** fetch for https://hub.example: name resolution points at the proxy, and the test certificate is trusted. */
const proxiedFetch: typeof fetch = async (input, init) => {
  const request = new Request(input, init);
  const url = new URL(request.url);
  const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
  return new Promise<Response>((resolve, reject) => {
    const outgoing = httpsRequest(
      { host: '127.0.0.1', port: Number(url.port), servername: 'localhost', ca: TEST_CERT, method: request.method, path: `${url.pathname}${url.search}`, headers: { ...Object.fromEntries(request.headers), host: url.host } },
      (res: IncomingMessage) => {
        const headers = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i] ?? '', res.rawHeaders[i + 1] ?? '');
        const status = res.statusCode ?? 502;
        resolve(new Response([204, 304].includes(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, headers }));
      },
    );
    request.signal.addEventListener('abort', () => outgoing.destroy(new Error('aborted')), { once: true });
    outgoing.once('error', reject);
    outgoing.end(body);
  });
};

/** A raw request straight to the hub (as a proxy that rewrites Host would send it, or anyone on the machine). */
function direct(path: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port: hubPort, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).once('error', reject).end();
  });
}

before(async () => {
  proxy = await startProxy();
  publicUrl = `https://hub.example:${(proxy.address() as AddressInfo).port}`;
  t = await startTestHub({ publicUrl });
  hubPort = Number(new URL(t.httpUrl).port);
  await addUser(t.hub.stores.users, { name: 'olive', role: 'operator', password: PASSWORD, iterations: 1000 });
});
after(async () => {
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
  await t.close();
});

describe('OAuth behind a TLS-terminating proxy (--public-url)', () => {
  it('names the public URL in the metadata, the resource document and the challenge, whatever the request says', async () => {
    const hubAddress = `127.0.0.1:${hubPort}`;
    // Through the proxy, and straight from a proxy that rewrites Host, with forged forwarding headers.
    const asked = [
      async (path: string) => ({ body: await (await proxiedFetch(`${publicUrl}${path}`)).text() }),
      (path: string) => direct(path, { host: hubAddress, 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' }),
    ];
    for (const ask of asked) {
      const meta = JSON.parse((await ask('/.well-known/oauth-authorization-server')).body) as Record<string, unknown>;
      assert.equal(meta['issuer'], publicUrl);
      for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'jwks_uri', 'revocation_endpoint']) {
        assert.ok(String(meta[endpoint]).startsWith(`${publicUrl}/oauth/`), `${endpoint}: ${String(meta[endpoint])}`);
      }
      const prm = JSON.parse((await ask('/.well-known/oauth-protected-resource/mcp')).body) as { resource: string; authorization_servers: string[] };
      assert.equal(prm.resource, `${publicUrl}/mcp`);
      assert.deepEqual(prm.authorization_servers, [publicUrl]);
    }
    const challenge = await proxiedFetch(`${publicUrl}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    assert.equal(challenge.status, 401);
    assert.match(challenge.headers.get('www-authenticate') ?? '', new RegExp(`resource_metadata="${publicUrl}/.well-known/oauth-protected-resource/mcp"`));
  });

  it('the MCP SDK client signs in through the proxy and gets a token for <public url>/mcp that /mcp accepts', async () => {
    const mcpUrl = new URL(`${publicUrl}/mcp`);
    const provider = new MemoryOAuthClient();
    const first = new Client({ name: 'proxied', version: '1.0.0' });
    await assert.rejects(first.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch: proxiedFetch })), /Unauthorized/);
    assert.equal(provider.authorizationUrl?.origin, publicUrl, 'sent to the public authorization endpoint');
    const code = await authorize(new Browser(proxiedFetch), provider.authorizationUrl, { name: 'olive', password: PASSWORD });
    await new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch: proxiedFetch }).finishAuth(code);
    const token = provider.tokens()?.access_token ?? '';
    const claims = decodeJwt(token);
    assert.equal(claims.iss, publicUrl);
    assert.equal(claims.aud, `${publicUrl}/mcp`);
    const client = new Client({ name: 'proxied', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch: proxiedFetch }));
    try {
      assert.ok((await client.listTools()).tools.some((tool) => tool.name === 'find_devices'));
    } finally {
      await client.close();
    }
    // The same token straight at the hub's /mcp (a client on this machine): one issuer, one audience.
    const direct = new Client({ name: 'direct', version: '1.0.0' });
    await direct.connect(new StreamableHTTPClientTransport(new URL(`${t.httpUrl}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    await direct.close();
    // /rpc is not the resource it was issued for.
    const rpc = await fetch(`${t.httpUrl}/rpc`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'device.list', params: {} }) });
    assert.equal(rpc.status, 401);
  });

  it('refuses a --public-url with a path, which would put every URL the hub hands out in the wrong place', async () => {
    await assert.rejects(startTestHub({ publicUrl: 'https://example.com/iot' }), /--public-url "https:\/\/example.com\/iot": must be an origin with no path/);
  });
});
