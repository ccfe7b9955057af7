/**
 * Per-connection state on /ws is released when the socket closes (fuzz: heap grew ~100 MiB over 8.6k
 * reconnects): live data.subscribe subscriptions — also those whose request is still being handled when
 * the socket closes — and with them the hub's telemetry listener.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { eventually, startTestHub, type TestHub } from '../support/test-hub.ts';

const CONNECTIONS = 200;

describe('WebSocket: subscriptions end with their connection', () => {
  let t: TestHub;
  let url = '';

  before(async () => {
    t = await startTestHub();
    url = `${t.httpUrl.replace(/^http/, 'ws')}/ws`;
  });
  after(async () => t.close());

  const telemetryListeners = (): number => t.hub.services.events.listenerCount('telemetry');

  async function open(): Promise<WebSocket> {
    const ws = new WebSocket(url);
    await once(ws, 'open');
    return ws;
  }

  function subscribe(ws: WebSocket, id: number): void {
    ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'data.subscribe', params: {} }));
  }

  it('subscriptions answered before the close are removed', async () => {
    const baseline = telemetryListeners();
    for (let i = 0; i < CONNECTIONS / 4; i++) {
      const ws = await open();
      subscribe(ws, 1);
      subscribe(ws, 2);
      const answered = new Promise<void>((resolve) => {
        let n = 0;
        ws.on('message', () => ++n === 2 && resolve());
      });
      await answered;
      assert.equal(telemetryListeners(), baseline + 1, 'one listener serves every subscription');
      ws.close();
      await once(ws, 'close');
    }
    await eventually(() => telemetryListeners() === baseline, 10_000, 'telemetry listener released');
  });

  it('subscriptions still being handled when the socket closes are removed too', async () => {
    const baseline = telemetryListeners();
    const sockets = await Promise.all(Array.from({ length: CONNECTIONS }, () => open()));
    for (const [i, ws] of sockets.entries()) {
      // Subscribe, and close before the answer: the handler runs after (or while) the hub sees the close.
      subscribe(ws, 1);
      if (i % 2 === 0) subscribe(ws, 2);
      if (i % 3 === 0) ws.terminate();
      else ws.close();
    }
    await Promise.all(sockets.map((ws) => (ws.readyState === WebSocket.CLOSED ? undefined : once(ws, 'close'))));
    await eventually(() => telemetryListeners() === baseline, 10_000, `telemetry listener released (listeners ${telemetryListeners()}, baseline ${baseline})`);
  });
});
