/**
 * OwnedBus on a shared subscription: a message whose session another instance owns is relayed to
 * it; when the broker says no session reads the owner's topic any more (it died and a survivor
 * adopted and ended its session before this instance saw the members change), it is handled here
 * instead of being lost, and the members are re-read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OwnedBus } from '../../src/cluster/owned-bus.ts';
import { NoSubscribersError, type MessageHandler, type MqttBus, type PublishOptions } from '../../src/core/ports/mqtt-bus.ts';

/** A bus whose one subscription the test drives, and whose publishes find no subscriber when `gone`. */
function fakeBus(gone: boolean): { bus: MqttBus; deliver: MessageHandler; published: string[] } {
  let handler: MessageHandler = () => undefined;
  const published: string[] = [];
  const bus: MqttBus = {
    kind: 'external',
    publish(topic: string, _payload: Buffer | string, options?: PublishOptions) {
      published.push(topic);
      return gone && options?.requireSubscriber === true ? Promise.reject(new NoSubscribersError(topic)) : Promise.resolve();
    },
    subscribe(_filter, h) {
      handler = h;
      return Promise.resolve(() => Promise.resolve());
    },
    onPresence: () => () => {},
    close: () => Promise.resolve(),
  };
  return { bus, deliver: (topic, payload, meta) => handler(topic, payload, meta), published };
}

function owned(inner: MqttBus, gone: string[]): OwnedBus {
  return new OwnedBus(inner, {
    protocol: 'lwm2m',
    ownership: { instance: 'hub-b', ownerOf: () => 'hub-a', settledOwnerOf: () => 'hub-a' },
    keyOf: (topic) => topic.split('/')[1],
    onOwnerGone: (owner) => gone.push(owner),
  });
}

describe('OwnedBus relays', () => {
  it('relays a message of a session another instance owns, and acknowledges it once the broker took the relay', async () => {
    const { bus, deliver, published } = fakeBus(false);
    const handled: string[] = [];
    const gone: string[] = [];
    await owned(bus, gone).subscribe('lwm2m/+/update', (topic) => void handled.push(topic));
    await deliver('lwm2m/ep1/update', Buffer.from('x'), { retain: false, qos: 1 });
    assert.deepEqual(published, ['llmiot/hub/hub-a/relay/lwm2m']);
    assert.deepEqual(handled, []);
    assert.deepEqual(gone, []);
  });

  it('handles the message itself when no session reads the owner\'s topic any more, and holds the acknowledgement until it is handled', async () => {
    const { bus, deliver } = fakeBus(true);
    const gone: string[] = [];
    let commit: () => void = () => {};
    const committed = new Promise<void>((resolve) => (commit = resolve));
    const handled: string[] = [];
    const ownedBus = owned(bus, gone);
    await ownedBus.subscribe('lwm2m/+/update', (topic) => {
      handled.push(topic);
      return committed;
    });
    let acknowledged = false;
    const held = deliver('lwm2m/ep1/update', Buffer.from('x'), { retain: false, qos: 1 });
    assert.ok(held instanceof Promise, 'a QoS 1 message is held');
    void held.then(() => (acknowledged = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(handled, ['lwm2m/ep1/update']);
    assert.deepEqual(gone, ['hub-a']);
    assert.equal(ownedBus.ownerGone, 1);
    assert.equal(acknowledged, false, 'not acknowledged before the local handler committed');
    commit();
    await held;
  });

  it('handles a QoS 0 message itself too when its owner is gone', async () => {
    const { bus, deliver } = fakeBus(true);
    const handled: string[] = [];
    let seen: () => void = () => {};
    const done = new Promise<void>((resolve) => (seen = resolve));
    await owned(bus, []).subscribe('lwm2m/+/update', (topic) => {
      handled.push(topic);
      seen();
    });
    assert.equal(deliver('lwm2m/ep1/update', Buffer.from('x'), { retain: false, qos: 0 }), undefined);
    await done;
    assert.deepEqual(handled, ['lwm2m/ep1/update']);
  });
});
