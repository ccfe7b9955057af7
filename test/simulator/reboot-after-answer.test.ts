/**
 * A simulated MCU reboots only once the answer that accepted `mcu.reboot` is acknowledged, even when
 * another down message (the answer to the device's own request) is handled while that PUBACK is still
 * due. The ordering is controlled through the in-process embedded broker: the hub-side subscriber
 * holds the reboot answer's PUBACK (MessageHandler's hold) and releases the device's pending request
 * meanwhile. Before, that other message's handler took the reboot and dropped the connection before
 * the answer was acknowledged (or even sent): the hub then failed the command -32009 "connection lost".
 */
import assert from 'node:assert/strict';
import { duplexPair, type Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { deviceIdFor } from '../../src/core/device-id.ts';
import type { PresenceEvent } from '../../src/core/ports/mqtt-bus.ts';
import { EmbeddedMqttBus } from '../../src/mqtt/embedded-bus.ts';
import { SimulatedMcu } from '../../src/simulator/index.ts';
import { eventually } from '../support/eventually.ts';

type Json = Record<string, any>;

describe('SimulatedMcu reboot after its answer is acknowledged', () => {
  let bus: EmbeddedMqttBus;
  before(async () => {
    bus = await EmbeddedMqttBus.create();
  });
  after(async () => {
    await bus.close();
  });

  const streamBuilder = (): Duplex => {
    const [client, server] = duplexPair();
    client.once('close', () => server.destroy());
    server.once('close', () => client.destroy());
    bus.handleConnection(server);
    return client;
  };

  it('a down message handled while the reboot answer awaits its PUBACK does not reboot the device first', async () => {
    const hw = `reboot-order-${process.pid}`;
    const down = `llmiot/v1/${hw}/down`;
    const answer = (id: unknown, result: Json): Promise<void> => bus.publish(down, JSON.stringify({ jsonrpc: '2.0', id, result }), { qos: 1 });
    let discover: { id: unknown; hardwareId: string } | undefined;
    let rebootAnswer: Json | undefined;
    let releaseAnswer: (() => void) | undefined;
    await bus.subscribe(
      `llmiot/v1/${hw}/up`,
      (_topic, payload) => {
        const message = JSON.parse(payload.toString('utf8')) as Json;
        if (message['method'] === 'device.register') {
          void answer(message['id'], { device_id: deviceIdFor(hw), hardware_id: hw, status: 'online', created: true, schema_version: '1.0.0' });
        } else if (message['method'] === 'sensor.discover') {
          // Kept unanswered until the reboot answer is in: its answer is the other down message.
          discover = { id: message['id'], hardwareId: String(message['params']['hardware_id']) };
        } else if (message['id'] === 'reboot-1' && !('method' in message)) {
          rebootAnswer = message;
          return new Promise<void>((resolve) => (releaseAnswer = resolve));
        }
        return undefined;
      },
      { qos: 1 },
    );
    const presence: PresenceEvent[] = [];
    bus.onPresence((event) => presence.push(event));
    const mcu = new SimulatedMcu({ hardwareId: hw, board: 'esp32-s3', streamBuilder, sensors: ['bmp580'], telemetryIntervalMs: 600_000, heartbeatIntervalMs: 600_000, connectOptions: { reconnectPeriod: 0 } });
    const events: string[] = [];
    mcu.on('rebooting', () => events.push('rebooting'));
    mcu.on('sensor-discovered', () => events.push('sensor-discovered'));
    try {
      await mcu.start();
      await eventually(() => discover !== undefined, 10_000, 'the sensor.discover request');
      await bus.publish(down, JSON.stringify({ jsonrpc: '2.0', id: 'reboot-1', method: 'mcu.reboot', params: { delay_ms: 600_000 } }), { qos: 1 });
      await eventually(() => rebootAnswer !== undefined, 10_000, 'the reboot answer');
      assert.equal(rebootAnswer?.['result']?.rebooting, true);

      // The device's pending request is answered while the reboot answer's PUBACK is held.
      const pending = discover as { id: unknown; hardwareId: string };
      await answer(pending.id, { sensor_id: deviceIdFor(pending.hardwareId), device_id: deviceIdFor(pending.hardwareId), hardware_id: pending.hardwareId, created: true, status: 'online', schema_version: '1.0.0' });
      await eventually(() => events.includes('sensor-discovered'), 10_000, 'the discover answer handled');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(events, ['sensor-discovered'], 'no reboot before the answer is acknowledged');
      assert.deepEqual(presence.filter((e) => e.clientId === hw && !e.connected), [], 'the connection is still up');

      releaseAnswer?.();
      await eventually(() => presence.some((e) => e.clientId === hw && !e.connected), 10_000, 'the reboot drops the connection');
      assert.deepEqual(events, ['sensor-discovered', 'rebooting']);
      assert.equal(presence.find((e) => e.clientId === hw && !e.connected)?.abrupt, true, 'a power cycle: no DISCONNECT');
    } finally {
      await mcu.stop();
    }
  });
});
