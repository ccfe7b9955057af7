/**
 * The hub's API limits (issue 10, "Unbounded resources"): HTTP clients too slow with their headers or
 * body, WebSocket connection caps on /ws and /mqtt, data.subscribe per connection, devices per hub.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { eventually, startTestHub, type TestHub } from '../support/test-hub.ts';

/** Send `head` then trickle `drip` one byte every 50 ms; resolve with what the server answered once it closes (or reject after `boundMs`). */
async function slowClient(port: number, head: string, drip: string, boundMs: number): Promise<{ answer: string; elapsedMs: number }> {
  const socket = netConnect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  const started = Date.now();
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  socket.write(head);
  let i = 0;
  const trickle = setInterval(() => {
    if (!socket.destroyed) socket.write(drip.charAt(i++ % drip.length));
  }, 50);
  try {
    await new Promise<void>((resolve, reject) => {
      const bound = setTimeout(() => reject(new Error(`the server kept the slow client for ${boundMs} ms`)), boundMs);
      socket.once('close', () => {
        clearTimeout(bound);
        resolve();
      });
    });
  } finally {
    clearInterval(trickle);
    socket.destroy();
  }
  return { answer, elapsedMs: Date.now() - started };
}

/** Open a WebSocket; resolves with it once open, or with the HTTP status it was refused with. */
function openWs(url: string, protocol?: string): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = protocol === undefined ? new WebSocket(url) : new WebSocket(url, protocol);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

describe('hub limits', () => {
  let t: TestHub;
  let port: number;
  const sockets: WebSocket[] = [];
  before(async () => {
    t = await startTestHub({
      httpHeadersTimeoutMs: 400,
      httpRequestTimeoutMs: 800,
      maxWsConnections: 2,
      maxMqttWsConnections: 1,
      maxLiveSubscriptions: 2,
      maxDevices: 2,
    });
    port = Number(new URL(t.httpUrl).port);
  });
  after(async () => {
    for (const ws of sockets) ws.terminate();
    await t.close();
  });

  it('an HTTP client sending its headers a byte at a time gets 408 and is closed at the headers timeout', async () => {
    const { answer, elapsedMs } = await slowClient(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-Slow: abcdefghijklmnopqrstuvwxyz\r\n', 5_000);
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.ok(elapsedMs >= 300, `closed after ${elapsedMs} ms`);
  });

  it('an HTTP client trickling its body is closed at the request timeout', async () => {
    const head = 'POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n';
    const { elapsedMs } = await slowClient(port, head, ' ', 5_000);
    assert.ok(elapsedMs >= 600, `closed after ${elapsedMs} ms`);
  });

  it('/ws: connections beyond --max-ws-connections are answered 503; a place frees when one closes', async () => {
    const url = `${t.httpUrl.replace('http', 'ws')}/ws`;
    const first = await openWs(url);
    const second = await openWs(url);
    assert.ok(first instanceof WebSocket && second instanceof WebSocket);
    sockets.push(first, second);
    assert.equal(await openWs(url), 503);
    const closed = once(first, 'close');
    first.close();
    await closed;
    const third = await eventuallyOpen(url);
    sockets.push(third);
  });

  it('/mqtt: connections beyond --max-mqtt-ws-connections are answered 503', async () => {
    const url = `${t.httpUrl.replace('http', 'ws')}/mqtt`;
    const first = await openWs(url, 'mqtt');
    assert.ok(first instanceof WebSocket);
    sockets.push(first);
    assert.equal(await openWs(url, 'mqtt'), 503);
  });

  it('data.subscribe: a connection holding --max-live-subscriptions gets LIMIT_REACHED', async () => {
    for (const open of sockets.splice(0)) open.terminate();
    const ws = await eventuallyOpen(`${t.httpUrl.replace('http', 'ws')}/ws`);
    sockets.push(ws);
    const answers: { id: number; result?: unknown; error?: { code: number; data?: { limit: string; max: number } } }[] = [];
    ws.on('message', (data: Buffer) => answers.push(JSON.parse(data.toString())));
    for (let id = 1; id <= 3; id++) ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'data.subscribe', params: {} }));
    await eventually(() => answers.length === 3, 5000, 'three answers');
    const third = answers.find((a) => a.id === 3);
    assert.equal(third?.error?.code, -32015);
    assert.deepEqual(third?.error?.data, { limit: 'max_live_subscriptions', max: 2 });
    assert.equal(answers.filter((a) => a.result !== undefined).length, 2);
  });

  it('device.register: a new hardware id beyond --max-devices gets LIMIT_REACHED; known devices re-register', async () => {
    const schema = { manufacturer: 'Espressif', model: 'ESP32-S3' };
    for (const hardware_id of ['cap-1', 'cap-2']) {
      const r = await t.rpc('device.register', { hardware_id, device_type: 'mcu', static_schema: schema });
      assert.equal(r.error, undefined, JSON.stringify(r.error));
    }
    const refused = await t.rpc('device.register', { hardware_id: 'cap-3', device_type: 'mcu', static_schema: schema });
    assert.equal(refused.error?.code, -32015);
    assert.match(refused.error?.message ?? '', /--max-devices/);
    assert.equal((await t.rpc('device.get', { device_id: 'cap-3' })).error?.code, -32001, 'nothing half-registered');
    const again = await t.rpc('device.register', { hardware_id: 'cap-1', device_type: 'mcu', static_schema: schema });
    assert.equal(again.error, undefined);
  });
});

/** A /ws connection, retried while the server still counts a socket that is closing. */
function eventuallyOpen(url: string): Promise<WebSocket> {
  return eventually(async () => {
    const opened = await openWs(url);
    return opened instanceof WebSocket ? opened : undefined;
  }, 5000, 'a WebSocket place');
}
