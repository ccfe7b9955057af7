import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeviceRegistry } from '../../src/core/device-registry.ts';
import { deviceIdFor } from '../../src/core/device-id.ts';
import { EventBus } from '../../src/core/event-bus.ts';
import { HubError } from '../../src/core/errors.ts';
import type { HubEvents } from '../../src/core/events.ts';
import { LivenessMonitor } from '../../src/core/liveness-monitor.ts';
import { MemoryRegistryStore } from '../support/memory-stores.ts';

function setup() {
  let now = 1_000_000;
  const store = new MemoryRegistryStore();
  const events = new EventBus();
  const statuses: HubEvents['device.status'][] = [];
  events.on('device.status', (e) => statuses.push(e));
  const registry = new DeviceRegistry({ store, events, now: () => now });
  return { store, events, registry, statuses, advance: (ms: number) => (now += ms), now: () => now };
}

const esp32 = { manufacturer: 'Espressif', model: 'ESP32-S3' };

describe('DeviceRegistry', () => {
  it('derives the UUID from the hardware id, so re-registering returns the same device', async () => {
    const { registry } = setup();
    const first = await registry.register({ hardwareId: 'esp32-a1', type: 'mcu', parentId: null, staticSchema: esp32, schemaVersion: '1.0.0', protocol: 'native' });
    const again = await registry.register({ hardwareId: 'esp32-a1', type: 'mcu', parentId: null, staticSchema: esp32, schemaVersion: '1.0.0', protocol: 'native' });
    assert.equal(first.device.id, deviceIdFor('esp32-a1'));
    assert.equal(again.device.id, first.device.id);
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.equal(first.device.registeredAt, again.device.registeredAt);
    assert.equal(registry.list().length, 1);
  });

  it('gives sensors their MCU zone and tags unless they bring their own', async () => {
    const { registry } = setup();
    const mcu = await registry.register({ hardwareId: 'm', type: 'mcu', parentId: null, staticSchema: esp32, schemaVersion: '1.0.0', protocol: 'native', zone: 'Zone A', tags: ['greenhouse'] });
    const sensor = await registry.register({ hardwareId: 'm/i2c:0x47', type: 'sensor', parentId: mcu.device.id, staticSchema: { manufacturer: 'Bosch', model: 'BMP580' }, schemaVersion: '1.0.0', protocol: 'native' });
    assert.equal(sensor.device.zone, 'Zone A');
    assert.deepEqual(sensor.device.tags, ['greenhouse']);
    assert.deepEqual(registry.list({ zone: 'zone a', model: 'bmp580' }).map((d) => d.id), [sensor.device.id]);
  });

  it('takes attached devices offline with their MCU and brings them back with it', async () => {
    const { registry, statuses } = setup();
    const mcu = await registry.register({ hardwareId: 'm', type: 'mcu', parentId: null, staticSchema: esp32, schemaVersion: '1.0.0', protocol: 'native' });
    const s = await registry.register({ hardwareId: 'm/adc:26', type: 'sensor', parentId: mcu.device.id, staticSchema: { model: 'soil' }, schemaVersion: '1.0.0', protocol: 'native' });
    registry.setStatus(mcu.device.id, 'offline');
    assert.equal(registry.require(s.device.id).status, 'offline');
    registry.touch(mcu.device.id);
    assert.equal(registry.require(mcu.device.id).status, 'online');
    assert.equal(registry.require(s.device.id).status, 'online');
    assert.deepEqual(statuses.map((e) => `${e.device.hardwareId}:${e.previous}->${e.device.status}`), [
      'm:online->offline',
      'm/adc:26:online->offline',
      'm:offline->online',
      'm/adc:26:offline->online',
    ]);
  });

  it('deregisters a device with its sensors; lookups then fail with DEVICE_NOT_FOUND', async () => {
    const { registry, store } = setup();
    const mcu = await registry.register({ hardwareId: 'm', type: 'mcu', parentId: null, staticSchema: esp32, schemaVersion: '1.0.0', protocol: 'native' });
    const s = await registry.register({ hardwareId: 'm/x', type: 'sensor', parentId: mcu.device.id, staticSchema: {}, schemaVersion: '1.0.0', protocol: 'native' });
    await registry.deregister(mcu.device.id);
    assert.throws(() => registry.require(s.device.id), (e: unknown) => e instanceof HubError && e.code === 'DEVICE_NOT_FOUND');
    assert.equal(store.devices.get(mcu.device.id)?.status, 'deregistered');
    assert.equal(registry.list().length, 0);
    assert.equal(registry.list({ status: 'deregistered' }).length, 2);
  });

  it('reloads stored devices as offline', async () => {
    const a = setup();
    await a.registry.register({ hardwareId: 'm', type: 'mcu', parentId: null, staticSchema: esp32, schemaVersion: '1.0.0', protocol: 'native' });
    const reloaded = new DeviceRegistry({ store: a.store, events: new EventBus() });
    await reloaded.load();
    assert.equal(reloaded.getByHardwareId('m')?.status, 'offline');
  });

  it('batches lastSeen writes until flush', async () => {
    const { registry, store, advance } = setup();
    const { device } = await registry.register({ hardwareId: 'm', type: 'mcu', parentId: null, staticSchema: esp32, schemaVersion: '1.0.0', protocol: 'native' });
    const registeredAt = device.lastSeen;
    advance(5000);
    registry.touch(device.id);
    assert.equal(registry.require(device.id).lastSeen, registeredAt + 5000);
    assert.equal(store.devices.get(device.id)?.lastSeen, registeredAt);
    await registry.flush();
    assert.equal(store.devices.get(device.id)?.lastSeen, registeredAt + 5000);
  });
});

describe('DeviceRegistry.list at fleet scale', () => {
  it('keeps name order and zone membership through registrations, renames, zone moves and deregistration', async () => {
    const { registry } = setup();
    const reg = (hardwareId: string, name: string, zone: string | null) =>
      registry.register({ hardwareId, type: 'mcu', parentId: null, staticSchema: esp32, schemaVersion: '1.0.0', protocol: 'native', name, zone });
    const c = (await reg('c', 'Charlie', 'Zone A')).device.id;
    const a = (await reg('a', 'Alpha', 'Zone B')).device.id;
    const b = (await reg('b', 'Bravo', 'zone a')).device.id;
    const names = (filter = {}): string[] => registry.list(filter).map((d) => d.name);
    assert.deepEqual(names(), ['Alpha', 'Bravo', 'Charlie']);
    assert.deepEqual(names({ zone: 'ZONE A' }), ['Bravo', 'Charlie'], 'zones compare case-insensitively, as before');
    assert.deepEqual(names({ zone: 'Zöne A' }), [], 'but not accent-insensitively');
    await registry.updateMetadata(a, { name: 'Delta', zone: 'Zone A' });
    assert.deepEqual(names(), ['Bravo', 'Charlie', 'Delta']);
    assert.deepEqual(names({ zone: 'Zone A' }), ['Bravo', 'Charlie', 'Delta']);
    assert.deepEqual(names({ zone: 'Zone B' }), []);
    await registry.updateMetadata(c, { zone: null });
    assert.deepEqual(names({ zone: 'Zone A' }), ['Bravo', 'Delta']);
    await registry.deregister(b);
    assert.deepEqual(names({ zone: 'Zone A' }), ['Delta']);
    assert.deepEqual(names({ zone: 'Zone A', status: 'deregistered' }), ['Bravo']);
  });
});

describe('DeviceRegistry.children', () => {
  it("keeps each MCU's attached devices in list order through registrations, renames, a move to another MCU and deregistration", async () => {
    const { registry } = setup();
    const mcu = async (hardwareId: string) => (await registry.register({ hardwareId, type: 'mcu', parentId: null, staticSchema: esp32, schemaVersion: '1.0.0', protocol: 'native' })).device.id;
    const one = await mcu('m1');
    const two = await mcu('m2');
    const sensor = async (hardwareId: string, parentId: string, name: string) =>
      (await registry.register({ hardwareId, type: 'sensor', parentId, staticSchema: { manufacturer: 'Bosch', model: 'BMP580' }, schemaVersion: '1.0.0', protocol: 'native', name })).device.id;
    const c = await sensor('m1/c', one, 'Charlie');
    const a = await sensor('m1/a', one, 'Alpha');
    await sensor('m2/b', two, 'Bravo');
    const names = (parentId: string): string[] => registry.children(parentId).map((d) => d.name);
    assert.deepEqual(names(one), ['Alpha', 'Charlie']);
    await registry.updateMetadata(a, { name: 'Delta' });
    assert.deepEqual(names(one), ['Charlie', 'Delta']);
    await sensor('m1/a', two, 'Delta');
    assert.deepEqual([names(one), names(two)], [['Charlie'], ['Bravo', 'Delta']], 'moved to the other MCU');
    assert.deepEqual(registry.list({ parentId: two, zone: 'nowhere' }), []);
    await registry.deregister(c);
    assert.deepEqual(names(one), []);
    assert.deepEqual(registry.list({ parentId: one, status: 'deregistered' }).map((d) => d.name), ['Charlie']);
  });

  it('reads only the MCU\'s own devices, not the fleet (device.get answers `attached` with it)', async () => {
    const { registry } = setup();
    const mcu = (await registry.register({ hardwareId: 'm', type: 'mcu', parentId: null, staticSchema: esp32, schemaVersion: '1.0.0', protocol: 'native' })).device;
    await registry.register({ hardwareId: 'm/s', type: 'sensor', parentId: mcu.id, staticSchema: esp32, schemaVersion: '1.0.0', protocol: 'native' });
    // The rest of the fleet, as another hub instance announced it: each record counts the reads of its fields.
    let reads = 0;
    for (let i = 0; i < 1000; i++) {
      const other = { ...mcu, id: deviceIdFor(`other-${i}`), hardwareId: `other-${i}`, name: `Other ${i}` };
      registry.applyRemote(new Proxy(other, { get: (target, key) => (reads++, Reflect.get(target, key)) }));
    }
    assert.equal(registry.list().length, 1002);
    reads = 0;
    assert.deepEqual(registry.children(mcu.id).map((d) => d.hardwareId), ['m/s']);
    assert.equal(reads, 0);
  });
});

describe('LivenessMonitor', () => {
  it('marks an MCU offline after it misses its heartbeat window, not before', async () => {
    const { registry, advance, now } = setup();
    const { device } = await registry.register({ hardwareId: 'm', type: 'mcu', parentId: null, staticSchema: esp32, schemaVersion: '1.0.0', protocol: 'native', heartbeatIntervalMs: 1000 });
    const monitor = new LivenessMonitor({ registry, defaultHeartbeatMs: 30_000, missedBeats: 3, now });
    advance(2999);
    assert.equal(monitor.sweep(), 0);
    advance(2);
    assert.equal(monitor.sweep(), 1);
    assert.equal(registry.require(device.id).status, 'offline');
  });
});

describe('DeviceRegistry with several protocols', () => {
  it('keeps one device when the same hardware id registers over two protocols, merging what each announced', async () => {
    const { registry } = setup();
    const viaLwm2m = await registry.register({ hardwareId: 'node-7', type: 'mcu', parentId: null, staticSchema: { manufacturer: 'Espressif', model: 'ESP32-S3', firmware: { version: '1.2.0' } }, schemaVersion: '1.0.0', protocol: 'lwm2m' });
    const viaSparkplug = await registry.register({ hardwareId: 'node-7', type: 'mcu', parentId: null, staticSchema: { sparkplug: { group_id: 'IIoT' } }, schemaVersion: '1.0.0', protocol: 'sparkplug' });
    assert.equal(viaSparkplug.device.id, viaLwm2m.device.id);
    assert.equal(viaSparkplug.created, false);
    assert.deepEqual(viaSparkplug.device.protocols, ['lwm2m', 'sparkplug']);
    assert.equal(viaSparkplug.device.model, 'ESP32-S3');
    assert.deepEqual(viaSparkplug.device.staticSchema['sparkplug'], { group_id: 'IIoT' });
    assert.equal(registry.list().length, 1);
  });
});
