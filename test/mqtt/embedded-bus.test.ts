/** EmbeddedMqttBus: the contract over TCP and in-process, presence, size limits and every listener. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { connect as netConnect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { connectAsync, MqttClient, type IClientOptions } from 'mqtt';
import { WebSocket, WebSocketServer } from 'ws';
import { UpgradeRouter } from '../../src/api/upgrade-router.ts';
import { EmbeddedMqttBus, type EmbeddedMqttBusOptions } from '../../src/mqtt/embedded-bus.ts';
import {
  attachMqttWebSocket,
  connectInProcess,
  listenMqttTcp,
  listenMqttTls,
  type MqttListener,
} from '../../src/mqtt/listeners.ts';
import type { PresenceEvent } from '../../src/core/ports/mqtt-bus.ts';
import { describeMqttBus, Inbox, nextDeviceMessage } from './describe-mqtt-bus.ts';

// aedes speaks MQTT 3.1.1 (protocol level 4) only.
const DEVICE: IClientOptions = { protocolVersion: 4, reconnectPeriod: 0 };

const tcpListeners = new WeakMap<EmbeddedMqttBus, MqttListener>();
const openListeners: MqttListener[] = [];
after(() => Promise.all(openListeners.map((listener) => listener.close())));

async function tcpBus(options: EmbeddedMqttBusOptions = {}): Promise<{ bus: EmbeddedMqttBus; port: number }> {
  const bus = await EmbeddedMqttBus.create(options);
  const listener = await listenMqttTcp(bus, { port: 0, host: '127.0.0.1' });
  tcpListeners.set(bus, listener);
  openListeners.push(listener);
  return { bus, port: listener.port };
}

function tcpDevice(port: number, clientId: string, options: IClientOptions = {}): Promise<MqttClient> {
  return connectAsync(`mqtt://127.0.0.1:${port}`, { ...DEVICE, clientId, ...options });
}

function inProcessDevice(bus: EmbeddedMqttBus, clientId: string): Promise<MqttClient> {
  const client = new MqttClient(() => connectInProcess(bus), { ...DEVICE, clientId });
  return nextEvent(client, 'connect').then(() => client);
}

function nextEvent(client: MqttClient, event: 'connect' | 'close'): Promise<void> {
  return new Promise((resolve) => client.once(event, () => resolve()));
}

/** Collects presence events and waits for a given one. */
interface PresenceLog {
  readonly events: PresenceEvent[];
  next(match: (event: PresenceEvent) => boolean): Promise<PresenceEvent>;
}

function presenceLog(bus: EmbeddedMqttBus): PresenceLog {
  const events: PresenceEvent[] = [];
  const waiters: Array<{ match: (e: PresenceEvent) => boolean; resolve: (e: PresenceEvent) => void }> = [];
  bus.onPresence((event) => {
    events.push(event);
    for (const waiter of waiters.splice(0)) {
      if (waiter.match(event)) waiter.resolve(event);
      else waiters.push(waiter);
    }
  });
  return {
    events,
    next: (match) => {
      const seen = events.find(match);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

describeMqttBus(
  'embedded (TCP)',
  async () => (await tcpBus()).bus,
  (bus, clientId) => tcpDevice(tcpListeners.get(bus)?.port ?? 0, clientId),
);

describeMqttBus('embedded (in-process)', () => EmbeddedMqttBus.create(), inProcessDevice);

describe('EmbeddedMqttBus presence', () => {
  it('reports connect, clean DISCONNECT and an abrupt socket loss', async () => {
    const { bus, port } = await tcpBus();
    try {
      const log = presenceLog(bus);
      const polite = await tcpDevice(port, 'polite');
      await log.next((e) => e.clientId === 'polite' && e.connected);
      await polite.endAsync();
      const left = await log.next((e) => e.clientId === 'polite' && !e.connected);
      assert.equal(left.abrupt, false);

      const rude = await tcpDevice(port, 'rude');
      await log.next((e) => e.clientId === 'rude' && e.connected);
      rude.stream.destroy(); // no DISCONNECT packet
      const lost = await log.next((e) => e.clientId === 'rude' && !e.connected);
      assert.equal(lost.abrupt, true);
      rude.end(true);
      assert.deepEqual(
        log.events.map((e) => `${e.clientId}:${e.connected ? 'up' : 'down'}`),
        ['polite:up', 'polite:down', 'rude:up', 'rude:down'],
      );
      assert.equal(bus.connectedClients, 0);
    } finally {
      await bus.close();
    }
  });

  it('reports a keep-alive timeout as abrupt [MQTT-3.1.2-24]', async () => {
    const { bus, port } = await tcpBus();
    try {
      const log = presenceLog(bus);
      // A raw MQTT 3.1.1 CONNECT with keep-alive 1 s, after which the client goes silent.
      const id = Buffer.from('sleepy');
      const body = Buffer.concat([
        Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x01]),
        Buffer.from([0x00, id.length]),
        id,
      ]);
      const socket = netConnect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.write(Buffer.concat([Buffer.from([0x10, body.length]), body]));
      await log.next((e) => e.clientId === 'sleepy' && e.connected);
      const lost = await log.next((e) => e.clientId === 'sleepy' && !e.connected);
      assert.equal(lost.abrupt, true);
      socket.destroy();
    } finally {
      await bus.close();
    }
  });
});

describe('EmbeddedMqttBus broker behaviour', () => {
  it('refuses an oversized PUBLISH, reports it, and keeps serving other clients', async () => {
    const rejected: Array<[string, string | null, string]> = [];
    const { bus, port } = await tcpBus({
      maxPacketBytes: 1024,
      onRejected: (reason, clientId, topic) => rejected.push([reason, clientId, topic]),
    });
    try {
      const log = presenceLog(bus);
      const inbox = new Inbox();
      await bus.subscribe('big/+', inbox.handler);
      const hog = await tcpDevice(port, 'hog');
      const good = await tcpDevice(port, 'good');
      const closed = nextEvent(hog, 'close');
      hog.publish('big/hog', Buffer.alloc(2048));
      await closed;
      const dropped = await log.next((e) => e.clientId === 'hog' && !e.connected);
      assert.equal(dropped.abrupt, true);
      assert.deepEqual(rejected, [['payload-too-large', 'hog', 'big/hog']]);

      await good.publishAsync('big/good', Buffer.alloc(1024), { qos: 1 });
      await good.publishAsync('big/good', 'still here', { qos: 1 });
      await inbox.waitFor(2);
      assert.deepEqual(inbox.topics, ['big/good', 'big/good']);
      assert.equal(inbox.messages[1]?.payload.toString(), 'still here');
      await good.endAsync();
      hog.end(true);
    } finally {
      await bus.close();
    }
  });

  it('keeps $SYS topics away from wildcard filters [MQTT-4.7.2-1] but serves $SYS/#', async () => {
    const bus = await EmbeddedMqttBus.create();
    try {
      const everything = new Inbox();
      const sys = new Inbox();
      await bus.subscribe('#', everything.handler);
      await bus.subscribe('$SYS/+/new/clients', sys.handler);
      const device = await inProcessDevice(bus, 'sys-watcher');
      await sys.waitFor(1); // aedes announces the new client on $SYS
      assert.equal(sys.messages[0]?.payload.toString(), 'sys-watcher');
      await device.publishAsync('plain/topic', 'x', { qos: 1 });
      await everything.waitFor(1);
      assert.deepEqual(everything.topics, ['plain/topic']);
      await device.endAsync();
    } finally {
      await bus.close();
    }
  });

  it('gives hub publications no clientId and survives a throwing handler', async () => {
    const bus = await EmbeddedMqttBus.create();
    try {
      const inbox = new Inbox();
      await bus.subscribe('hub/+', () => {
        throw new Error('handler bug');
      });
      await bus.subscribe('hub/+', inbox.handler);
      await bus.publish('hub/a', 'one');
      await bus.publish('hub/b', 'two', { qos: 1 });
      await inbox.waitFor(2);
      assert.deepEqual(inbox.topics, ['hub/a', 'hub/b']);
      assert.equal(inbox.messages[0]?.meta.clientId, undefined);
    } finally {
      await bus.close();
    }
  });
});

describe('MQTT listeners', () => {
  it('binds an ephemeral TCP port and drops its connections on close', async () => {
    const bus = await EmbeddedMqttBus.create();
    try {
      const listener = await listenMqttTcp(bus, { port: 0, host: '127.0.0.1' });
      assert.ok(listener.port > 0);
      const device = await tcpDevice(listener.port, 'tcp-device');
      const closed = nextEvent(device, 'close');
      await listener.close();
      await closed;
      device.end(true);
      await assert.rejects(tcpDevice(listener.port, 'too-late'), /ECONNREFUSED/);
    } finally {
      await bus.close();
    }
  });

  it('explains EADDRINUSE', async () => {
    const bus = await EmbeddedMqttBus.create();
    const blocker = createNetServer();
    try {
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as AddressInfo).port;
      await assert.rejects(listenMqttTcp(bus, { port, host: '127.0.0.1' }), (error: Error & { code?: string }) => {
        assert.equal(
          error.message,
          `MQTT port ${port} is already in use (another broker running?) — pass --mqtt-port or --mqtt-url`,
        );
        assert.equal(error.code, 'EADDRINUSE');
        return true;
      });
    } finally {
      blocker.close();
      await bus.close();
    }
  });

  it('serves MQTT over TLS', async () => {
    const bus = await EmbeddedMqttBus.create();
    const listener = await listenMqttTls(bus, { port: 0, host: '127.0.0.1', cert: TEST_CERT, key: TEST_KEY });
    try {
      const inbox = new Inbox();
      await bus.subscribe('tls/up', inbox.handler);
      const device = await connectAsync(`mqtts://localhost:${listener.port}`, { ...DEVICE, ca: TEST_CERT, clientId: 'tls-device' });
      await device.publishAsync('tls/up', 'secure', { qos: 1 });
      await inbox.waitFor(1);
      assert.equal(inbox.messages[0]?.meta.clientId, 'tls-device');
      await device.endAsync();
    } finally {
      await listener.close();
      await bus.close();
    }
  });

  it('serves MQTT over WebSocket on /mqtt and leaves other upgrade paths alone', async () => {
    const bus = await EmbeddedMqttBus.create();
    const server = createHttpServer((_req, res) => res.end('ok'));
    // Another module's WebSocket endpoint on the same server's upgrade router, as JSON-RPC /ws is.
    const echo = new WebSocketServer({ noServer: true });
    UpgradeRouter.for(server).route('/ws', (request, socket, head) => {
      echo.handleUpgrade(request, socket, head, (ws) => ws.on('message', (data) => ws.send(data)));
    });
    const attachment = attachMqttWebSocket(bus, server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const inbox = new Inbox();
      await bus.subscribe('ws/up', inbox.handler);
      const device = await connectAsync(`ws://127.0.0.1:${port}/mqtt`, { ...DEVICE, clientId: 'ws-device' });
      await device.subscribeAsync('ws/down');
      const down = nextDeviceMessage(device, 'ws/down');
      await device.publishAsync('ws/up', Buffer.from([0, 1, 2, 255]), { qos: 1 });
      await inbox.waitFor(1);
      assert.deepEqual(inbox.messages[0]?.payload, Buffer.from([0, 1, 2, 255]));
      assert.equal(inbox.messages[0]?.meta.clientId, 'ws-device');
      await bus.publish('ws/down', 'hi');
      assert.equal((await down).payload.toString(), 'hi');

      const other = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      await once(other, 'open');
      other.send('ping');
      const [reply] = await once(other, 'message');
      assert.equal(String(reply), 'ping');
      other.close();
      await device.endAsync();
    } finally {
      await attachment.close();
      echo.close();
      server.close();
      await bus.close();
    }
  });

  it('connects an mqtt.js client in-process with no socket', async () => {
    const bus = await EmbeddedMqttBus.create();
    try {
      const log = presenceLog(bus);
      const device = await inProcessDevice(bus, 'in-process');
      await log.next((e) => e.clientId === 'in-process' && e.connected);
      const inbox = new Inbox();
      await bus.subscribe('ip/#', inbox.handler);
      await device.publishAsync('ip/x', 'y');
      await inbox.waitFor(1);
      assert.equal(inbox.messages[0]?.meta.clientId, 'in-process');
      await device.endAsync();
      assert.equal((await log.next((e) => e.clientId === 'in-process' && !e.connected)).abrupt, false);
    } finally {
      await bus.close();
    }
  });
});

// A self-signed P-256 certificate for localhost / 127.0.0.1, valid until 2126; test use only.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFAeta9GCxv4c3lKU
sKtvO9+pZ8kkfSLa2H4fZ4kX8TmhRANCAARR2XSQ5YHvVO8azvx7LVfmy3C3zHPA
xgkncnKv8w7JtV1M5MT+MkxI8jHohXmsBnHB2hwriRxEtw7SXEWws7UG
-----END PRIVATE KEY-----
`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUItGcgeCTpnTgHAbWyIgQMJ4BQyswCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMjAwMDAxNFoYDzIxMjYxMDI5
MDAwMDE0WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARR2XSQ5YHvVO8azvx7LVfmy3C3zHPAxgkncnKv8w7JtV1M5MT+MkxI
8jHohXmsBnHB2hwriRxEtw7SXEWws7UGo28wbTAdBgNVHQ4EFgQUEpsbfRviffv5
ub8HP5gcsGoak/8wHwYDVR0jBBgwFoAUEpsbfRviffv5ub8HP5gcsGoak/8wDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSAAwRQIgO7dKloiKurWCBybGLBJQFnYTnsGBJRGLs6TjI0kTKqQCIQCr
uc4zQ1lF6lq3aWn3TbZJywUc4CDB21eOWWB5sctsKA==
-----END CERTIFICATE-----
`;
