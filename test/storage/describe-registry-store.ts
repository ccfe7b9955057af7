/** Contract suite every RegistryStore backend passes (cf. aedes-persistence abstract.js). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandRecord } from '../../src/core/command.ts';
import type { Device } from '../../src/core/device.ts';
import { HubError } from '../../src/core/errors.ts';
import type { RegistryStore } from '../../src/core/ports/registry-store.ts';
import type { StoreFixture } from './describe-telemetry-store.ts';

const T0 = 1_700_000_000_000;

function device(id: string, overrides: Partial<Device> = {}): Device {
  return {
    id,
    hardwareId: `esp32-${id}`,
    type: 'mcu',
    parentId: null,
    name: `Node ${id} – “Gewächshaus” 🌱`,
    manufacturer: 'Espressif',
    model: 'ESP32-S3',
    schemaVersion: '1.2.0',
    staticSchema: {
      capabilities: ['wifi', 'ble'],
      buses: [{ kind: 'i2c', sda: 8, scl: 9, devices: [{ address: 0x47, part: 'BMP580' }] }],
      flash: { size: 8_388_608, psram: null, partitions: [] },
      empty: {},
    },
    dynamicState: { status: 'online', uptime: 12.5, readings: { temperature: -3.25 }, healthy: true, note: null },
    tags: ['greenhouse', 'zone:a', ''],
    zone: 'north',
    status: 'online',
    protocols: ['native', 'sparkplug', 'lwm2m'],
    registeredAt: T0,
    lastSeen: T0 + 5_000,
    heartbeatIntervalMs: 30_000,
    ...overrides,
  };
}

function command(id: string, overrides: Partial<CommandRecord> = {}): CommandRecord {
  return {
    id,
    deviceId: 'dev-a',
    method: 'sensor.read',
    params: { sensor: 'bmp580', fields: ['pressure', 'temperature'], oversampling: { p: 8 } },
    state: 'pending',
    origin: { transport: 'mcp', principal: 'claude' },
    createdAt: T0,
    timeoutMs: 5_000,
    ...overrides,
  };
}

function isStoreError(error: unknown, prefix: string): boolean {
  return error instanceof HubError && error.code === 'STORE_ERROR' && error.message.startsWith(prefix);
}

/** Register the RegistryStore contract tests for one backend. */
export function describeRegistryStore(name: string, fixture: StoreFixture<RegistryStore>): void {
  async function withStore(test: (store: RegistryStore) => Promise<void>): Promise<void> {
    const store = await fixture.open();
    try {
      await test(store);
    } finally {
      await store.close();
    }
  }

  describe(`RegistryStore contract: ${name}`, () => {
    it('round-trips every device field, JSON documents and arrays included', () =>
      withStore(async (store) => {
        const mcu = device('dev-a');
        const sensor = device('dev-b', {
          type: 'sensor', parentId: 'dev-a', hardwareId: 'esp32-dev-a/i2c:0x47', tags: [], zone: null,
          status: 'offline', protocols: [], heartbeatIntervalMs: null, registeredAt: T0 + 1, dynamicState: {},
        });
        await store.saveDevice(mcu);
        await store.saveDevice(sensor);
        const loaded = await store.loadDevices();
        assert.deepEqual([...loaded].sort((a, b) => a.id.localeCompare(b.id)), [mcu, sensor]);
      }));

    it('round-trips operator metadata: a description and the fields an operator set', () =>
      withStore(async (store) => {
        const described = device('dev-a', { description: 'north wall, 1.5 m – “Fühler” 🌡', operatorFields: ['zone', 'tags', 'description'] });
        const plain = device('dev-b');
        await store.saveDevice(described);
        await store.saveDevice(plain);
        const loaded = new Map((await store.loadDevices()).map((d) => [d.id, d]));
        assert.deepEqual(loaded.get('dev-a'), described);
        // A device no operator touched has neither field, not empty ones.
        assert.deepEqual(loaded.get('dev-b'), plain);
        assert.equal('description' in (loaded.get('dev-b') ?? {}), false);
        assert.equal('operatorFields' in (loaded.get('dev-b') ?? {}), false);
        // Clearing them is a replace like any other.
        await store.saveDevice(device('dev-a'));
        assert.deepEqual((await store.loadDevices()).find((d) => d.id === 'dev-a'), device('dev-a'));
      }));

    it('replaces a device by id and deletes it (deleting an unknown id is harmless)', () =>
      withStore(async (store) => {
        await store.saveDevice(device('dev-a'));
        await store.saveDevice(device('dev-c'));
        const updated = device('dev-a', { status: 'deregistered', dynamicState: { status: 'gone' }, tags: ['x'], lastSeen: T0 + 9 });
        await store.saveDevice(updated);
        assert.deepEqual((await store.loadDevices()).find((d) => d.id === 'dev-a'), updated);
        await store.deleteDevice('dev-c');
        await store.deleteDevice('never-there');
        assert.deepEqual((await store.loadDevices()).map((d) => d.id), ['dev-a']);
      }));

    it('round-trips commands, telling an absent result from a null one', () =>
      withStore(async (store) => {
        const pending = command('c1');
        const done = command('c2', {
          state: 'succeeded', result: null, sentAt: T0 + 1, completedAt: T0 + 2, origin: { transport: 'internal' },
        });
        const failed = command('c3', {
          state: 'failed', error: { code: -32004, message: 'sensor busy', data: { retryInMs: 50 } }, completedAt: T0 + 3,
        });
        const listed = command('c4', { result: [1, 'two', { three: 3 }] });
        for (const c of [pending, done, failed, listed]) await store.saveCommand(c);
        assert.deepEqual(await store.getCommand('c1'), pending);
        assert.equal('result' in ((await store.getCommand('c1')) ?? {}), false);
        assert.deepEqual(await store.getCommand('c2'), done);
        assert.deepEqual(await store.getCommand('c3'), failed);
        assert.deepEqual(await store.getCommand('c4'), listed);
        assert.equal(await store.getCommand('nope'), undefined);
        // The lifecycle rewrites the same record.
        const succeeded = { ...pending, state: 'succeeded', sentAt: T0 + 1, completedAt: T0 + 4, result: { hPa: 1013.25 } } as const;
        await store.saveCommand(succeeded);
        assert.deepEqual(await store.getCommand('c1'), succeeded);
      }));

    it('lists commands newest first with device, state, method, since and limit filters', () =>
      withStore(async (store) => {
        for (let i = 0; i < 105; i++) {
          await store.saveCommand(command(`c${String(i).padStart(3, '0')}`, {
            deviceId: i % 2 === 0 ? 'dev-a' : 'dev-b',
            method: i % 3 === 0 ? 'mcu.reboot' : 'sensor.read',
            state: i % 5 === 0 ? 'timed_out' : 'succeeded',
            createdAt: T0 + Math.floor(i / 2) * 1_000, // pairs share a timestamp: ties break on id, descending
          }));
        }
        const ids = (list: CommandRecord[]): string[] => list.map((c) => c.id);
        const all = await store.listCommands();
        assert.equal(all.length, 100);
        assert.deepEqual(ids(all).slice(0, 3), ['c104', 'c103', 'c102']);
        assert.deepEqual(ids(await store.listCommands({ limit: 2 })), ['c104', 'c103']);
        assert.deepEqual(ids(await store.listCommands({ since: T0 + 51_000 })), ['c104', 'c103', 'c102']);
        const filtered = await store.listCommands({ deviceId: 'dev-b', method: 'mcu.reboot', state: 'timed_out', limit: 500 });
        assert.deepEqual(ids(filtered), ['c075', 'c045', 'c015']);
        assert.deepEqual(await store.listCommands({ deviceId: 'nobody' }), []);
      }));

    it('keeps devices and commands across close and reopen', async () => {
      const first = await fixture.open();
      await first.saveDevice(device('dev-a'));
      await first.saveCommand(command('c1', { result: { ok: true } }));
      await first.close();
      const store = await fixture.reopen();
      try {
        assert.deepEqual(await store.loadDevices(), [device('dev-a')]);
        assert.deepEqual(await store.getCommand('c1'), command('c1', { result: { ok: true } }));
      } finally {
        await store.close();
      }
    });

    it('rejects every operation once closed, and closing twice is harmless', async () => {
      const store = await fixture.open();
      await store.close();
      await store.close();
      await assert.rejects(store.loadDevices(), (e) => isStoreError(e, 'device load failed: '));
      await assert.rejects(store.saveDevice(device('x')), (e) => isStoreError(e, 'device save failed'));
      await assert.rejects(store.deleteDevice('x'), (e) => isStoreError(e, 'device delete failed'));
      await assert.rejects(store.saveCommand(command('x')), (e) => isStoreError(e, 'command save failed'));
      await assert.rejects(store.getCommand('x'), (e) => isStoreError(e, 'command get failed'));
      await assert.rejects(store.listCommands(), (e) => isStoreError(e, 'command list failed: '));
    });
  });
}
