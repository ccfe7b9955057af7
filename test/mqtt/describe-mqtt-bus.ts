/** The MqttBus contract: one suite every implementation (embedded aedes, external broker) must pass. */
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageMeta, MqttBus, QoS } from '../../src/core/ports/mqtt-bus.ts';
import { within } from '../support/eventually.ts';

/** What the contract does with a device: an mqtt.js client or an in-memory one fits. */
export interface DeviceClient {
  publish(topic: string, payload: Buffer | string): unknown;
  publishAsync(topic: string, payload: Buffer | string, options?: { qos?: QoS; retain?: boolean }): Promise<unknown>;
  subscribeAsync(filter: string, options?: { qos?: QoS }): Promise<unknown>;
  endAsync(force?: boolean): Promise<void>;
  on(event: 'message', listener: (topic: string, payload: Buffer, packet: { retain: boolean; qos: number }) => void): unknown;
  off(event: 'message', listener: (topic: string, payload: Buffer, packet: { retain: boolean; qos: number }) => void): unknown;
}

/** A message as a handler saw it. */
export interface Received {
  readonly topic: string;
  readonly payload: Buffer;
  readonly meta: MessageMeta;
}

/** Records what a handler receives and lets a test wait for it. */
export class Inbox {
  readonly messages: Received[] = [];
  #waiters: Array<{ count: number; resolve: () => void }> = [];

  readonly handler = (topic: string, payload: Buffer, meta: MessageMeta): void => {
    this.messages.push({ topic, payload, meta });
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.messages.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  };

  get topics(): string[] {
    return this.messages.map((message) => message.topic);
  }

  /** Resolve once `count` messages arrived; fail after `timeoutMs` saying what did arrive. */
  async waitFor(count: number, timeoutMs = 5000): Promise<void> {
    if (this.messages.length >= count) return;
    const arrived = new Promise<void>((resolve) => this.#waiters.push({ count, resolve }));
    await within(arrived, timeoutMs, () => `expected ${count} messages, got ${this.messages.length}: ${this.topics.slice(0, 10).join(', ')}`);
  }
}

/** The next message a device client receives on `topic`. */
export function nextDeviceMessage(
  device: DeviceClient,
  topic: string,
  timeoutMs = 5000,
): Promise<{ payload: Buffer; retain: boolean; qos: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      device.off('message', onMessage);
      reject(new Error(`device got nothing on ${topic} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (received: string, payload: Buffer, packet: { retain: boolean; qos: number }): void => {
      if (received !== topic) return;
      clearTimeout(timer);
      device.off('message', onMessage);
      resolve({ payload, retain: packet.retain, qos: packet.qos });
    };
    device.on('message', onMessage);
  });
}

/**
 * Run the MqttBus contract against one implementation. `makeBus` builds a fresh bus per test;
 * `makeDeviceClient` connects a client acting as a device (mqtt.js, or the in-memory one) to the broker behind it.
 * Topics live under a prefix unique to the run, so parallel runs on a shared broker do not collide.
 */
export function describeMqttBus<B extends MqttBus>(
  name: string,
  makeBus: () => Promise<B>,
  makeDeviceClient: (bus: B, clientId: string) => Promise<DeviceClient>,
): void {
  const run = `llmiot-test/${randomUUID()}`;
  let counter = 0;

  interface Context {
    readonly bus: B;
    readonly device: DeviceClient;
    readonly deviceId: string;
    readonly prefix: string;
    connect(clientId: string): Promise<DeviceClient>;
  }

  /** A fresh bus, one connected device and a unique topic prefix; everything closed afterwards. */
  async function withBus(body: (context: Context) => Promise<void>): Promise<void> {
    const bus = await makeBus();
    const clients: DeviceClient[] = [];
    const connect = async (clientId: string): Promise<DeviceClient> => {
      const client = await makeDeviceClient(bus, clientId);
      clients.push(client);
      return client;
    };
    try {
      const deviceId = `dev-${randomUUID().slice(0, 8)}`;
      const device = await connect(deviceId);
      await body({ bus, device, deviceId, prefix: `${run}/${++counter}`, connect });
    } finally {
      await Promise.all(clients.map((client) => client.endAsync(true)));
      await bus.close();
    }
  }

  describe(`MqttBus contract: ${name}`, () => {
    it('delivers device → hub with the topic, payload and publisher meta', () =>
      withBus(async ({ bus, device, deviceId, prefix }) => {
        const inbox = new Inbox();
        await bus.subscribe(`${prefix}/up`, inbox.handler);
        await device.publishAsync(`${prefix}/up`, 'hello');
        await inbox.waitFor(1);
        const [message] = inbox.messages;
        assert.equal(message?.topic, `${prefix}/up`);
        assert.ok(Buffer.isBuffer(message?.payload));
        assert.equal(message?.payload.toString(), 'hello');
        assert.equal(message?.meta.qos, 0);
        assert.equal(message?.meta.retain, false);
        // MessageMeta.clientId: the publisher's id on the embedded broker, absent on an external one.
        assert.equal(message?.meta.clientId, bus.kind === 'embedded' ? deviceId : undefined);
      }));

    it('delivers hub → device', () =>
      withBus(async ({ bus, device, prefix }) => {
        await device.subscribeAsync(`${prefix}/down`);
        const received = nextDeviceMessage(device, `${prefix}/down`);
        await bus.publish(`${prefix}/down`, '{"jsonrpc":"2.0","method":"sensor.read"}');
        assert.equal((await received).payload.toString(), '{"jsonrpc":"2.0","method":"sensor.read"}');
      }));

    it('delivers QoS 1 both ways', () =>
      withBus(async ({ bus, device, prefix }) => {
        const inbox = new Inbox();
        await bus.subscribe(`${prefix}/q1/up`, inbox.handler, { qos: 1 });
        await device.publishAsync(`${prefix}/q1/up`, 'up', { qos: 1 });
        await inbox.waitFor(1);
        assert.equal(inbox.messages[0]?.meta.qos, 1);

        await device.subscribeAsync(`${prefix}/q1/down`, { qos: 1 });
        const received = nextDeviceMessage(device, `${prefix}/q1/down`);
        await bus.publish(`${prefix}/q1/down`, 'down', { qos: 1 });
        const message = await received;
        assert.equal(message.qos, 1);
        assert.equal(message.payload.toString(), 'down');
      }));

    it('caps the delivered QoS at the subscription QoS', () =>
      withBus(async ({ bus, device, prefix }) => {
        const inbox = new Inbox();
        await bus.subscribe(`${prefix}/cap`, inbox.handler, { qos: 0 });
        await device.publishAsync(`${prefix}/cap`, 'x', { qos: 1 });
        await inbox.waitFor(1);
        assert.equal(inbox.messages[0]?.meta.qos, 0);
      }));

    it('keeps retained messages for later subscribers, flagged retain, and clears them', () =>
      withBus(async ({ bus, device, prefix, connect }) => {
        await device.publishAsync(`${prefix}/state`, 'on', { qos: 1, retain: true });
        const inbox = new Inbox();
        await bus.subscribe(`${prefix}/state`, inbox.handler);
        await inbox.waitFor(1);
        assert.equal(inbox.messages[0]?.payload.toString(), 'on');
        assert.equal(inbox.messages[0]?.meta.retain, true);

        // A retained PUBLISH to an established subscription arrives with RETAIN 0 [MQTT-3.3.1-9].
        await device.publishAsync(`${prefix}/state`, 'off', { qos: 1, retain: true });
        await inbox.waitFor(2);
        assert.equal(inbox.messages[1]?.payload.toString(), 'off');
        assert.equal(inbox.messages[1]?.meta.retain, false);

        await bus.publish(`${prefix}/hub-state`, 'ready', { qos: 1, retain: true });
        const late = await connect(`late-${randomUUID().slice(0, 8)}`);
        const received = nextDeviceMessage(late, `${prefix}/hub-state`);
        await late.subscribeAsync(`${prefix}/hub-state`);
        const message = await received;
        assert.equal(message.payload.toString(), 'ready');
        assert.equal(message.retain, true);

        // An empty retained payload deletes the retained message [MQTT-3.3.1-10].
        await bus.publish(`${prefix}/hub-state`, Buffer.alloc(0), { qos: 1, retain: true });
        await bus.publish(`${prefix}/state`, Buffer.alloc(0), { qos: 1, retain: true });
        // The clearing publish also reaches the live subscription; let it land before subscribing
        // to the whole prefix (on MQTT 3.1.1 a late copy would otherwise match the new filter too).
        await inbox.waitFor(3);
        assert.equal(inbox.messages[2]?.payload.length, 0);
        const after = new Inbox();
        await bus.subscribe(`${prefix}/#`, after.handler);
        await device.publishAsync(`${prefix}/sentinel`, 'end', { qos: 1 });
        await after.waitFor(1);
        assert.deepEqual(after.topics, [`${prefix}/sentinel`]);
      }));

    it('matches + and # wildcard filters', () =>
      withBus(async ({ bus, device, prefix }) => {
        const plus = new Inbox();
        const hash = new Inbox();
        await bus.subscribe(`${prefix}/+/temp`, plus.handler);
        await bus.subscribe(`${prefix}/sensors/#`, hash.handler);
        for (const topic of ['a/temp', 'sensors', 'a/humidity', 'sensors/x/y', 'a/b/temp', 'sensors/temp']) {
          await device.publishAsync(`${prefix}/${topic}`, topic, { qos: 1 });
        }
        await plus.waitFor(2);
        await hash.waitFor(3);
        assert.deepEqual(plus.topics, [`${prefix}/a/temp`, `${prefix}/sensors/temp`]);
        assert.deepEqual(hash.topics, [`${prefix}/sensors`, `${prefix}/sensors/x/y`, `${prefix}/sensors/temp`]);
      }));

    it('stops delivery after unsubscribe', () =>
      withBus(async ({ bus, device, prefix }) => {
        const inbox = new Inbox();
        const sentinel = new Inbox();
        const unsubscribe = await bus.subscribe(`${prefix}/u`, inbox.handler);
        await bus.subscribe(`${prefix}/u-sentinel`, sentinel.handler);
        await device.publishAsync(`${prefix}/u`, 'first');
        await inbox.waitFor(1);
        await unsubscribe();
        await unsubscribe(); // a second call is harmless
        await device.publishAsync(`${prefix}/u`, 'second');
        await device.publishAsync(`${prefix}/u-sentinel`, 'after');
        await sentinel.waitFor(1); // same publisher, same order: 'second' would have come first
        assert.deepEqual(
          inbox.messages.map((message) => message.payload.toString()),
          ['first'],
        );
      }));

    it('delivers a message matching overlapping filters once to each handler', () =>
      withBus(async ({ bus, device, prefix }) => {
        const all = new Inbox();
        const exact = new Inbox();
        const single = new Inbox();
        const same1 = new Inbox();
        const same2 = new Inbox();
        await bus.subscribe(`${prefix}/o/#`, all.handler);
        await bus.subscribe(`${prefix}/o/a`, exact.handler, { qos: 1 });
        await bus.subscribe(`${prefix}/o/+`, single.handler);
        const unsubscribeSame1 = await bus.subscribe(`${prefix}/o/a`, same1.handler);
        await bus.subscribe(`${prefix}/o/a`, same2.handler);
        await device.publishAsync(`${prefix}/o/a`, 'a', { qos: 1 });
        await device.publishAsync(`${prefix}/o/z`, 'z', { qos: 1 });
        await all.waitFor(2);
        await single.waitFor(2);
        await unsubscribeSame1();
        await device.publishAsync(`${prefix}/o/a`, 'a2', { qos: 1 });
        await device.publishAsync(`${prefix}/o/z`, 'z2', { qos: 1 });
        await all.waitFor(4);
        await single.waitFor(4);
        const payloads = (inbox: Inbox): string[] => inbox.messages.map((message) => message.payload.toString());
        assert.deepEqual(payloads(all), ['a', 'z', 'a2', 'z2']);
        assert.deepEqual(payloads(single), ['a', 'z', 'a2', 'z2']);
        assert.deepEqual(payloads(exact), ['a', 'a2']);
        assert.deepEqual(payloads(same1), ['a']);
        assert.deepEqual(payloads(same2), ['a', 'a2']);
      }));

    it('delivers 10,000 quick QoS 0 messages from one client, all and in order', () =>
      withBus(async ({ bus, device, prefix }) => {
        const count = 10_000;
        const inbox = new Inbox();
        await bus.subscribe(`${prefix}/burst`, inbox.handler);
        const payload = Buffer.alloc(4);
        for (let i = 0; i < count; i++) {
          payload.writeUInt32BE(i);
          device.publish(`${prefix}/burst`, Buffer.from(payload));
        }
        await inbox.waitFor(count, 30_000);
        assert.equal(inbox.messages.length, count);
        inbox.messages.forEach((message, index) => {
          const sequence = message.payload.readUInt32BE(0);
          if (sequence !== index) assert.fail(`message ${index} arrived as ${sequence}`);
        });
      }));

    it('leaves binary payloads untouched both ways', () =>
      withBus(async ({ bus, device, prefix }) => {
        const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
        const random = randomBytes(64 * 1024);
        const inbox = new Inbox();
        await bus.subscribe(`${prefix}/bin/up`, inbox.handler);
        await device.publishAsync(`${prefix}/bin/up`, everyByte, { qos: 1 });
        await device.publishAsync(`${prefix}/bin/up`, random, { qos: 1 });
        await device.publishAsync(`${prefix}/bin/up`, Buffer.alloc(0), { qos: 1 });
        await inbox.waitFor(3);
        assert.deepEqual(inbox.messages[0]?.payload, everyByte);
        assert.deepEqual(inbox.messages[1]?.payload, random);
        assert.equal(inbox.messages[2]?.payload.length, 0);

        await device.subscribeAsync(`${prefix}/bin/down`, { qos: 1 });
        const received = nextDeviceMessage(device, `${prefix}/bin/down`);
        await bus.publish(`${prefix}/bin/down`, random, { qos: 1 });
        assert.deepEqual((await received).payload, random);
      }));

    it('closes idempotently and refuses work afterwards', async () => {
      const bus = await makeBus();
      await bus.close();
      await bus.close();
      await assert.rejects(bus.publish(`${run}/closed`, 'x'), /closed/);
      await assert.rejects(bus.subscribe(`${run}/closed`, () => {}), /closed/);
    });

    // Acknowledged means stored (docs/durability.md): where the hub is the broker, a device's QoS 1
    // PUBACK waits for the handler's hold. On an external broker the broker acknowledges the device.
    it('acknowledges a device\'s QoS 1 message only once the handler holding it has settled', () =>
      withBus(async ({ bus, device, prefix }) => {
        if (bus.kind !== 'embedded') return;
        let release: () => void = () => {};
        const hold = new Promise<void>((resolve) => (release = resolve));
        const inbox = new Inbox();
        await bus.subscribe(`${prefix}/up`, (topic, payload, meta) => {
          inbox.handler(topic, payload, meta);
          return payload.toString() === 'held' ? hold : undefined;
        }, { qos: 1 });
        let acknowledged = false;
        const published = device.publishAsync(`${prefix}/up`, 'held', { qos: 1 }).then(() => void (acknowledged = true));
        // The connection reads on meanwhile: a later message arrives while the first is held.
        await device.publishAsync(`${prefix}/up`, 'next', { qos: 0 });
        await inbox.waitFor(2);
        // A hub → device message sent now travels behind any PUBACK already written on that connection.
        const echoed = new Promise<void>((resolve) => device.on('message', (topic) => topic === `${prefix}/down` && resolve()));
        await device.subscribeAsync(`${prefix}/down`, { qos: 0 });
        await bus.publish(`${prefix}/down`, 'ping');
        await echoed;
        assert.equal(acknowledged, false, 'PUBACK sent before the hold settled');
        release();
        await published;
        assert.equal(acknowledged, true);
      }));

    it('rejects invalid topics and filters', () =>
      withBus(async ({ bus }) => {
        await assert.rejects(bus.publish(`${run}/+/bad`, 'x'), /invalid MQTT topic name/);
        await assert.rejects(bus.subscribe(`${run}/#/bad`, () => {}), /invalid MQTT topic filter/);
      }));
  });
}
