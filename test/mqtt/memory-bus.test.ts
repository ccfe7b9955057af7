/** MemoryMqttBus: the MqttBus contract, presence and wills, with no socket and no broker process. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PresenceEvent } from '../../src/core/ports/mqtt-bus.ts';
import { MemoryMqttBus } from '../../src/mqtt/memory-bus.ts';
import { describeMqttBus, Inbox, nextDeviceMessage } from './describe-mqtt-bus.ts';

describeMqttBus('in-memory', async () => new MemoryMqttBus(), (bus, clientId) => bus.connect(clientId));

describe('MemoryMqttBus presence and wills', () => {
  it('reports connects and ends, a forced end as abrupt, and publishes the will only then', async () => {
    const bus = new MemoryMqttBus();
    try {
      const events: PresenceEvent[] = [];
      bus.onPresence((event) => events.push(event));
      const wills = new Inbox();
      await bus.subscribe('status/+', wills.handler, { qos: 1 });
      const polite = await bus.connect('polite', { will: { topic: 'status/polite', payload: 'gone' } });
      const lost = await bus.connect('lost', { will: { topic: 'status/lost', payload: 'gone', qos: 1, retain: true } });
      assert.equal(bus.connectedClients, 2);
      await polite.endAsync();
      lost.simulateConnectionLoss();
      await wills.waitFor(1);
      assert.deepEqual(wills.topics, ['status/lost']);
      assert.deepEqual(wills.messages[0]?.meta, { clientId: 'lost', retain: false, qos: 1 });
      assert.deepEqual(events, [
        { clientId: 'polite', connected: true },
        { clientId: 'lost', connected: true },
        { clientId: 'polite', connected: false, abrupt: false },
        { clientId: 'lost', connected: false, abrupt: true },
      ]);
      // The retained will greets a later subscriber.
      const late = new Inbox();
      await bus.subscribe('status/#', late.handler);
      await late.waitFor(1);
      assert.equal(late.messages[0]?.meta.retain, true);
      assert.equal(bus.connectedClients, 0);
    } finally {
      await bus.close();
    }
  });

  it('drops the older client when a client id connects again [MQTT-3.1.4-2]', async () => {
    const bus = new MemoryMqttBus();
    try {
      const events: PresenceEvent[] = [];
      bus.onPresence((event) => events.push(event));
      const first = await bus.connect('twin');
      const closed = new Promise((resolve) => first.once('close', resolve));
      const second = await bus.connect('twin');
      await closed;
      assert.equal(first.connected, false);
      assert.equal(second.connected, true);
      await assert.rejects(first.publishAsync('x', 'y'), /disconnected/);
      assert.deepEqual(events.map((e) => [e.connected, e.abrupt]), [[true, undefined], [false, true], [true, undefined]]);
    } finally {
      await bus.close();
    }
  });

  it('holds device messages while inbound is paused and delivers them in order on resume; the hub still publishes', async () => {
    const bus = new MemoryMqttBus();
    try {
      const inbox = new Inbox();
      await bus.subscribe('fc/up', inbox.handler);
      const device = await bus.connect('fc-device');
      await device.subscribeAsync('fc/down');
      bus.setInboundPaused(true);
      const sent = Promise.all(Array.from({ length: 100 }, (_, i) => device.publishAsync('fc/up', `m${i}`)));
      const down = nextDeviceMessage(device, 'fc/down');
      await bus.publish('fc/down', 'command');
      assert.equal((await down).payload.toString(), 'command');
      assert.equal(inbox.messages.length, 0, 'nothing from the device while paused');
      bus.setInboundPaused(false);
      await sent;
      assert.deepEqual(inbox.messages.map((m) => m.payload.toString()), Array.from({ length: 100 }, (_, i) => `m${i}`));
    } finally {
      await bus.close();
    }
  });
});
