/**
 * EmbeddedMqttBus, acknowledged means stored across a reconnection: a device that comes back with a
 * QoS 1 PUBLISH to resend gets its PUBACK even while the broker is still sending it the messages
 * queued for its session. aedes sends CONNACK, then the queue, and only then counts the connection
 * as connected; MQTT.js resends at once after CONNACK and one message at a time (the next after the
 * previous one's PUBACK), so a PUBACK lost in that window stalled the device until it reconnected.
 */
import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { MqttClient } from 'mqtt';
import type { PresenceEvent } from '../../src/core/ports/mqtt-bus.ts';
import { EmbeddedMqttBus } from '../../src/mqtt/embedded-bus.ts';
import { within } from '../support/eventually.ts';
import { connectInProcess } from '../../src/mqtt/listeners.ts';

/** Messages the hub publishes to the device while it is away: the queue aedes sends after CONNACK. */
const QUEUED = 100;
/** A passing run acknowledges within milliseconds; a lost PUBACK is never sent at all. */
const PUBACK_DEADLINE_MS = 10_000;

/** Resolves when `clientId`'s connection is reported gone (aedes has made its session offline). */
function disconnected(bus: EmbeddedMqttBus, clientId: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = bus.onPresence((event: PresenceEvent) => {
      if (event.clientId !== clientId || event.connected) return;
      stop();
      resolve();
    });
  });
}

function nextEvent(client: MqttClient, event: 'connect' | 'close'): Promise<void> {
  return new Promise((resolve) => client.once(event, () => resolve()));
}

describe('EmbeddedMqttBus: QoS 1 resent on reconnection', () => {
  for (const [name, hold] of [
    ['a message its handler holds (settled at once, like a LwM2M Update refused 4.04)', () => Promise.resolve()],
    ['a message no handler holds (a notification acknowledged on receipt)', () => undefined],
  ] as const) {
    it(`acknowledges ${name} while the session's queue is still being sent`, async () => {
      const bus = await EmbeddedMqttBus.create();
      let stream: Duplex | undefined;
      const device = new MqttClient(() => (stream = connectInProcess(bus)), { protocolVersion: 4, clientId: 'dev-1', clean: false, reconnectPeriod: 0 });
      try {
        const taken: string[] = [];
        await bus.subscribe('dev/+/up', (_topic, payload) => {
          taken.push(payload.toString());
          return hold();
        }, { qos: 1 });
        await nextEvent(device, 'connect');
        await device.subscribeAsync('dev/dev-1/down', { qos: 1 });

        // The connection drops; the persistent session stays and queues what the hub sends meanwhile.
        const gone = disconnected(bus, 'dev-1');
        (stream as Duplex).destroy();
        await Promise.all([gone, nextEvent(device, 'close')]);
        for (let i = 0; i < QUEUED; i++) await bus.publish('dev/dev-1/down', `queued ${i}`, { qos: 1 });
        let received = 0;
        device.on('message', () => received++);

        // Published while away: MQTT.js keeps it and resends it right after the next CONNACK.
        const acknowledged = new Promise<void>((resolve, reject) => device.publish('dev/dev-1/up', 'reading', { qos: 1 }, (error) => (error ? reject(error) : resolve())));
        // A new connection with the same stores (reconnect() without them would drop the kept message).
        device.reconnect({ incomingStore: device.incomingStore, outgoingStore: device.outgoingStore });
        await within(acknowledged, PUBACK_DEADLINE_MS, 'the PUBACK of the resent message');
        assert.deepEqual(taken, ['reading']);
        assert.ok(received > 0 && received <= QUEUED, `${received} queued messages arrived`);
      } finally {
        device.end(true);
        await bus.close();
      }
    });
  }
});
