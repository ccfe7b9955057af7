/** The MCP server over Streamable HTTP at /mcp on a listening hub (port 0): the shared suite, then sessions and security. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestHub, type TestHub } from '../support/test-hub.ts';
import { describeMcpServer } from './describe-mcp-server.ts';

describeMcpServer('Streamable HTTP', async (t, client) => {
  await client.connect(new StreamableHTTPClientTransport(new URL(`${t.httpUrl}/mcp`)));
  return client;
});

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

/** A raw HTTP request (fetch cannot set Host). */
function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let data = '';
      res.on('data', (chunk: Buffer) => (data += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe('MCP Streamable HTTP sessions', () => {
  let t: TestHub;
  let url: string;

  before(async () => {
    t = await startTestHub();
    url = `${t.httpUrl}/mcp`;
  });
  after(async () => t.close());

  it('gives each client its own session and ends it on DELETE; an ended session answers 404', async () => {
    const one = new StreamableHTTPClientTransport(new URL(url));
    const two = new StreamableHTTPClientTransport(new URL(url));
    const first = new Client({ name: 'one', version: '1' });
    const second = new Client({ name: 'two', version: '1' });
    await first.connect(one);
    await second.connect(two);
    assert.ok(one.sessionId && two.sessionId && one.sessionId !== two.sessionId);
    const sessionId = one.sessionId;
    await one.terminateSession();
    await first.close();
    const again = await post(url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' });
    assert.equal(again.status, 404);
    assert.match(JSON.parse(again.body).error.message, /Session not found/);
    assert.ok((await second.listTools()).tools.length > 0, 'the other session is untouched');
    await second.close();
  });

  it('refuses requests without a session unless they initialize one', async () => {
    const list = await post(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    assert.equal(list.status, 400);
    const get = await fetch(url, { headers: { accept: 'text/event-stream' } });
    assert.equal(get.status, 400);
    const put = await fetch(url, { method: 'PUT' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'POST, GET, DELETE');
    const garbage = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{not json' });
    assert.equal(garbage.status, 400);
    assert.equal(((await garbage.json()) as { error: { code: number } }).error.code, -32700);
  });

  it('rejects DNS-rebinding Host and foreign Origin headers with 403, accepts loopback ones', async () => {
    const port = new URL(url).port;
    const rebound = await post(url, INITIALIZE, { host: 'evil.example.com' });
    assert.equal(rebound.status, 403);
    const foreignOrigin = await post(url, INITIALIZE, { origin: 'http://evil.example.com' });
    assert.equal(foreignOrigin.status, 403);
    const local = await post(url, INITIALIZE, { host: `localhost:${port}`, origin: `http://localhost:${port}` });
    assert.equal(local.status, 200);
    assert.ok(local.headers['mcp-session-id']);
  });

  it('makes SSE streams resumable: event ids, a retry hint, and replay after Last-Event-ID', async () => {
    const init = await post(url, INITIALIZE);
    assert.equal(init.status, 200);
    assert.match(init.body, /^id: 1\nretry: 2000\ndata: \n\n/, 'a priming event first (SEP-1699)');
    assert.match(init.body, /event: message\nid: 2\ndata: .*"protocolVersion":"2025-11-25"/);
    const session = String(init.headers['mcp-session-id']);
    const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
    assert.equal((await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).status, 202);

    const abort = new AbortController();
    const replay = await fetch(url, { headers: { ...headers, accept: 'text/event-stream', 'last-event-id': '1' }, signal: abort.signal });
    assert.equal(replay.status, 200);
    const reader = (replay.body as ReadableStream<Uint8Array>).getReader();
    let received = '';
    while (!received.includes('protocolVersion')) {
      const { value, done } = await reader.read();
      if (done) break;
      received += new TextDecoder().decode(value);
    }
    abort.abort();
    assert.match(received, /id: 2\n[^]*"protocolVersion":"2025-11-25"/, 'the missed initialize result is sent again');
    const end = await fetch(url, { method: 'DELETE', headers });
    assert.equal(end.status, 200);
  });

  it('closes every session when the hub closes', async () => {
    const hub = await startTestHub();
    const transport = new StreamableHTTPClientTransport(new URL(`${hub.httpUrl}/mcp`));
    const client = new Client({ name: 'late', version: '1' });
    await client.connect(transport);
    const closed = new Promise<void>((resolve) => (client.onclose = resolve));
    await hub.hub.close();
    const answer = await post(`${hub.httpUrl}/mcp`, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, { 'mcp-session-id': transport.sessionId ?? '', 'mcp-protocol-version': '2025-11-25' });
    assert.equal(answer.status, 503);
    await client.close();
    await closed;
    await hub.close();
  });
});
