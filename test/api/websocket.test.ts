// JSON-RPC over WebSocket on real sockets: requests, notifications, sessions, limits, shared upgrades.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import { WebSocket, WebSocketServer } from 'ws';
import { createHttpServer, listenHttp, type HttpListener } from '../../src/api/http-server.ts';
import { UpgradeRouter } from '../../src/api/upgrade-router.ts';
import { attachJsonRpcWebSocket, type JsonRpcWebSocket } from '../../src/api/websocket-server.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { RpcDispatcher } from '../../src/rpc/dispatcher.ts';
import { defineMethod } from '../../src/rpc/method.ts';
import { MethodRegistry } from '../../src/rpc/method-registry.ts';

const MAX_MESSAGE = 4096;
let cleanedUp = 0;

const registry = new MethodRegistry()
  .add(
    defineMethod({
      name: 'echo',
      summary: 'Echo text',
      kind: 'read',
      params: Type.Object({ text: Type.String() }),
      result: Type.String(),
      handler: async ({ text }) => text,
    }),
  )
  .add(
    defineMethod({
      name: 'subscribe',
      summary: 'Push one tick, count calls in the session, clean up on close',
      kind: 'read',
      params: Type.Object({}),
      result: Type.Object({ calls: Type.Number(), transport: Type.String() }),
      handler: async (_params, context) => {
        const calls = ((context.session?.get('calls') as number | undefined) ?? 0) + 1;
        context.session?.set('calls', calls);
        context.onClose?.(() => (cleanedUp += 1));
        setImmediate(() => context.notify?.('tick', { n: calls }));
        return { calls, transport: context.transport };
      },
    }),
  )
  .add(
    defineMethod({
      name: 'flood',
      summary: 'Push many large notifications at once',
      kind: 'read',
      params: Type.Object({ count: Type.Integer(), size: Type.Integer() }),
      result: Type.Null(),
      handler: async ({ count, size }, context) => {
        const pad = 'x'.repeat(size);
        for (let i = 0; i < count; i += 1) context.notify?.('bulk', { i, pad });
        return null;
      },
    }),
  );

let listener: HttpListener;
let endpoint: JsonRpcWebSocket;
/** The same endpoint with a 100 ms keepalive, on its own path: only the dead-peer test waits on pings. */
let pingEndpoint: JsonRpcWebSocket;
let mqttEndpoint: WebSocketServer;

before(async () => {
  const server = createHttpServer({ dispatcher: new RpcDispatcher(registry, silentLogger), logger: silentLogger });
  endpoint = attachJsonRpcWebSocket({
    server,
    dispatcher: new RpcDispatcher(registry, silentLogger),
    logger: silentLogger,
    maxMessageBytes: MAX_MESSAGE,
    maxBufferedBytes: 64 * 1024,
    // Long enough that a test pausing its socket (the flood test) is never taken for a dead peer.
    keepaliveMs: 60_000,
  });
  pingEndpoint = attachJsonRpcWebSocket({
    server,
    dispatcher: new RpcDispatcher(registry, silentLogger),
    logger: silentLogger,
    path: '/ws-ping',
    keepaliveMs: 100,
  });
  // A second module (as MQTT-over-WebSocket will) mounts its own path on the same server.
  mqttEndpoint = new WebSocketServer({ noServer: true });
  mqttEndpoint.on('connection', (ws) => ws.send('mqtt here'));
  UpgradeRouter.for(server).route('/mqtt', (req, socket, head) => {
    mqttEndpoint.handleUpgrade(req, socket, head, (ws) => mqttEndpoint.emit('connection', ws, req));
  });
  listener = await listenHttp(server, { port: 0, host: '127.0.0.1' });
});

after(async () => {
  await endpoint.close();
  await pingEndpoint.close();
  for (const client of mqttEndpoint.clients) client.terminate();
  mqttEndpoint.close();
  await listener.close();
});

const wsUrl = (path: string): string => listener.url.replace('http:', 'ws:') + path;

/** A client that queues every JSON message it receives. */
async function connect(path = '/ws'): Promise<{ ws: WebSocket; next: () => Promise<any> }> {
  const ws = new WebSocket(wsUrl(path));
  const inbox: unknown[] = [];
  const waiting: ((value: unknown) => void)[] = [];
  ws.on('message', (data) => {
    const message: unknown = JSON.parse(String(data));
    const waiter = waiting.shift();
    if (waiter === undefined) inbox.push(message);
    else waiter(message);
  });
  await once(ws, 'open');
  const next = (): Promise<any> =>
    inbox.length > 0 ? Promise.resolve(inbox.shift()) : new Promise((resolve) => waiting.push(resolve));
  return { ws, next };
}

async function closed(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return;
  ws.close();
  await once(ws, 'close');
}

async function waitFor(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('JSON-RPC over WebSocket', () => {
  it('answers requests and batches', async () => {
    const { ws, next } = await connect();
    ws.send('{"jsonrpc":"2.0","id":1,"method":"echo","params":{"text":"hi"}}');
    assert.deepEqual(await next(), { jsonrpc: '2.0', id: 1, result: 'hi' });
    ws.send('[{"jsonrpc":"2.0","id":2,"method":"echo","params":{"text":"a"}},{"jsonrpc":"2.0","method":"echo","params":{"text":"b"}}]');
    assert.deepEqual(await next(), [{ jsonrpc: '2.0', id: 2, result: 'a' }]);
    await closed(ws);
  });

  it('gives each connection a session, notifications and onClose cleanup', async () => {
    const first = await connect();
    const second = await connect();
    first.ws.send('{"jsonrpc":"2.0","id":1,"method":"subscribe"}');
    assert.deepEqual(await first.next(), { jsonrpc: '2.0', id: 1, result: { calls: 1, transport: 'websocket' } });
    assert.deepEqual(await first.next(), { jsonrpc: '2.0', method: 'tick', params: { n: 1 } });
    first.ws.send('{"jsonrpc":"2.0","id":2,"method":"subscribe"}');
    assert.deepEqual((await first.next()).result, { calls: 2, transport: 'websocket' });
    assert.deepEqual(await first.next(), { jsonrpc: '2.0', method: 'tick', params: { n: 2 } });
    second.ws.send('{"jsonrpc":"2.0","id":1,"method":"subscribe"}');
    assert.deepEqual((await second.next()).result, { calls: 1, transport: 'websocket' });
    await second.next();

    const before = cleanedUp;
    await closed(first.ws);
    await waitFor(() => cleanedUp === before + 2, 'the first connection cleanups');
    await closed(second.ws);
    await waitFor(() => cleanedUp === before + 3, 'the second connection cleanup');
  });

  it('answers an oversize message with -32006 and keeps the connection open', async () => {
    const { ws, next } = await connect();
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo', params: { text: 'x'.repeat(MAX_MESSAGE) } }));
    const answer = await next();
    assert.equal(answer.id, null);
    assert.equal(answer.error.code, -32006);
    assert.equal(ws.readyState, WebSocket.OPEN);
    ws.send('{"jsonrpc":"2.0","id":2,"method":"echo","params":{"text":"still here"}}');
    assert.deepEqual(await next(), { jsonrpc: '2.0', id: 2, result: 'still here' });
    await closed(ws);
  });

  it('answers binary frames with -32700', async () => {
    const { ws, next } = await connect();
    ws.send(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"echo","params":{"text":"hi"}}'), { binary: true });
    const answer = await next();
    assert.equal(answer.id, null);
    assert.equal(answer.error.code, -32700);
    await closed(ws);
  });

  it('drops and counts notifications for a client that stops reading', async () => {
    const { ws, next } = await connect();
    const raw = (ws as unknown as { _socket: Socket })._socket;
    raw.pause();
    const before = endpoint.droppedNotifications;
    ws.send('{"jsonrpc":"2.0","id":1,"method":"flood","params":{"count":2000,"size":16384}}');
    await waitFor(() => endpoint.droppedNotifications > before, 'dropped notifications');
    raw.resume();
    let received = 0;
    for (;;) {
      const message = await next();
      if (message.id === 1) break;
      received += 1;
    }
    assert.ok(received < 2000, `only part of the flood arrives (got ${received})`);
    assert.equal(received + (endpoint.droppedNotifications - before), 2000);
    assert.equal(ws.readyState, WebSocket.OPEN);
    await closed(ws);
  });

  it('terminates a peer that stops answering pings', async () => {
    const { ws } = await connect('/ws-ping');
    await waitFor(() => pingEndpoint.connections === 1, 'one connection');
    (ws as unknown as { _socket: Socket })._socket.pause();
    await waitFor(() => pingEndpoint.connections === 0, 'the dead peer to be terminated');
    ws.terminate();
  });

  it('shares the server with another upgrade path and refuses unknown ones with 404', async () => {
    const jsonRpc = await connect('/ws');
    const mqtt = new WebSocket(wsUrl('/mqtt'));
    const [greeting] = await once(mqtt, 'message');
    assert.equal(String(greeting), 'mqtt here');
    jsonRpc.ws.send('{"jsonrpc":"2.0","id":1,"method":"echo","params":{"text":"both"}}');
    assert.equal((await jsonRpc.next()).result, 'both');

    const stray = new WebSocket(wsUrl('/elsewhere'));
    stray.on('error', () => undefined); // terminating a refused handshake reports an error; expected here
    const [, response] = (await once(stray, 'unexpected-response')) as [unknown, IncomingMessage];
    assert.equal(response.statusCode, 404);
    let body = '';
    for await (const chunk of response) body += String(chunk);
    assert.deepEqual(JSON.parse(body), { error: 'Not Found', message: 'No WebSocket endpoint at /elsewhere' });
    stray.terminate();
    await closed(jsonRpc.ws);
    await closed(mqtt);
  });
});
