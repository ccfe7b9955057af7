import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandChannel } from '../../src/core/command-channel.ts';
import { CommandExecutor } from '../../src/core/command-executor.ts';
import type { CommandRecord } from '../../src/core/command.ts';
import { CoreIngress, type RefusedAnswer } from '../../src/core/device-ingress.ts';
import { DeviceRegistry } from '../../src/core/device-registry.ts';
import { EventBus } from '../../src/core/event-bus.ts';
import { HubError } from '../../src/core/errors.ts';
import type { TelemetryPoint } from '../../src/core/telemetry.ts';
import { SchemaValidator } from '../../src/schema/schema-validator.ts';
import { MemoryRegistryStore } from '../support/memory-stores.ts';

class RecordingChannel implements CommandChannel {
  readonly protocol = 'native';
  readonly sent: CommandRecord[] = [];
  supports(): boolean {
    return true;
  }
  async deliver(_target: unknown, command: CommandRecord): Promise<void> {
    this.sent.push(command);
  }
}

const origin = { transport: 'internal' as const };
const MCU = { manufacturer: 'Raspberry Pi', model: 'Pico W' };
const SENSOR = { manufacturer: 'Bosch', model: 'BMP580' };

function setup() {
  const store = new MemoryRegistryStore();
  const events = new EventBus();
  const registry = new DeviceRegistry({ store, events });
  const executor = new CommandExecutor({ registry, store, events, defaultTimeoutMs: 5_000 });
  const channel = new RecordingChannel();
  executor.addChannel(channel);
  const submitted: TelemetryPoint[][] = [];
  const pipeline = {
    submit: (points: readonly TelemetryPoint[]) => {
      submitted.push([...points]);
      return Promise.resolve();
    },
  };
  const refused: RefusedAnswer[] = [];
  const ingress = new CoreIngress({ registry, schemas: new SchemaValidator(), executor, pipeline, onRefusedAnswer: (r) => refused.push(r) });
  const updates: CommandRecord[] = [];
  events.on('command.updated', ({ command }) => updates.push(command));
  return { registry, executor, channel, ingress, submitted, refused, updates, store };
}

async function fleet(t: ReturnType<typeof setup>) {
  const mcu = (await t.ingress.announce({ hardwareId: 'pico-1', type: 'mcu', parentId: null, staticSchema: MCU, protocol: 'native' })).device;
  const sensor = (await t.ingress.announce({ hardwareId: 'pico-1/i2c:0x47', type: 'sensor', parentId: mcu.id, staticSchema: SENSOR, protocol: 'native' })).device;
  const other = (await t.ingress.announce({ hardwareId: 'pico-2', type: 'mcu', parentId: null, staticSchema: MCU, protocol: 'native' })).device;
  return { mcu, sensor, other };
}

const isCode = (code: string) => (e: unknown) => e instanceof HubError && e.code === code;

describe('DeviceIngress: announce', () => {
  it('registers nothing when the static schema is invalid, and says which field', async () => {
    const t = setup();
    assert.throws(
      () => t.ingress.announce({ hardwareId: 'bad', type: 'mcu', parentId: null, staticSchema: { manufacturer: 'X' }, protocol: 'lwm2m' }),
      (e: unknown) => isCode('INVALID_PARAMS')(e) && JSON.stringify((e as HubError).data).includes('/static_schema'),
    );
    assert.equal(t.registry.size, 0);
  });

  it('refuses an unknown schema major with SCHEMA_VERSION_UNSUPPORTED and an invalid dynamic state, registering nothing', async () => {
    const t = setup();
    assert.throws(() => t.ingress.announce({ hardwareId: 'v9', type: 'mcu', parentId: null, staticSchema: MCU, schemaVersion: '9.0.0', protocol: 'native' }), isCode('SCHEMA_VERSION_UNSUPPORTED'));
    assert.throws(
      () => t.ingress.announce({ hardwareId: 'dyn', type: 'mcu', parentId: null, staticSchema: MCU, dynamicState: { uptime_s: 'long' }, protocol: 'native' }),
      (e: unknown) => isCode('INVALID_PARAMS')(e) && JSON.stringify((e as HubError).data).includes('/dynamic_state'),
    );
    assert.equal(t.registry.size, 0);
  });

  it('refuses a sensor without an MCU, or attached to a sensor', async () => {
    const t = setup();
    const { sensor } = await fleet(t);
    assert.throws(() => t.ingress.announce({ hardwareId: 's', type: 'sensor', parentId: null, staticSchema: SENSOR, protocol: 'native' }), isCode('INVALID_PARAMS'));
    assert.throws(() => t.ingress.announce({ hardwareId: 's', type: 'sensor', parentId: sensor.id, staticSchema: SENSOR, protocol: 'native' }), isCode('INVALID_PARAMS'));
    assert.equal(t.registry.getByHardwareId('s'), undefined);
  });

  it('merges what a second protocol announces into the same device, and skips an unchanged re-announcement', async () => {
    const t = setup();
    const { mcu } = await fleet(t);
    const again = await t.ingress.announce({ hardwareId: 'pico-1', type: 'mcu', parentId: null, staticSchema: { ...MCU, lwm2m: { endpoint: 'pico-1' } }, protocol: 'lwm2m' });
    assert.equal(again.device.id, mcu.id);
    assert.equal(again.created, false);
    assert.deepEqual(again.device.protocols, ['native', 'lwm2m']);
    assert.deepEqual(again.device.staticSchema['lwm2m'], { endpoint: 'pico-1' });
    const same = await t.ingress.announce({ hardwareId: 'pico-1', type: 'mcu', parentId: null, staticSchema: { ...MCU, lwm2m: { endpoint: 'pico-1' } }, protocol: 'lwm2m', onlyIfChanged: true });
    assert.equal(same.changed, false);
    const changed = await t.ingress.announce({ hardwareId: 'pico-1', type: 'mcu', parentId: null, staticSchema: { ...MCU, lwm2m: { endpoint: 'pico-1', lifetime_s: 60 } }, protocol: 'lwm2m', onlyIfChanged: true });
    assert.equal(changed.changed, true);
  });
});

describe('DeviceIngress: seen and report', () => {
  it('brings an offline device back online; an invalid state is refused and not merged', async () => {
    const t = setup();
    const { mcu } = await fleet(t);
    t.registry.setStatus(mcu.id, 'offline');
    t.ingress.seen(mcu.id, { document: { uptime_s: 12 } });
    assert.equal(t.registry.get(mcu.id)?.status, 'online');
    assert.equal(t.registry.get(mcu.id)?.dynamicState['uptime_s'], 12);
    assert.throws(() => t.ingress.seen(mcu.id, { document: { uptime_s: 'x' }, pathPrefix: '/dynamic_state' }), isCode('INVALID_PARAMS'));
    assert.equal(t.registry.get(mcu.id)?.dynamicState['uptime_s'], 12);
  });

  it('submits reported points and marks every reporting device seen', async () => {
    const t = setup();
    const { mcu, sensor } = await fleet(t);
    t.ingress.disconnected(mcu.id, 'test');
    assert.equal(t.registry.get(sensor.id)?.status, 'offline');
    const points: TelemetryPoint[] = [{ deviceId: sensor.id, measurement: 'temperature', ts: 1, value: 21.5, unit: 'Cel' }];
    await t.ingress.report(points);
    assert.deepEqual(t.submitted, [points]);
    assert.equal(t.registry.get(sensor.id)?.status, 'online');
  });
});

describe('DeviceIngress: disconnected', () => {
  it('takes the MCU and its sensors offline and fails their pending commands, once', async () => {
    const t = setup();
    const { mcu, sensor, other } = await fleet(t);
    const onMcu = await t.executor.submit({ deviceId: mcu.id, method: 'mcu.get_status', params: {}, origin });
    const onSensor = await t.executor.submit({ deviceId: sensor.id, method: 'sensor.read', params: {}, origin });
    const elsewhere = await t.executor.submit({ deviceId: other.id, method: 'mcu.get_status', params: {}, origin });
    assert.equal(t.ingress.disconnected(mcu.id, 'connection lost'), 2);
    assert.equal(t.registry.get(mcu.id)?.status, 'offline');
    assert.equal(t.registry.get(sensor.id)?.status, 'offline');
    for (const id of [onMcu.id, onSensor.id]) {
      const done = await t.executor.wait(id);
      assert.equal(done.state, 'failed');
      assert.match(done.error?.message ?? '', /disconnected: connection lost/);
    }
    // Reported again (a Will after the presence event, an expired lifetime): nothing fails twice.
    assert.equal(t.ingress.disconnected(mcu.id, 'device sent device.offline'), 0);
    assert.equal(t.updates.filter((c) => c.state === 'failed').length, 2);
    assert.equal(t.executor.pendingRoute(elsewhere.id)?.targetId, other.id);
  });

  it('marks a rebirth stale without failing commands, so the re-announcement can still answer them', async () => {
    const t = setup();
    const { mcu, sensor } = await fleet(t);
    const pending = await t.executor.submit({ deviceId: sensor.id, method: 'sensor.configure', params: {}, origin });
    t.ingress.stale(sensor.id, { document: { status: 'inactive' } });
    assert.equal(t.registry.get(sensor.id)?.status, 'offline');
    assert.equal(t.ingress.completed(pending.id, mcu.id, { result: { ok: true } }), 'completed');
    assert.equal((await t.executor.wait(pending.id)).state, 'succeeded');
  });
});

describe('DeviceIngress: completed', () => {
  it('takes an answer from the target MCU for its sensor, and from the device itself', async () => {
    const t = setup();
    const { mcu, sensor } = await fleet(t);
    const read = await t.executor.submit({ deviceId: sensor.id, method: 'sensor.read', params: {}, origin });
    assert.equal(t.ingress.completed(read.id, mcu.id, { result: { readings: [] } }), 'completed');
    const status = await t.executor.submit({ deviceId: mcu.id, method: 'mcu.get_status', params: {}, origin });
    assert.equal(t.ingress.completed(status.id, mcu.id, { error: { code: -32000, message: 'busy' } }), 'completed');
    assert.equal((await t.executor.wait(status.id)).state, 'failed');
    assert.equal(t.ingress.completed(status.id, mcu.id, { result: {} }), 'unknown');
  });

  it('refuses a forged answer from a device that is not the target, counts it, and keeps the command waiting', async () => {
    const t = setup();
    const { mcu, sensor, other } = await fleet(t);
    const reboot = await t.executor.submit({ deviceId: mcu.id, method: 'mcu.reboot', params: {}, origin });
    assert.equal(t.ingress.completed(reboot.id, other.id, { result: { rebooting: true } }), 'refused');
    assert.deepEqual(t.refused, [{ commandId: reboot.id, from: other.id, deviceId: mcu.id, targetId: mcu.id }]);
    assert.equal(t.ingress.refusedAnswers, 1);
    assert.equal(t.executor.pendingRoute(reboot.id)?.deviceId, mcu.id);
    // A sensor cannot answer for its MCU either.
    assert.equal(t.ingress.completed(reboot.id, sensor.id, { result: {} }), 'refused');
    assert.equal(t.ingress.completed(reboot.id, mcu.id, { result: { rebooting: true } }), 'completed');
    assert.deepEqual((await t.executor.wait(reboot.id)).result, { rebooting: true });
  });
});

describe('DeviceIngress: removed', () => {
  it('deregisters the device with its attached devices and fails what waited on them', async () => {
    const t = setup();
    const { mcu, sensor } = await fleet(t);
    const pending = await t.executor.submit({ deviceId: sensor.id, method: 'sensor.read', params: {}, origin });
    await t.ingress.removed(mcu.id);
    assert.equal(t.registry.get(mcu.id)?.status, 'deregistered');
    assert.equal(t.registry.get(sensor.id)?.status, 'deregistered');
    assert.equal((await t.executor.wait(pending.id)).state, 'failed');
  });
});
