import assert from 'node:assert/strict';
import { it } from 'node:test';
import mqtt from 'mqtt';
import { EmbeddedMqttBus } from '../../src/mqtt/embedded-bus.ts';
import { listenMqttTcp } from '../../src/mqtt/listeners.ts';

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

it('embedded bus: paused inbound holds device messages back (nothing lost), the hub keeps publishing, resume delivers the rest', async () => {
  const bus = await EmbeddedMqttBus.create();
  const listener = await listenMqttTcp(bus, { port: 0, host: '127.0.0.1' });
  const received: string[] = [];
  await bus.subscribe('fc/#', (_topic, payload) => {
    received.push(payload.toString());
  });
  const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${listener.port}`, { clientId: 'fc-device', protocolVersion: 4 });
  try {
    const down: string[] = [];
    device.on('message', (_topic, payload) => down.push(payload.toString()));
    await device.subscribeAsync('fc-down', { qos: 0 });
    bus.setInboundPaused(true);
    const pad = 'x'.repeat(1000);
    for (let i = 0; i < 2000; i++) device.publish('fc/up', `m${i}:${pad}`, { qos: 0 });
    await settle(300);
    // Packets of a socket read already under way are handled; no further read happens while paused.
    assert.ok(received.length < 200, `only what was already read is taken while paused, got ${received.length} of 2000`);
    await bus.publish('fc-down', 'command');
    for (let t = 0; t < 50 && down.length === 0; t++) await settle(20);
    assert.deepEqual(down, ['command'], 'the hub still reaches devices while their input is paused');
    bus.setInboundPaused(false);
    for (let t = 0; t < 200 && received.length < 2000; t++) await settle(20);
    assert.deepEqual(received.map((m) => m.slice(0, m.indexOf(':'))), Array.from({ length: 2000 }, (_, i) => `m${i}`));
  } finally {
    await device.endAsync(true);
    await listener.close();
    await bus.close();
  }
});
