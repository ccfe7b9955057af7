import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandChannel } from '../../src/core/command-channel.ts';
import { CommandExecutor } from '../../src/core/command-executor.ts';
import type { CommandRecord } from '../../src/core/command.ts';
import { DeviceRegistry } from '../../src/core/device-registry.ts';
import { EventBus } from '../../src/core/event-bus.ts';
import { HubError } from '../../src/core/errors.ts';
import { MemoryRegistryStore } from '../support/memory-stores.ts';

class FakeChannel implements CommandChannel {
  readonly protocol = 'native';
  sent: { target: string; command: CommandRecord }[] = [];
  supports(): boolean {
    return true;
  }
  async deliver(target: { hardwareId: string }, command: CommandRecord): Promise<void> {
    this.sent.push({ target: target.hardwareId, command });
  }
}

async function setup(timeoutMs = 200) {
  const store = new MemoryRegistryStore();
  const events = new EventBus();
  const registry = new DeviceRegistry({ store, events });
  const mcu = (await registry.register({ hardwareId: 'm', type: 'mcu', parentId: null, staticSchema: {}, schemaVersion: '1.0.0', protocol: 'native' })).device;
  const sensor = (await registry.register({ hardwareId: 'm/i2c:0x47', type: 'sensor', parentId: mcu.id, staticSchema: {}, schemaVersion: '1.0.0', protocol: 'native' })).device;
  const executor = new CommandExecutor({ registry, store, events, defaultTimeoutMs: timeoutMs });
  const channel = new FakeChannel();
  executor.addChannel(channel);
  return { store, registry, executor, channel, mcu, sensor };
}

const origin = { transport: 'internal' as const };

describe('CommandExecutor', () => {
  it('sends a sensor command through its MCU and returns the device answer', async () => {
    const { executor, channel, sensor, store } = await setup();
    const result = executor.execute({ deviceId: sensor.id, method: 'sensor.read', params: { sensor_id: sensor.id }, origin });
    await new Promise((r) => setImmediate(r));
    const sent = channel.sent[0];
    assert.ok(sent);
    assert.equal(sent.target, 'm');
    executor.complete(sent.command.id, { result: { readings: [] } });
    assert.deepEqual(await result, { readings: [] });
    const record = await store.getCommand(sent.command.id);
    assert.equal(record?.state, 'succeeded');
    assert.ok(record?.sentAt !== undefined && record.completedAt !== undefined);
  });

  it('stores a command\'s states in order when the answer arrives while the `sent` save is still on its way', async () => {
    // A pooled store commits concurrent saves in any order: this one commits `sent` only once `succeeded` was handed to it.
    const { executor, channel, mcu, store } = await setup();
    const save = store.saveCommand.bind(store);
    const handed: string[] = [];
    let releaseSent!: () => void;
    const sentHeld = new Promise<void>((resolve) => (releaseSent = resolve));
    store.saveCommand = async (command: CommandRecord) => {
      handed.push(command.state);
      if (command.state === 'sent') await sentHeld;
      await save(command);
    };
    const result = executor.execute({ deviceId: mcu.id, method: 'mcu.get_status', params: {}, origin });
    while (!handed.includes('sent')) await new Promise((r) => setImmediate(r));
    executor.complete(channel.sent[0]!.command.id, { result: { uptime_s: 1 } });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(handed, ['pending', 'sent'], 'the succeeded save waits for the sent save');
    releaseSent();
    assert.deepEqual(await result, { uptime_s: 1 });
    assert.deepEqual(handed, ['pending', 'sent', 'succeeded']);
    assert.equal((await store.getCommand(channel.sent[0]!.command.id))?.state, 'succeeded');
  });

  it('ends an unanswered command timed_out with COMMAND_TIMEOUT', async () => {
    const { executor, mcu, store } = await setup(50);
    await assert.rejects(
      executor.execute({ deviceId: mcu.id, method: 'mcu.get_status', params: {}, origin }),
      (e: unknown) => e instanceof HubError && e.code === 'COMMAND_TIMEOUT',
    );
    const [record] = await store.listCommands();
    assert.equal(record?.state, 'timed_out');
  });

  it('fails pending commands at once when the device disconnects', async () => {
    const { executor, mcu, sensor, channel } = await setup(10_000);
    const a = executor.execute({ deviceId: mcu.id, method: 'mcu.get_status', params: {}, origin });
    const b = executor.execute({ deviceId: sensor.id, method: 'sensor.read', params: {}, origin });
    await new Promise((r) => setImmediate(r));
    assert.equal(channel.sent.length, 2);
    assert.equal(executor.failPendingFor(mcu.id, 'connection lost'), 2);
    for (const p of [a, b]) await assert.rejects(p, (e: unknown) => e instanceof HubError && e.code === 'DEVICE_DISCONNECTED');
    assert.equal(executor.pendingCount, 0);
  });

  it('fails fast for an offline device without sending', async () => {
    const { executor, registry, mcu, channel } = await setup();
    registry.setStatus(mcu.id, 'offline');
    await assert.rejects(executor.execute({ deviceId: mcu.id, method: 'mcu.reboot', params: {}, origin }), (e: unknown) => e instanceof HubError && e.code === 'DEVICE_OFFLINE');
    assert.equal(channel.sent.length, 0);
  });

  it('keeps a device error as DEVICE_ERROR with the device payload', async () => {
    const { executor, mcu, channel } = await setup();
    const p = executor.execute({ deviceId: mcu.id, method: 'mcu.execute_script', params: {}, origin });
    await new Promise((r) => setImmediate(r));
    executor.complete((channel.sent[0] as { command: CommandRecord }).command.id, { error: { code: -32601, message: 'Method not found' } });
    await assert.rejects(p, (e: unknown) => e instanceof HubError && e.code === 'DEVICE_ERROR' && JSON.stringify(e.data).includes('Method not found'));
  });

  it('returns a command id at once for async submission, and wait() gives the outcome', async () => {
    const { executor, mcu, channel } = await setup();
    const record = await executor.submit({ deviceId: mcu.id, method: 'mcu.reboot', params: {}, origin });
    assert.equal(record.state, 'sent');
    executor.complete(record.id, { result: { rebooting: true } });
    const done = await executor.wait(record.id);
    assert.equal(done.state, 'succeeded');
    assert.equal(channel.sent.length, 1);
    await assert.rejects(executor.wait('nope'), (e: unknown) => e instanceof HubError && e.code === 'COMMAND_NOT_FOUND');
  });
});
