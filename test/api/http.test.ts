// The HTTP server over real sockets on port 0: POST /rpc, limits, routes, /healthz, listen errors.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Type } from '@sinclair/typebox';
import { createHttpServer, listenHttp, type HttpListener, type HealthReport } from '../../src/api/http-server.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { RpcDispatcher } from '../../src/rpc/dispatcher.ts';
import { defineMethod } from '../../src/rpc/method.ts';
import { MethodRegistry } from '../../src/rpc/method-registry.ts';

const registry = new MethodRegistry().add(
  defineMethod({
    name: 'whoami',
    summary: 'Echo the call context',
    kind: 'read',
    params: Type.Object({}),
    result: Type.Object({ transport: Type.String(), principal: Type.Optional(Type.String()), client: Type.Optional(Type.String()) }),
    handler: async (_params, context) => ({
      transport: context.transport,
      ...(context.principal !== undefined && { principal: context.principal.id }),
      ...(context.client !== undefined && { client: context.client }),
    }),
  }),
);
const dispatcher = new RpcDispatcher(registry, silentLogger);
let health: HealthReport = { status: 'ok', store: 'sqlite' };
const MAX_BODY = 1024;

let listener: HttpListener;

before(async () => {
  const server = createHttpServer({
    dispatcher,
    logger: silentLogger,
    maxBodyBytes: MAX_BODY,
    health: () => health,
    routes: [
      {
        method: 'GET',
        path: '/metrics',
        handler: (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.end('llmiot_up 1\n');
        },
      },
      { method: 'GET', path: '/fails', handler: async () => Promise.reject(new Error('route exploded')) },
    ],
  });
  listener = await listenHttp(server, { port: 0, host: '127.0.0.1' });
});

after(() => listener.close());

function rpc(body: string, contentType = 'application/json'): Promise<Response> {
  return fetch(`${listener.url}/rpc`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

/** POST a body in chunks without Content-Length, as a streaming client would. */
function postChunked(chunks: number, chunkSize: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${listener.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    let sent = 0;
    const pump = (): void => {
      while (sent < chunks) {
        sent += 1;
        if (!req.write('x'.repeat(chunkSize))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('HTTP server', () => {
  it('serves JSON-RPC at POST /rpc with an http call context', async () => {
    const res = await rpc('{"jsonrpc":"2.0","id":1,"method":"whoami"}');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await res.json(), { jsonrpc: '2.0', id: 1, result: { transport: 'http', principal: 'local', client: '127.0.0.1' } });
  });

  it('answers a parse error as JSON-RPC -32700 with id null', async () => {
    const res = await rpc('{"jsonrpc":');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { id: unknown; error: { code: number } };
    assert.equal(body.id, null);
    assert.equal(body.error.code, -32700);
  });

  it('answers an id beyond the JSON input limits with -32600 and id null, not echoing it', async () => {
    // The hub's default body limit (4 MiB) lets such an id through to the dispatcher.
    const roomy = await listenHttp(createHttpServer({ dispatcher, logger: silentLogger, health: () => health }), { port: 0, host: '127.0.0.1' });
    const post = (body: unknown): Promise<Response> => fetch(`${roomy.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    try {
      const res = await post({ jsonrpc: '2.0', id: 'x'.repeat(200_000), method: 'whoami' });
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.ok(text.length < 1_000, `answer of ${text.length} characters`);
      const body = JSON.parse(text) as { id: unknown; error: { code: number; message: string } };
      assert.equal(body.id, null);
      assert.equal(body.error.code, -32600);
      assert.match(body.error.message, /id: string of 200000 characters exceeds 65536/);
      const valid = (await (await post({ jsonrpc: '2.0', id: 'y'.repeat(65_536), method: 'whoami' })).json()) as { id: unknown; result?: unknown };
      assert.equal(valid.id, 'y'.repeat(65_536));
      assert.ok(valid.result);
    } finally {
      await roomy.close();
    }
  });

  it('answers notifications only with 204 and no body', async () => {
    const res = await rpc('[{"jsonrpc":"2.0","method":"whoami"},{"jsonrpc":"2.0","method":"whoami"}]');
    assert.equal(res.status, 204);
    assert.equal(await res.text(), '');
  });

  it('refuses a declared oversize body with 413 and a -32006 JSON-RPC error', async () => {
    const res = await rpc(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'whoami', params: { pad: 'x'.repeat(MAX_BODY) } }));
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32006, message: `Payload too large: the request body exceeds ${MAX_BODY} bytes` },
    });
  });

  it('stops reading a streamed body once it passes the limit', async () => {
    const { status, body } = await postChunked(4, 512);
    assert.equal(status, 413);
    assert.equal((JSON.parse(body) as { error: { code: number } }).error.code, -32006);
  });

  it('refuses other content types with 415 and a JSON body', async () => {
    const res = await rpc('{"jsonrpc":"2.0","id":1,"method":"whoami"}', 'text/plain');
    assert.equal(res.status, 415);
    assert.equal(((await res.json()) as { error: { code: number } }).error.code, -32600);
  });

  it('refuses a compressed or non-UTF-8 body with 415 naming what to send, and takes UTF-8 JSON with its charset', async () => {
    const call = '{"jsonrpc":"2.0","id":1,"method":"whoami"}';
    const gzipped = await fetch(`${listener.url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(call),
    });
    assert.equal(gzipped.status, 415);
    assert.match(((await gzipped.json()) as { error: { message: string } }).error.message, /Content-Encoding gzip is not supported/);
    const utf16 = await rpc(call, 'application/json; charset=utf-16');
    assert.equal(utf16.status, 415);
    assert.match(((await utf16.json()) as { error: { message: string } }).error.message, /charset utf-16 is not supported: JSON is UTF-8/);
    for (const type of ['application/json; charset=utf-8', 'application/json;charset="UTF-8"']) {
      const res = await rpc(call, type);
      assert.equal(res.status, 200, type);
      await res.json();
    }
  });

  it('answers a wrong method with 405 and an Allow header', async () => {
    const res = await fetch(`${listener.url}/rpc`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    await res.json();
  });

  it('answers unknown paths with a JSON 404', async () => {
    const res = await fetch(`${listener.url}/nope?x=1`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'Not Found', message: 'No route: GET /nope' });
  });

  it('reports health, and 503 when a component is not ok', async () => {
    health = { status: 'ok', store: 'sqlite' };
    let res = await fetch(`${listener.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok', store: 'sqlite' });
    health = { status: 'degraded', broker: 'reconnecting' };
    res = await fetch(`${listener.url}/healthz`);
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { status: 'degraded', broker: 'reconnecting' });
    health = { status: 'ok' };
  });

  it('serves mounted routes, and turns a failing route into a JSON 500', async () => {
    const metrics = await fetch(`${listener.url}/metrics`);
    assert.equal(await metrics.text(), 'llmiot_up 1\n');
    const failing = await fetch(`${listener.url}/fails`);
    assert.equal(failing.status, 500);
    assert.deepEqual(await failing.json(), { error: 'Internal Server Error', message: 'Internal error' });
  });

  it('rejects mounting the same route twice', () => {
    const route = { method: 'GET', path: '/metrics', handler: () => undefined };
    assert.throws(() => createHttpServer({ dispatcher, logger: silentLogger, routes: [route, route] }), /GET \/metrics is mounted twice/);
  });

  it('explains a taken port', async () => {
    const second = createHttpServer({ dispatcher, logger: silentLogger });
    await assert.rejects(listenHttp(second, { port: listener.port, host: '127.0.0.1' }), {
      message: `HTTP port ${listener.port} is already in use — pass --http-port`,
    });
  });
});
