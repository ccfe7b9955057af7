/** ExternalMqttBus: the contract against Mosquitto and against the embedded broker, shared subscriptions, failures. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { connectAsync, type MqttClient } from 'mqtt';
import { NoSubscribersError } from '../../src/core/ports/mqtt-bus.ts';
import { EmbeddedMqttBus } from '../../src/mqtt/embedded-bus.ts';
import { ExternalMqttBus } from '../../src/mqtt/external-bus.ts';
import { listenMqttTcp, type MqttListener } from '../../src/mqtt/listeners.ts';
import { eventually } from '../support/eventually.ts';
import { describeMqttBus, Inbox } from './describe-mqtt-bus.ts';

const BROKER_URL = process.env['LLMIOT_TEST_MQTT_URL'] ?? 'mqtt://127.0.0.1:1883';

/** Is something listening where the test broker should be? */
function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = netConnect(Number(port || 1883), hostname);
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

// In CI the broker is part of the test machine: its absence must fail the run, never skip it.
const brokerUp = await reachable(BROKER_URL);
const skipBroker = brokerUp || process.env['CI'] === 'true' ? false : `no MQTT broker at ${BROKER_URL} (set LLMIOT_TEST_MQTT_URL)`;

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe(`ExternalMqttBus against ${BROKER_URL}`, { skip: skipBroker }, () => {
  describeMqttBus(
    'external (MQTT 5)',
    async () => {
      const bus = await ExternalMqttBus.connect(BROKER_URL);
      assert.equal(bus.protocolVersion, 5);
      return bus;
    },
    (_bus, clientId) => connectAsync(BROKER_URL, { clientId, protocolVersion: 5, reconnectPeriod: 0 }),
  );

  it('subscribes again after taking back a kept session another connection changed (a survivor adopted it while this instance seemed dead)', async () => {
    const clientId = `hub-back-${randomUUID().slice(0, 8)}`;
    const prefix = `llmiot-test/${randomUUID()}/back`;
    const bus = await ExternalMqttBus.connect(BROKER_URL, { clientId, sessionExpirySeconds: 60 });
    const inbox = new Inbox();
    await bus.subscribe(`${prefix}/+`, inbox.handler, { qos: 1 });
    const reconnected = new Promise<void>((resolve) => bus.onConnected(resolve));
    // The adopter: takes the session over, unsubscribes it as an adoption does, and leaves it kept.
    const adopter = await connectAsync(BROKER_URL, { clientId, protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: 60 }, reconnectPeriod: 0 });
    await adopter.unsubscribeAsync(`${prefix}/+`);
    await adopter.endAsync();
    await reconnected;
    const device = await connectAsync(BROKER_URL, { protocolVersion: 5, reconnectPeriod: 0 });
    try {
      await device.publishAsync(`${prefix}/d1`, 'after', { qos: 1 });
      await inbox.waitFor(1);
      assert.equal(inbox.messages[0]?.payload.toString(), 'after');
    } finally {
      await device.endAsync();
      await bus.endSession(BROKER_URL, { clientId });
    }
  });

  it('says when a QoS 1 publish that asks for a subscriber reached none (PUBACK 0x10), and only then', async () => {
    const bus = await ExternalMqttBus.connect(BROKER_URL);
    const topic = `llmiot-test/${randomUUID()}/nobody`;
    try {
      await assert.rejects(bus.publish(topic, 'x', { qos: 1, requireSubscriber: true }), NoSubscribersError);
      await bus.publish(topic, 'x', { qos: 1 });
      const inbox = new Inbox();
      await bus.subscribe(topic, inbox.handler, { qos: 1, shared: false });
      await bus.publish(topic, 'y', { qos: 1, requireSubscriber: true });
      await inbox.waitFor(1);
    } finally {
      await bus.close();
    }
  });

  it('splits a shared subscription between hub instances: none lost, none repeated', async () => {
    const group = `g${randomUUID().slice(0, 8)}`;
    const prefix = `llmiot-test/${randomUUID()}/shared`;
    const hubs = await Promise.all([1, 2].map(() => ExternalMqttBus.connect(BROKER_URL, { sharedGroup: group })));
    const device = await connectAsync(BROKER_URL, { protocolVersion: 5, reconnectPeriod: 0 });
    try {
      const inboxes = [new Inbox(), new Inbox()] as const;
      const everyone = [new Inbox(), new Inbox()] as const;
      for (const [i, hub] of hubs.entries()) {
        await hub.subscribe(`${prefix}/+/up`, (inboxes[i] as Inbox).handler, { qos: 1 });
        // Opting out of the group: every instance sees these.
        await hub.subscribe(`${prefix}/broadcast`, (everyone[i] as Inbox).handler, { shared: false });
      }
      const count = 200;
      for (let i = 0; i < count; i++) await device.publishAsync(`${prefix}/dev${i % 7}/up`, String(i), { qos: 1 });
      await device.publishAsync(`${prefix}/broadcast`, 'all', { qos: 1 });
      await everyone[0].waitFor(1);
      await everyone[1].waitFor(1);
      await eventually(() => inboxes[0].messages.length + inboxes[1].messages.length >= count, 5000, `${count} messages across the group`);
      const seen = [...inboxes[0].messages, ...inboxes[1].messages].map((message) => Number(message.payload.toString()));
      assert.equal(seen.length, count, 'every message delivered exactly once across the group');
      assert.deepEqual([...new Set(seen)].sort((a, b) => a - b), Array.from({ length: count }, (_, i) => i));
      assert.ok(inboxes[0].messages.length > 0 && inboxes[1].messages.length > 0, 'both instances took a share');
    } finally {
      await device.endAsync();
      await Promise.all(hubs.map((hub) => hub.close()));
    }
  });
});

// The same contract over MQTT 3.1.1: the embedded broker (aedes) refuses MQTT 5, so the bus falls back.
const embedded: Array<{ bus: EmbeddedMqttBus; listener: MqttListener }> = [];
const ports = new WeakMap<ExternalMqttBus, number>();
after(async () => {
  for (const { bus, listener } of embedded) {
    await listener.close();
    await bus.close();
  }
});

async function embeddedBroker(): Promise<{ bus: EmbeddedMqttBus; listener: MqttListener; url: string }> {
  const bus = await EmbeddedMqttBus.create();
  const listener = await listenMqttTcp(bus, { port: 0, host: '127.0.0.1' });
  embedded.push({ bus, listener });
  return { bus, listener, url: `mqtt://127.0.0.1:${listener.port}` };
}

describeMqttBus(
  'external (MQTT 3.1.1 fallback, embedded broker)',
  async () => {
    const { listener, url } = await embeddedBroker();
    const bus = await ExternalMqttBus.connect(url);
    assert.equal(bus.protocolVersion, 4);
    ports.set(bus, listener.port);
    return bus;
  },
  (bus, clientId): Promise<MqttClient> =>
    connectAsync(`mqtt://127.0.0.1:${ports.get(bus) ?? 0}`, { clientId, protocolVersion: 4, reconnectPeriod: 0 }),
);

describe('ExternalMqttBus connection handling', () => {
  it('says which broker it cannot reach and why', async () => {
    const port = await closedPort();
    await assert.rejects(ExternalMqttBus.connect(`mqtt://127.0.0.1:${port}`, { connectTimeoutMs: 3000 }), {
      message: `cannot reach MQTT broker at mqtt://127.0.0.1:${port}: ECONNREFUSED`,
      code: 'ECONNREFUSED',
    });
  });

  it('never echoes credentials from the URL', async () => {
    const port = await closedPort();
    await assert.rejects(ExternalMqttBus.connect(`mqtt://hub:s3cret@127.0.0.1:${port}`), (error: Error) => {
      assert.equal(error.message, `cannot reach MQTT broker at mqtt://127.0.0.1:${port}: ECONNREFUSED`);
      return true;
    });
  });

  it('gives up after connectTimeoutMs when the broker never answers', async () => {
    const sockets = new Set<Socket>();
    const silent = createNetServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const started = Date.now();
      await assert.rejects(ExternalMqttBus.connect(`mqtt://127.0.0.1:${port}`, { connectTimeoutMs: 300 }), {
        message: `cannot reach MQTT broker at mqtt://127.0.0.1:${port}: no answer within 300 ms`,
      });
      assert.ok(Date.now() - started < 2000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('reconnects, resubscribes, and leaves a will when the connection drops', async () => {
    const { bus: broker, listener, url } = await embeddedBroker();
    const wills = new Inbox();
    await broker.subscribe('hub/status', wills.handler);
    const hub = await ExternalMqttBus.connect(url, {
      clientId: 'hub-1',
      sessionExpirySeconds: 0, // a clean session: the bus itself must subscribe again
      reconnectPeriodMs: 50,
      will: { topic: 'hub/status', payload: 'offline', qos: 1 },
    });
    let relisten: MqttListener | undefined;
    try {
      const inbox = new Inbox();
      await hub.subscribe('devices/+/up', inbox.handler, { qos: 1 });
      await broker.publish('devices/a/up', 'before', { qos: 1 });
      await inbox.waitFor(1);

      await listener.close(); // drops the hub's connection without DISCONNECT
      await wills.waitFor(1);
      assert.equal(wills.messages[0]?.payload.toString(), 'offline');
      relisten = await listenMqttTcp(broker, { port: listener.port, host: '127.0.0.1' });

      // After the reconnect the subscription is back: publish until one arrives.
      const deadline = Date.now() + 5000;
      while (inbox.messages.length < 2 && Date.now() < deadline) {
        await broker.publish('devices/b/up', 'after', { qos: 1 });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(inbox.messages[1]?.topic, 'devices/b/up');
      assert.equal(inbox.messages[1]?.payload.toString(), 'after');
    } finally {
      await hub.close();
      await relisten?.close();
    }
  });

  it('never reports presence', async () => {
    const { url } = await embeddedBroker();
    const hub = await ExternalMqttBus.connect(url);
    try {
      const events: unknown[] = [];
      const off = hub.onPresence((event) => events.push(event));
      const device = await connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
      await device.endAsync();
      off();
      assert.deepEqual(events, []);
    } finally {
      await hub.close();
    }
  });
});

// Acknowledged means stored (docs/durability.md): the hub's session outlives it, and the broker
// counts a message delivered only once the hub's handlers let it be acknowledged.
describe('ExternalMqttBus persistent session', () => {
  it('hands messages queued while the hub was away to handlers that subscribe after it reconnects, none lost', async () => {
    const { url } = await embeddedBroker();
    const clientId = `hub-keep-${randomUUID().slice(0, 8)}`;
    const first = await ExternalMqttBus.connect(url, { clientId });
    const unsubscribe = await first.subscribe('queued/+/up', () => {}, { qos: 1 });
    await unsubscribe(); // stays in the kept session: no UNSUBSCRIBE
    await first.close();
    const device = await connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
    for (let i = 0; i < 50; i++) await device.publishAsync('queued/d1/up', String(i), { qos: 1 });
    await device.endAsync();

    // The queued messages arrive right behind the CONNACK, before anything subscribed.
    const second = await ExternalMqttBus.connect(url, { clientId });
    try {
      const inbox = new Inbox();
      await second.subscribe('queued/+/up', inbox.handler, { qos: 1 });
      await inbox.waitFor(50);
      assert.deepEqual(new Set(inbox.messages.map((m) => m.payload.toString())), new Set(Array.from({ length: 50 }, (_, i) => String(i))));
    } finally {
      await second.close();
    }
  });

  it('leaves a message unacknowledged while its handler holds it, so the broker sends it again to the next run', async () => {
    const { url } = await embeddedBroker();
    const clientId = `hub-hold-${randomUUID().slice(0, 8)}`;
    const first = await ExternalMqttBus.connect(url, { clientId });
    const seen = new Inbox();
    await first.subscribe('held/+/up', (topic, payload, meta) => {
      seen.handler(topic, payload, meta);
      return new Promise<void>(() => {}); // never committed (the hub dies first)
    }, { qos: 1 });
    const device = await connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
    await device.publishAsync('held/d1/up', 'once', { qos: 1 });
    await device.endAsync();
    await seen.waitFor(1);
    await first.close();

    const second = await ExternalMqttBus.connect(url, { clientId });
    try {
      const inbox = new Inbox();
      await second.subscribe('held/+/up', inbox.handler, { qos: 1 });
      await inbox.waitFor(1);
      assert.equal(inbox.messages[0]?.payload.toString(), 'once');
    } finally {
      await second.close();
    }
  });
});
