import assert from 'node:assert/strict';
import { it } from 'node:test';
import mqtt from 'mqtt';
import { EmbeddedMqttBus } from '../../src/mqtt/embedded-bus.ts';
import { listenMqttTcp } from '../../src/mqtt/listeners.ts';

it('embedded bus: paused inbound holds device messages back (nothing lost) and delivers them on resume', async () => {
  const bus = await EmbeddedMqttBus.create();
  const listener = await listenMqttTcp(bus, { port: 0, host: '127.0.0.1' });
  const received: string[] = [];
  await bus.subscribe('fc/#', (_topic, payload) => received.push(payload.toString()));
  const early = await mqtt.connectAsync(`mqtt://127.0.0.1:${listener.port}`, { clientId: 'fc-early', protocolVersion: 4 });
  try {
    bus.setInboundPaused(true);
    const late = await mqtt.connectAsync(`mqtt://127.0.0.1:${listener.port}`, { clientId: 'fc-late', protocolVersion: 4 });
    for (let i = 0; i < 50; i++) early.publish('fc/early', `e${i}`, { qos: 0 });
    late.publish('fc/late', 'l0', { qos: 0 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(received.length, 0, 'nothing is read while paused');
    bus.setInboundPaused(false);
    for (let t = 0; t < 100 && received.length < 51; t++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(received.filter((m) => m.startsWith('e')), Array.from({ length: 50 }, (_, i) => `e${i}`));
    assert.ok(received.includes('l0'), 'a client that connected while paused is resumed too');
    await late.endAsync();
  } finally {
    await early.endAsync();
    await listener.close();
    await bus.close();
  }
});
