/** The native adapter's bus handler and answer path never throw: a failure is logged, counted and answered -32603. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceIngress, DeviceLookup } from '../../src/core/device-ingress.ts';
import type { MessageHandler, MqttBus } from '../../src/core/ports/mqtt-bus.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { HubMetrics } from '../../src/metrics/hub-metrics.ts';
import { NativeAdapter } from '../../src/protocols/native/adapter.ts';
import type { RpcDispatcher } from '../../src/rpc/dispatcher.ts';

async function setup(dispatcher: Partial<RpcDispatcher>, registry: Partial<DeviceLookup> = { getByHardwareId: () => undefined }) {
  let handler: MessageHandler | undefined;
  const published: { topic: string; payload: string }[] = [];
  let delivered!: () => void;
  const answered = new Promise<void>((resolve) => (delivered = resolve));
  const bus: MqttBus = {
    kind: 'embedded',
    publish: async (topic, payload) => {
      published.push({ topic, payload: payload.toString() });
      delivered();
    },
    subscribe: async (_filter, h) => {
      handler = h;
      return async () => {};
    },
    onPresence: () => () => {},
    close: async () => {},
  };
  const metrics = new HubMetrics();
  const adapter = new NativeAdapter({
    bus,
    dispatcher: dispatcher as RpcDispatcher,
    registry: registry as DeviceLookup,
    ingress: {} as DeviceIngress,
    logger: silentLogger,
    metrics,
    maxMessageBytes: 65_536,
  });
  await adapter.start();
  const send = (text: string) => (handler as MessageHandler)('llmiot/v1/esp-1/up', Buffer.from(text), { clientId: 'esp-1', retain: false, qos: 1 });
  const rejected = async (reason: string) => (await metrics.rejected.get()).values.find((v) => v.labels['reason'] === reason)?.value ?? 0;
  return { send, published, answered, rejected };
}

describe('native adapter answer path', () => {
  it('answers -32603 and counts when an answer cannot be serialized, instead of throwing out of the handler', async () => {
    const t = await setup({ handleMessage: async () => ({ jsonrpc: '2.0', id: 1, result: { big: 10n } }) });
    t.send('{"jsonrpc":"2.0","id":1,"method":"device.list","params":{}}');
    await t.answered;
    assert.equal(t.published[0]?.topic, 'llmiot/v1/esp-1/down');
    assert.deepEqual(JSON.parse(t.published[0]?.payload ?? ''), { jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'Internal error: the answer could not be serialized' } });
    assert.equal(await t.rejected('unserializable_answer'), 1);
  });

  it('logs and counts a failure inside the bus handler without throwing', async () => {
    const t = await setup({}, {
      getByHardwareId: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    });
    assert.doesNotThrow(() => t.send('{"jsonrpc":"2.0","method":"device.heartbeat","params":{}}'));
    assert.equal(await t.rejected('internal_error'), 1);
  });
});
