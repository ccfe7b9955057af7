/** DeviceRegistry.updateMetadata: an operator's name, zone, tags and description, and what later registrations keep. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeviceRegistry, type RegistrationInput } from '../../src/core/device-registry.ts';
import { EventBus } from '../../src/core/event-bus.ts';
import { MemoryRegistryStore } from '../support/memory-stores.ts';

const node = (over: Partial<RegistrationInput> = {}): RegistrationInput => ({
  hardwareId: 'edge-1', type: 'mcu', parentId: null, staticSchema: { manufacturer: 'Espressif', model: 'ESP32-S3' }, schemaVersion: '1.0.0', protocol: 'sparkplug', ...over,
});

function setup() {
  const store = new MemoryRegistryStore();
  const registry = new DeviceRegistry({ store, events: new EventBus() });
  return { store, registry };
}

describe('operator metadata in the registry', () => {
  it('keeps the fields an operator set through later registrations, and only those', async () => {
    const { registry, store } = setup();
    const { device } = await registry.register(node({ zone: 'Zone A', name: 'from birth', tags: ['birth'] }));
    await registry.updateMetadata(device.id, { zone: 'Zone B', description: 'roof' });
    const again = await registry.register(node({ zone: 'Zone A', name: 'renamed by firmware', tags: ['birth', 'v2'], protocol: 'lwm2m' }));
    assert.equal(again.device.zone, 'Zone B');
    assert.equal(again.device.description, 'roof');
    assert.deepEqual(again.device.operatorFields, ['zone', 'description']);
    // What no operator set still follows the device.
    assert.equal(again.device.name, 'renamed by firmware');
    assert.deepEqual(again.device.tags, ['birth', 'v2']);
    assert.deepEqual((await store.loadDevices())[0], again.device);
  });

  it('clears description with null, and moves attached devices with a zone unless an operator placed them', async () => {
    const { registry } = setup();
    const mcu = (await registry.register(node({ zone: 'Zone A' }))).device;
    const sensor = (await registry.register(node({ hardwareId: 'edge-1/a', type: 'sensor', parentId: mcu.id }))).device;
    const pinned = (await registry.register(node({ hardwareId: 'edge-1/b', type: 'sensor', parentId: mcu.id }))).device;
    await registry.updateMetadata(pinned.id, { zone: 'Bench', description: 'x' });
    const { children } = await registry.updateMetadata(mcu.id, { zone: 'Zone C' });
    assert.deepEqual(children.map((c) => c.id), [sensor.id]);
    assert.equal(registry.get(pinned.id)?.zone, 'Bench');
    const cleared = await registry.updateMetadata(pinned.id, { description: null });
    assert.equal('description' in cleared.device, false);
  });

  it('moves attached devices that had no zone when their MCU announces one', async () => {
    const { registry } = setup();
    const mcu = (await registry.register(node())).device;
    const early = (await registry.register(node({ hardwareId: 'edge-1/3303/0', type: 'sensor', parentId: mcu.id, protocol: 'lwm2m' }))).device;
    assert.equal(early.zone, null);
    await registry.register(node({ zone: 'Zone A' }));
    assert.equal(registry.get(early.id)?.zone, 'Zone A');
  });
});
