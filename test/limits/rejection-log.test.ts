/** Rejected device messages: every one counted, a bounded number of log lines (issue 10: 8.3 MB of log for 40 k messages). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceIngress, DeviceLookup } from '../../src/core/device-ingress.ts';
import type { MessageHandler, MqttBus } from '../../src/core/ports/mqtt-bus.ts';
import type { Logger } from '../../src/log/logger.ts';
import { ThrottledLog } from '../../src/log/throttled-log.ts';
import { HubMetrics } from '../../src/metrics/hub-metrics.ts';
import { EventBus } from '../../src/core/event-bus.ts';
import { Lwm2mAdapter } from '../../src/protocols/lwm2m/adapter/lwm2m-adapter.ts';
import { NativeAdapter } from '../../src/protocols/native/adapter.ts';
import type { RpcDispatcher } from '../../src/rpc/dispatcher.ts';

/** A logger that keeps its warn lines. */
function capture(): { logger: Logger; lines: { fields: Record<string, unknown>; message: string }[] } {
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  const ignore = (): void => {};
  const warn = (fields: object | string, message?: string): void => {
    lines.push(typeof fields === 'string' ? { fields: {}, message: fields } : { fields: fields as Record<string, unknown>, message: message ?? '' });
  };
  return { logger: { debug: ignore, info: ignore, warn, error: ignore } as Logger, lines };
}

describe('rejection log throttling', () => {
  it('40,000 spoofed native messages over 40 s: the counter says 40,000, the log has one line per 10 s with the suppressed count', async () => {
    let handler: MessageHandler | undefined;
    const bus: MqttBus = {
      kind: 'embedded',
      publish: async () => {},
      subscribe: async (_filter, h) => {
        handler = h;
        return async () => {};
      },
      onPresence: () => () => {},
      close: async () => {},
    };
    const metrics = new HubMetrics();
    const { logger, lines } = capture();
    let now = 1_000_000;
    const adapter = new NativeAdapter({
      bus,
      dispatcher: {} as RpcDispatcher,
      registry: { getByHardwareId: () => undefined } as unknown as DeviceLookup,
      ingress: {} as DeviceIngress,
      logger,
      metrics,
      maxMessageBytes: 65_536,
      now: () => now,
    });
    await adapter.start();
    for (let i = 0; i < 40_000; i++) {
      now += 1;
      (handler as MessageHandler)('llmiot/v1/victim/up', Buffer.from('{}'), { clientId: 'mallory', retain: false, qos: 0 });
    }
    const counted = (await metrics.rejected.get()).values.find((v) => v.labels['reason'] === 'spoofed_topic')?.value;
    assert.equal(counted, 40_000);
    assert.ok(lines.length >= 4 && lines.length <= 5, `${lines.length} lines`);
    assert.equal(lines[0]?.message, 'native: message rejected');
    assert.equal(lines[0]?.fields['clientId'], 'mallory');
    assert.equal(lines[1]?.fields['suppressed'], 9_999, 'the next line says how many were not logged');
  });

  it('LwM2M: 40,000 spoofed uplinks over 40 s are all counted and logged in a handful of lines', async () => {
    const handlers: MessageHandler[] = [];
    const bus: MqttBus = {
      kind: 'embedded',
      publish: async () => {},
      subscribe: async (_filter, h) => {
        handlers.push(h);
        return async () => {};
      },
      onPresence: () => () => {},
      close: async () => {},
    };
    const metrics = new HubMetrics();
    const { logger, lines } = capture();
    let now = 1_000_000;
    const adapter = new Lwm2mAdapter({
      bus,
      registry: { getByHardwareId: () => undefined, get: () => undefined } as unknown as DeviceLookup,
      ingress: {} as DeviceIngress,
      events: new EventBus(),
      logger,
      metrics,
      maxMessageBytes: 65_536,
      now: () => now,
    });
    await adapter.start();
    const handler = handlers[0] as MessageHandler;
    for (let i = 0; i < 40_000; i++) {
      now += 1;
      handler('lwm2m/victim/update', Buffer.from('{}'), { clientId: 'mallory', retain: false, qos: 0 });
    }
    const counted = (await metrics.rejected.get()).values.find((v) => v.labels['protocol'] === 'lwm2m' && v.labels['reason'] === 'spoofed_topic')?.value;
    assert.equal(counted, 40_000);
    assert.ok(lines.length >= 4 && lines.length <= 5, `${lines.length} lines`);
    assert.equal(lines[0]?.message, 'lwm2m: message rejected');
  });

  it('per client, and at most maxLinesPerInterval for many clients together', () => {
    const { logger, lines } = capture();
    let now = 0;
    const log = new ThrottledLog({ logger, intervalMs: 1_000, maxLinesPerInterval: 10, now: () => now });
    assert.equal(log.warn('a', {}, 'refused'), true);
    assert.equal(log.warn('b', {}, 'refused'), true, 'another client has its own line');
    assert.equal(log.warn('a', {}, 'refused'), false);
    for (let i = 0; i < 1_000; i++) log.warn(`flood-${i}`, {}, 'refused');
    assert.equal(lines.length, 10, 'a flood from many client ids is capped too');
    now += 1_000;
    log.warn('a', {}, 'refused');
    assert.equal(lines.at(-1)?.fields['suppressed'], 1);
    log.warn('flood-999', {}, 'refused');
    assert.equal(lines.at(-1)?.fields['suppressed'], 1, 'a client refused while over the cap is counted for its next line');
  });
});
