/** llmiot_websocket_connections{endpoint}: both endpoints at 0 from the start, up while sockets are open, down when they close. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { eventually } from '../support/eventually.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

describe('llmiot_websocket_connections', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(async () => t?.close());

  const gauge = async (endpoint: string): Promise<number> => {
    const page = await (await fetch(`${t.httpUrl}/metrics`)).text();
    const line = page.split('\n').find((l) => l.startsWith(`llmiot_websocket_connections{endpoint="${endpoint}"} `));
    assert.ok(line !== undefined, `a series for ${endpoint}`);
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  it('counts open /ws and /mqtt connections, each endpoint on its own series', async () => {
    assert.deepEqual([await gauge('/ws'), await gauge('/mqtt')], [0, 0], 'pre-initialised at 0');
    const wsUrl = t.httpUrl.replace(/^http/, 'ws');
    const sockets = await Promise.all(
      [1, 2].map(
        () =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(`${wsUrl}/ws`);
            ws.once('open', () => resolve(ws));
            ws.once('error', reject);
          }),
      ),
    );
    const device = await mqtt.connectAsync(`${wsUrl}/mqtt`, { clientId: `ws-gauge-${process.pid}`, protocolVersion: 4, reconnectPeriod: 0 });
    assert.deepEqual([await gauge('/ws'), await gauge('/mqtt')], [2, 1]);
    for (const ws of sockets) ws.close();
    await device.endAsync();
    await eventually(async () => (await gauge('/ws')) === 0 && (await gauge('/mqtt')) === 0, 5000, 'both back at 0 once closed');
  });
});
