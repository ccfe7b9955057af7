import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeviceRegistry } from '../../src/core/device-registry.ts';
import type { Device } from '../../src/core/device.ts';
import { EventBus } from '../../src/core/event-bus.ts';
import { HubError } from '../../src/core/errors.ts';
import { MemoryRegistryStore } from '../support/memory-stores.ts';

/** A store whose next saves fail (a document it cannot hold, a lost connection). */
class FailingStore extends MemoryRegistryStore {
  failing = false;
  override async saveDevice(device: Device): Promise<void> {
    if (this.failing) throw new RangeError('Maximum call stack size exceeded');
    return super.saveDevice(device);
  }
}

const input = (model: string) => ({ hardwareId: 'esp32-r1', type: 'mcu' as const, parentId: null, staticSchema: { manufacturer: 'Espressif', model }, schemaVersion: '1.0.0', protocol: 'native' as const });

describe('DeviceRegistry: a registration the store refuses', () => {
  it('leaves no half-registered device behind', async () => {
    const store = new FailingStore();
    const registry = new DeviceRegistry({ store, events: new EventBus() });
    store.failing = true;
    await assert.rejects(registry.register(input('ESP32-S3')), (e: unknown) => e instanceof HubError && e.code === 'STORE_ERROR');
    assert.equal(registry.getByHardwareId('esp32-r1'), undefined);
    assert.deepEqual(registry.list({}), []);
  });

  it('keeps the previous registration when a re-registration fails', async () => {
    const store = new FailingStore();
    const registry = new DeviceRegistry({ store, events: new EventBus() });
    await registry.register(input('ESP32-S3'));
    store.failing = true;
    await assert.rejects(registry.register(input('ESP32-C6')));
    assert.equal(registry.getByHardwareId('esp32-r1')?.model, 'ESP32-S3');
  });
});
