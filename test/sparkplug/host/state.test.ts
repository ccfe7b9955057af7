// Host Application STATE: subscribe first, birth with the will's timestamp, will on an external broker,
// republish on a foreign offline STATE, offline STATE before a clean shutdown.
import assert from 'node:assert/strict';
import { connect as netConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { createHub } from '../../../src/hub.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { MemoryMqttBus } from '../../../src/mqtt/memory-bus.ts';
import { listenMqttTcp } from '../../../src/mqtt/listeners.ts';
import type { MessageHandler, MqttBus, PresenceEvent, PublishOptions, QoS } from '../../../src/core/ports/mqtt-bus.ts';
import { MOSQUITTO_URL, uniqueSuffix } from '../../support/services.ts';
import { eventually } from '../../support/test-hub.ts';
import { startSparkplugHub } from './host-fixtures.ts';

type Call = { kind: 'subscribe'; filter: string; qos: QoS | undefined } | { kind: 'publish'; topic: string; payload: string; options: PublishOptions };

/** An MqttBus that records what the hub asks of it, in order, and forwards to an in-memory broker. */
class RecordingBus implements MqttBus {
  readonly kind = 'embedded' as const;
  readonly calls: Call[] = [];
  readonly inner: MemoryMqttBus;

  constructor(inner: MemoryMqttBus) {
    this.inner = inner;
  }
  publish(topic: string, payload: Buffer | string, options: PublishOptions = {}): Promise<void> {
    this.calls.push({ kind: 'publish', topic, payload: payload.toString(), options });
    return this.inner.publish(topic, payload, options);
  }
  subscribe(filter: string, handler: MessageHandler, options: { qos?: QoS } = {}): Promise<() => Promise<void>> {
    this.calls.push({ kind: 'subscribe', filter, qos: options.qos });
    return this.inner.subscribe(filter, handler, options);
  }
  onPresence(listener: (event: PresenceEvent) => void): () => void {
    return this.inner.onPresence(listener);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A TCP relay to a broker whose connections the test can cut, as a network failure would. */
class CuttableProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(target: string): Promise<CuttableProxy> {
    const { hostname, port } = new URL(target);
    const server = createServer();
    const proxy = new CuttableProxy(server);
    server.on('connection', (client) => {
      const upstream = netConnect(Number(port || 1883), hostname);
      for (const s of [client, upstream]) {
        proxy.#sockets.add(s);
        s.on('close', () => proxy.#sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Drop every relayed connection without an MQTT DISCONNECT. */
  cut(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

interface StateSeen {
  readonly online: boolean;
  readonly timestamp: number;
  readonly qos: number;
  readonly retain: boolean;
}

/** Subscribe to a STATE topic and collect what arrives (MQTT 5 with Retain As Published; 3.1.1 for aedes). */
async function watchState(url: string, topic: string, protocolVersion: 4 | 5 = 5): Promise<{ client: MqttClient; seen: StateSeen[] }> {
  const client = await mqtt.connectAsync(url, { clientId: `state-watch-${uniqueSuffix()}`, protocolVersion, reconnectPeriod: 0 });
  const seen: StateSeen[] = [];
  client.on('message', (_topic, payload, packet) => {
    if (payload.length === 0) return;
    const state = JSON.parse(payload.toString()) as { online: boolean; timestamp: number };
    seen.push({ ...state, qos: packet.qos, retain: packet.retain });
  });
  await client.subscribeAsync(topic, protocolVersion === 5 ? { qos: 1, rap: true } : { qos: 1 });
  return { client, seen };
}

describe('Sparkplug host STATE', () => {
  it('[tck-id-message-flow-phid-sparkplug-subscription][tck-id-host-topic-phid-birth-sub-required][tck-id-host-topic-phid-birth-message][tck-id-host-topic-phid-birth-topic][tck-id-host-topic-phid-birth-qos][tck-id-host-topic-phid-birth-retain][tck-id-host-topic-phid-birth-payload] subscribes to the namespace, then publishes the STATE birth as its first Sparkplug message', async () => {
    const bus = new RecordingBus(new MemoryMqttBus());
    const hostId = `llmiot-rec-${uniqueSuffix()}`;
    const before = Date.now();
    const hub = await createHub({ store: 'memory', sparkplugHostId: hostId, logLevel: 'silent' }, { bus, logger: silentLogger });
    try {
      const subscribed = bus.calls.findIndex((c) => c.kind === 'subscribe' && c.filter === 'spBv1.0/#');
      const firstPublish = bus.calls.findIndex((c) => c.kind === 'publish');
      assert.ok(subscribed >= 0, 'subscribes to spBv1.0/# (which covers spBv1.0/STATE/{host_id})');
      assert.equal((bus.calls[subscribed] as { qos: QoS }).qos, 1);
      assert.ok(firstPublish > subscribed, 'the subscription comes before the STATE birth');
      const birth = bus.calls[firstPublish] as Extract<Call, { kind: 'publish' }>;
      assert.equal(birth.topic, `spBv1.0/STATE/${hostId}`);
      assert.deepEqual(birth.options, { qos: 1, retain: true });
      const payload = JSON.parse(birth.payload) as { online: boolean; timestamp: number };
      assert.deepEqual(Object.keys(payload), ['online', 'timestamp']);
      assert.equal(payload.online, true);
      assert.ok(payload.timestamp >= before && payload.timestamp <= Date.now());

      // [tck-id-operational-behavior-host-application-termination][tck-id-host-topic-phid-death-payload-timestamp-disconnect-clean]
      await hub.close();
      const last = bus.calls.filter((c) => c.kind === 'publish').at(-1) as Extract<Call, { kind: 'publish' }>;
      assert.equal(last.topic, `spBv1.0/STATE/${hostId}`);
      assert.deepEqual(last.options, { qos: 1, retain: true });
      assert.deepEqual(JSON.parse(last.payload), { online: false, timestamp: payload.timestamp });
    } finally {
      await hub.close();
      await bus.close();
    }
  });

  it('[tck-id-message-flow-hid-sparkplug-state-message-delivered] republishes its online STATE when an offline STATE for its host id appears (embedded broker)', async () => {
    const t = await startSparkplugHub();
    const topic = `spBv1.0/STATE/${t.hub.config.sparkplugHostId}`;
    const watcher = await watchState(t.mqttUrl, topic, 4);
    try {
      const birth = await eventually(() => watcher.seen[0], 3000, 'retained birth');
      assert.equal(birth.online, true);
      assert.equal(birth.retain, true);
      const intruder = await t.device(`intruder-${uniqueSuffix()}`);
      await intruder.publishAsync(topic, JSON.stringify({ online: false, timestamp: birth.timestamp }), { qos: 1, retain: true });
      await eventually(() => watcher.seen.length >= 3, 3000, 'offline then online again');
      assert.deepEqual(watcher.seen.slice(1).map((s) => s.online), [false, true]);
      assert.equal(watcher.seen[2]?.timestamp, birth.timestamp);
      // The retained STATE is online again for anyone subscribing now.
      const late = await watchState(t.mqttUrl, topic, 4);
      await eventually(() => late.seen[0], 3000, 'retained STATE');
      assert.equal(late.seen[0]?.online, true);
      await late.client.endAsync();
    } finally {
      await watcher.client.endAsync();
      await t.close();
    }
  });

  describe(`on Mosquitto (${MOSQUITTO_URL})`, () => {
    const topics: string[] = [];
    after(async () => {
      // Leave no retained STATE of test hosts on the shared broker.
      const client = await mqtt.connectAsync(MOSQUITTO_URL, { clientId: `state-clean-${uniqueSuffix()}`, reconnectPeriod: 0 });
      for (const topic of topics) await client.publishAsync(topic, Buffer.alloc(0), { qos: 1, retain: true });
      await client.endAsync();
    });

    it('[tck-id-host-topic-phid-death-required][tck-id-host-topic-phid-death-qos][tck-id-host-topic-phid-death-retain][tck-id-host-topic-phid-death-payload-timestamp-connect][tck-id-host-topic-phid-birth-payload-timestamp] the will is the offline STATE with the birth timestamp; after the reconnect the hub is online again', async () => {
      const proxy = await CuttableProxy.start(MOSQUITTO_URL);
      const t = await startSparkplugHub({ mqttUrl: proxy.url });
      const topic = `spBv1.0/STATE/${t.hub.config.sparkplugHostId}`;
      topics.push(topic);
      const watcher = await watchState(MOSQUITTO_URL, topic);
      try {
        const birth = await eventually(() => watcher.seen[0], 3000, 'retained birth');
        assert.deepEqual({ online: birth.online, retain: birth.retain, qos: birth.qos }, { online: true, retain: true, qos: 1 });
        proxy.cut(); // the hub's connection dies without DISCONNECT: Mosquitto publishes its will
        const will = await eventually(() => watcher.seen.find((s) => !s.online), 5000, 'will');
        assert.deepEqual(will, { online: false, timestamp: birth.timestamp, qos: 1, retain: true });
        // The hub reconnects (same will), sees its own offline STATE and says it is online again.
        const back = await eventually(() => watcher.seen.slice(watcher.seen.indexOf(will)).find((s) => s.online), 10_000, 'online again');
        assert.equal(back.timestamp, birth.timestamp);
        assert.equal(back.retain, true);
        // A clean shutdown publishes the offline STATE itself before disconnecting.
        const count = watcher.seen.length;
        await t.close();
        const death = await eventually(() => watcher.seen.slice(count).find((s) => !s.online), 5000, 'offline STATE on close');
        assert.deepEqual(death, { online: false, timestamp: birth.timestamp, qos: 1, retain: true });
      } finally {
        await watcher.client.endAsync();
        await t.close();
        await proxy.close();
      }
    });
  });
});
