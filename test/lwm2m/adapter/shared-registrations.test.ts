/** LwM2M registrations in the shared session store (scale-out): what one instance writes, the next owner reads back and continues. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { worthResending } from '../../../src/core/commit-receipt.ts';
import type { JsonObject } from '../../../src/core/device.ts';
import { HubError } from '../../../src/core/errors.ts';
import type { SessionStore } from '../../../src/core/ports/session-store.ts';
import type { DeviceIngress, DeviceLookup } from '../../../src/core/device-ingress.ts';
import { EventBus } from '../../../src/core/event-bus.ts';
import type { MessageHandler, MqttBus } from '../../../src/core/ports/mqtt-bus.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { HubMetrics } from '../../../src/metrics/hub-metrics.ts';
import { Lwm2mAdapter } from '../../../src/protocols/lwm2m/adapter/lwm2m-adapter.ts';
import { expiryDeadline } from '../../../src/protocols/lwm2m/adapter/lifetime-tracker.ts';
import { Lwm2mSession } from '../../../src/protocols/lwm2m/adapter/lwm2m-session.ts';
import { registrationLinks, SharedRegistrations } from '../../../src/protocols/lwm2m/adapter/shared-registrations.ts';
import { ObjectModel } from '../../../src/protocols/lwm2m/object-model.ts';
import { parseRegistration } from '../../../src/protocols/lwm2m/registration.ts';

/** The store as PostgreSQL keeps it: JSON text per (protocol, key). */
class MemorySessionStore implements SessionStore {
  readonly rows = new Map<string, string>();
  writes = 0;
  save(protocol: string, key: string, state: JsonObject): Promise<void> {
    this.writes++;
    this.rows.set(`${protocol}/${key}`, JSON.stringify(state));
    return Promise.resolve();
  }
  load(protocol: string, key: string): Promise<JsonObject | undefined> {
    const text = this.rows.get(`${protocol}/${key}`);
    return Promise.resolve(text === undefined ? undefined : (JSON.parse(text) as JsonObject));
  }
  remove(protocol: string, key: string): Promise<void> {
    this.rows.delete(`${protocol}/${key}`);
    return Promise.resolve();
  }
}

const model = new ObjectModel();
const registration = parseRegistration(
  {
    endpoint: 'env-node-9',
    lifetime: 300,
    version: '1.1',
    bindingMode: 'U',
    queueMode: true,
    objectLinks: '</>;ct="110 112",</1/0>,</3/0>,</3303/0>;ver=1.1,</3303/1>,</3442>,</32769/0>',
    objects: { '3303': { '0': { '5700': 21.5, '5701': 'Cel' } } },
  },
  model,
);

describe('shared LwM2M registrations', () => {
  it('writes the object list as CoRE links that read back to the same objects, versions and content formats', () => {
    const again = parseRegistration({ endpoint: 'env-node-9', lifetime: 300, version: '1.1', objectLinks: registrationLinks(registration) }, model);
    const shape = (r: typeof registration): unknown => r.objects.map((o) => ({ id: o.objectId, known: o.known, version: o.version, instances: o.instances.map((i) => i.instanceId) }));
    assert.deepEqual(shape(again), shape(registration));
    assert.deepEqual(again.contentFormats, [110, 112]);
    assert.deepEqual(again.unknownObjects, registration.unknownObjects);
  });

  it('continues a registration on another instance: lifetime from the last Update, binding, observations and units', async () => {
    const store = new MemorySessionStore();
    const owner = new SharedRegistrations(store, model, silentLogger);
    const session = new Lwm2mSession(registration, 'mcu-1');
    session.observations.set('/3303/0/5700', { path: '/3303/0/5700', reqID: 17, origin: 'client' });
    session.units.set('3303/0', 'Cel');
    owner.renewed('env-node-9', 1_000_000);
    await owner.save(session);
    await owner.save(session);
    assert.equal(store.writes, 1, 'an unchanged session is not written again');

    const next = new SharedRegistrations(store, model, silentLogger);
    const restored = await next.restore('env-node-9', 1_000_000 + 299_000, expiryDeadline);
    assert.ok(restored);
    assert.equal(restored.updatedAt, 1_000_000);
    assert.equal(restored.session.deviceId, 'mcu-1');
    assert.equal(restored.session.registration.lifetimeS, 300);
    assert.equal(restored.session.registration.binding.raw, 'U');
    assert.equal(restored.session.registration.binding.queueMode, true);
    assert.equal(restored.session.hasObject(3303, 1), true);
    assert.deepEqual([...restored.session.observations.values()], [{ path: '/3303/0/5700', reqID: 17, origin: 'client' }]);
    assert.equal(restored.session.units.get('3303/0'), 'Cel');
  });

  it('does not continue a registration whose lifetime ran out, and forgets it', async () => {
    const store = new MemorySessionStore();
    const owner = new SharedRegistrations(store, model, silentLogger);
    owner.renewed('env-node-9', 1_000_000);
    await owner.save(new Lwm2mSession(registration, 'mcu-1'));
    const deadline = expiryDeadline(300, 1_000_000) as number;
    assert.equal(await new SharedRegistrations(store, model, silentLogger).restore('env-node-9', deadline, expiryDeadline), undefined);
    assert.equal(store.rows.size, 0);
  });

  it('refuses to guess when the store cannot be read: a retryable STORE_ERROR, so the message that needed it is sent again', async () => {
    const store = new MemorySessionStore();
    store.load = () => Promise.reject(new Error('connection terminated unexpectedly'));
    const restoring = new SharedRegistrations(store, model, silentLogger).restore('env-node-9', 1_000_000, expiryDeadline);
    await assert.rejects(restoring, (error: unknown) => {
      assert.ok(error instanceof HubError);
      assert.equal(error.code, 'STORE_ERROR');
      assert.equal(worthResending(error), true, 'not acknowledged');
      return true;
    });
  });

  it('leaves a notification unacknowledged when the endpoint\'s shared registration cannot be read, and acknowledges one whose endpoint has none', async () => {
    let handler: MessageHandler | undefined;
    const bus: MqttBus = {
      kind: 'external',
      publish: () => Promise.resolve(),
      subscribe: (_filter, h) => {
        handler = h;
        return Promise.resolve(() => Promise.resolve());
      },
      onPresence: () => () => {},
      close: () => Promise.resolve(),
    };
    const store = new MemorySessionStore();
    let failing = true;
    const load = store.load.bind(store);
    store.load = (protocol, key) => (failing ? Promise.reject(new Error('connection terminated unexpectedly')) : load(protocol, key));
    const adapter = new Lwm2mAdapter({
      bus,
      registry: { getByHardwareId: () => undefined, get: () => undefined, children: () => [] } as unknown as DeviceLookup,
      ingress: {} as DeviceIngress,
      events: new EventBus(),
      logger: silentLogger,
      metrics: new HubMetrics(),
      maxMessageBytes: 65_536,
      sessionStore: store,
    });
    await adapter.start();
    try {
      const notify = (): Promise<void> | void => handler?.('lwm2m/env-node-9/up/notify', Buffer.from(JSON.stringify({ reqID: 17, content: {} })), { retain: false, qos: 1 });
      const held = notify();
      assert.ok(held instanceof Promise);
      await assert.rejects(held, (error: unknown) => error instanceof HubError && error.code === 'STORE_ERROR', 'not acknowledged: the broker sends it again');
      failing = false;
      await notify(); // no registration anywhere: refused for good, acknowledged
    } finally {
      await adapter.stop();
    }
  });
});
