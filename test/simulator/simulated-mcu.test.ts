/** SimulatedMcu against a fake hub: the native protocol messages of docs/protocol.md, every command, reboot, churn. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { deviceIdFor } from '../../src/core/device-id.ts';
import { SchemaValidator } from '../../src/schema/schema-validator.ts';
import { SimulatedMcu, SimulatorError, type SimulatedMcuOptions } from '../../src/simulator/index.ts';
import { FakeHub } from './fake-hub.ts';

const schemas = new SchemaValidator();
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

type Json = Record<string, any>;

describe('SimulatedMcu', () => {
  let hub: FakeHub;
  const started: SimulatedMcu[] = [];

  before(async () => {
    hub = await FakeHub.start();
  });
  after(async () => {
    await Promise.all(started.map((mcu) => mcu.stop()));
    await hub.close();
  });

  async function startMcu(hardwareId: string, options: Partial<SimulatedMcuOptions> = {}): Promise<SimulatedMcu> {
    const mcu = new SimulatedMcu({ hardwareId, board: 'esp32-s3', streamBuilder: hub.streamBuilder, telemetryIntervalMs: 30, heartbeatIntervalMs: 60, zone: 'Zone A', tags: ['greenhouse'], ...options });
    started.push(mcu);
    await mcu.start();
    return mcu;
  }

  function sensorId(mcu: SimulatedMcu, kind: string): string {
    const id = mcu.sensors().find((s) => s.kind === kind)?.sensorId;
    assert.ok(id, `${kind} discovered`);
    return id;
  }

  it('connects as its hardware id with the device.offline will, registers, then discovers each sensor', async () => {
    const hw = 'esp32-proto-1';
    const mcu = await startMcu(hw);
    const connect = hub.connects.find((c) => c.clientId === hw);
    assert.deepEqual(connect?.will, { topic: `llmiot/v1/${hw}/up`, payload: '{"jsonrpc":"2.0","method":"device.offline"}', qos: 1, retain: false });

    await hub.until(() => mcu.sensors().every((s) => s.sensorId !== null));
    const mine = hub.messages.filter((m) => m.clientId === hw).map((m) => m.message);
    const register = mine[0] as Json;
    assert.equal(register['method'], 'device.register', 'registration comes first');
    assert.equal(register['jsonrpc'], '2.0');
    assert.equal(typeof register['id'], 'number', 'a request, with an id');
    assert.equal(register['params'].device_type, 'mcu');
    assert.equal(register['params'].hardware_id, hw);
    assert.equal(register['params'].zone, 'Zone A');
    assert.deepEqual(register['params'].tags, ['greenhouse']);
    schemas.validate('mcu-static', register['params'].static_schema, register['params'].schema_version);
    assert.equal(mcu.deviceId, deviceIdFor(hw));

    const discovers = hub.sent(hw, 'sensor.discover') as Json[];
    assert.deepEqual(discovers.map((d) => d['params'].hardware_id).sort(), [`${hw}/analog:gpio1`, `${hw}/i2c:0x36`, `${hw}/i2c:0x47`]);
    for (const discover of discovers) {
      assert.equal(discover['params'].mcu_id, mcu.deviceId);
      assert.equal(typeof discover['id'], 'number');
      schemas.validate('sensor-static', discover['params'].static_schema, discover['params'].schema_version);
    }
    assert.deepEqual(mcu.sensors().map((s) => s.sensorId).sort(), discovers.map((d) => deviceIdFor(d['params'].hardware_id)).sort());
  });

  it('streams one telemetry.report per interval with every sensor reading, and heartbeats with a valid dynamic_state', async () => {
    const hw = 'esp32-proto-2';
    const mcu = await startMcu(hw);
    await hub.until(() => hub.sent(hw, 'sensor.discover').length === 3 && mcu.sensors().every((s) => s.sensorId !== null));
    const ids = new Set(mcu.sensors().map((s) => s.sensorId));
    const firstFull = await hub.until(() => (hub.sent(hw, 'telemetry.report') as Json[]).find((m) => m['params'].readings.length === 5));
    assert.equal('id' in firstFull, false, 'a notification');
    assert.equal(firstFull['params'].device_id, mcu.deviceId);
    assert.match(firstFull['params'].timestamp, RFC3339);
    const readings = firstFull['params'].readings as Json[];
    assert.deepEqual(readings.map((r) => `${r['measurement_type']}:${r['unit']}`).sort(), ['angle:degrees', 'pressure:hPa', 'rotation_speed:rpm', 'soil_moisture:percent', 'temperature:celsius']);
    for (const reading of readings) {
      assert.ok(ids.has(reading['sensor_id']), 'reading-level sensor_id');
      assert.equal(typeof reading['value'], 'number');
      assert.equal(reading['quality'], 'good');
    }
    // A heartbeat may go out while sensors are still being discovered: take one sent with all three attached.
    const heartbeat = (await hub.until(() =>
      (hub.sent(hw, 'device.heartbeat') as Json[]).find((m) => m['params'].dynamic_state.connected_devices.length === 3),
    )) as Json;
    assert.equal('id' in heartbeat, false);
    const state = heartbeat['params'].dynamic_state;
    schemas.validate('mcu-dynamic', state);
    assert.equal(typeof state.uptime_s, 'number');
    assert.ok(state.resources.free_heap > 100_000 && state.resources.cpu_percent > 0);
    assert.ok(state.network.rssi_dbm < -30 && state.network.rssi_dbm > -95);
    assert.equal(state.connected_devices.length, 3);
  });

  it('retries device.register with backoff when the hub does not answer', async () => {
    hub.behaviour.dropRegisters = 2;
    const hw = 'esp32-retry-1';
    await startMcu(hw, { requestTimeoutMs: 80, retry: { initialMs: 20, maxMs: 100 } });
    const registers = hub.sent(hw, 'device.register');
    // Two dropped, then answered; on a loaded machine the answer may miss its 80 ms too, and the MCU asks once more.
    assert.ok(registers.length >= 3, `at least three attempts, got ${registers.length}`);
    assert.equal(new Set(registers.map((r) => r['id'])).size, registers.length, 'each attempt is a new request');
    assert.equal(started.at(-1)?.stats().errors, registers.length - 1, 'every unanswered attempt counted as a timeout');
  });

  it('fails start() when the hub refuses the registration', async () => {
    hub.behaviour.refuseRegister = { code: -32602, message: 'Invalid params: static_schema is invalid' };
    try {
      const mcu = new SimulatedMcu({ hardwareId: 'esp32-refused', board: 'pico', streamBuilder: hub.streamBuilder });
      await assert.rejects(mcu.start(), (error: unknown) => error instanceof SimulatorError && error.code === 'REGISTER_REJECTED');
      assert.equal(mcu.registered, false);
    } finally {
      delete hub.behaviour.refuseRegister;
    }
  });

  it('answers the MCU commands: status, config, program upload, scripts', async () => {
    const hw = 'esp32-cmd-1';
    await startMcu(hw);
    const status = (await hub.command(hw, 'mcu.get_status')) as Json;
    schemas.validate('mcu-dynamic', status['result']);

    const set = (await hub.command(hw, 'mcu.set_config', { config: { log_level: 'debug', telemetry_interval_ms: 40 } })) as Json;
    assert.equal(set['result'].applied, true);
    assert.equal(set['result'].config.log_level, 'debug');
    assert.deepEqual(((await hub.command(hw, 'mcu.get_config', { keys: ['log_level'] })) as Json)['result'], { config: { log_level: 'debug' } });
    const bad = (await hub.command(hw, 'mcu.set_config', { config: { log_level: 'loud' } })) as Json;
    assert.equal(bad['error'].code, -32602);
    assert.equal(bad['error'].data.issues[0].path, 'config.log_level');

    const program = 'print("hello greenhouse")';
    const checksum = createHash('sha256').update(program).digest('hex');
    const upload = (await hub.command(hw, 'mcu.upload_program', { program, version: '3.0.0', checksum })) as Json;
    assert.deepEqual([upload['result'].accepted, upload['result'].version], [true, '3.0.0']);
    const corrupt = (await hub.command(hw, 'mcu.upload_program', { program, checksum: '00'.repeat(32) })) as Json;
    assert.equal(corrupt['result'].accepted, false);

    const heap = (await hub.command(hw, 'mcu.execute_script', { script: 'import gc; gc.mem_free()' })) as Json;
    assert.equal(heap['result'].exit_code, 0);
    assert.match(heap['result'].output, /^\d+\n$/);
    const scan = (await hub.command(hw, 'mcu.execute_script', { script: 'i2c.scan()' })) as Json;
    assert.equal(scan['result'].output, '[54, 71]\n');
    const failed = (await hub.command(hw, 'mcu.execute_script', { script: 'launch_rockets()' })) as Json;
    assert.equal(failed['error'].code, -32000);
    assert.match(failed['error'].data.output, /NameError: name 'launch_rockets' isn't defined/);
    const lua = (await hub.command(hw, 'mcu.execute_script', { script: 'print(1)', language: 'lua' })) as Json;
    assert.equal(lua['error'].code, -32011);
  });

  it('answers the sensor commands and keeps their state', async () => {
    const hw = 'esp32-cmd-2';
    const mcu = await startMcu(hw);
    await hub.until(() => mcu.sensors().every((s) => s.sensorId !== null));
    const bmp = sensorId(mcu, 'bmp580');
    const angle = sensorId(mcu, 'as5600');
    const soil = sensorId(mcu, 'soil-moisture');

    const read = (await hub.command(hw, 'sensor.read', { sensor_id: bmp })) as Json;
    assert.equal(read['result'].sensor_id, bmp);
    assert.match(read['result'].timestamp, RFC3339);
    assert.deepEqual(read['result'].readings.map((r: Json) => r['measurement_type']), ['temperature', 'pressure']);
    const only = (await hub.command(hw, 'sensor.read', { sensor_id: bmp, measurement_types: ['pressure'] })) as Json;
    assert.deepEqual(only['result'].readings.map((r: Json) => r['measurement_type']), ['pressure']);

    const raw = (await hub.command(hw, 'sensor.read_raw', { sensor_id: angle })) as Json;
    assert.ok(Number.isInteger(raw['result'].raw.raw_angle) && raw['result'].raw.raw_angle < 4096);

    const configured = (await hub.command(hw, 'sensor.configure', { sensor_id: soil, config: { power_mode: 'low_power' } })) as Json;
    assert.equal(configured['result'].config.power_mode, 'low_power');
    const health = (await hub.command(hw, 'sensor.health', { sensor_id: soil })) as Json;
    schemas.validate('sensor-dynamic', health['result']);
    assert.equal(health['result'].power_mode, 'low_power');
    assert.equal(health['result'].configuration.power_mode, 'low_power');
    const wrong = (await hub.command(hw, 'sensor.configure', { sensor_id: bmp, config: { pressure_oversampling: 3 } })) as Json;
    assert.equal(wrong['error'].code, -32602);

    const calibrated = (await hub.command(hw, 'sensor.calibrate', { sensor_id: angle, method: 'zero' })) as Json;
    assert.equal(calibrated['result'].calibration_status, 'calibrated');
    const zpos = ((await hub.command(hw, 'sensor.read_raw', { sensor_id: angle })) as Json)['result'].raw.zpos;
    assert.equal(zpos, calibrated['result'].zero_position);
    const reset = (await hub.command(hw, 'sensor.reset', { sensor_id: angle })) as Json;
    assert.equal(reset['result'].reset, true);
    assert.equal(((await hub.command(hw, 'sensor.read_raw', { sensor_id: angle })) as Json)['result'].raw.zpos, 0);

    assert.deepEqual(((await hub.command(hw, 'sensor.scan_bus', { bus: 'i2c' })) as Json)['result'].devices.map((d: Json) => d['address']), ['0x36', '0x47']);
    assert.deepEqual(((await hub.command(hw, 'sensor.scan_bus', { bus: 'spi' })) as Json)['result'], { devices: [] });
    assert.equal(((await hub.command(hw, 'sensor.scan_bus', { bus: 'usb' })) as Json)['error'].code, -32602);

    assert.equal(((await hub.command(hw, 'sensor.read', { sensor_id: deviceIdFor('nowhere') })) as Json)['error'].code, -32001);
    assert.equal(((await hub.command(hw, 'sensor.read', {})) as Json)['error'].code, -32602);
    const unknown = (await hub.command(hw, 'mcu.self_destruct')) as Json;
    assert.equal(unknown['error'].code, -32601);
    assert.ok(mcu.stats().commandsAnswered >= 15);
  });

  it('answers a batch with an array, and garbage with -32700 / -32600', async () => {
    const hw = 'esp32-batch-1';
    await startMcu(hw);
    await hub.sendRaw(hw, JSON.stringify([{ jsonrpc: '2.0', id: 'b1', method: 'sensor.scan_bus', params: {} }, { jsonrpc: '2.0', id: 'b2', method: 'nope' }]));
    const batch = await hub.until(() => hub.messages.find((m) => m.clientId === hw && m.text.startsWith('[')));
    const replies = JSON.parse(batch.text) as Json[];
    assert.deepEqual(replies.map((r) => r['id']), ['b1', 'b2']);
    assert.equal(replies[1]?.['error'].code, -32601);
    await hub.sendRaw(hw, '{not json');
    const errorCode = (message: Json): unknown => (message['error'] as Json | undefined)?.['code'];
    const parseError = await hub.until(() => hub.messages.find((m) => m.clientId === hw && errorCode(m.message) === -32700));
    assert.equal(parseError.message['id'], null);
    await hub.sendRaw(hw, JSON.stringify({ jsonrpc: '1.0', id: 'x', method: 'mcu.get_status' }));
    await hub.until(() => hub.messages.find((m) => m.clientId === hw && m.message['id'] === 'x' && errorCode(m.message) === -32600));
  });

  it('reboots on mcu.reboot: the broker publishes the will, the MCU comes back after delay_ms and registers again', async () => {
    const hw = 'esp32-reboot-1';
    const mcu = await startMcu(hw);
    const program = 'print("v4")';
    await hub.command(hw, 'mcu.upload_program', { program, version: '4.0.0' });
    const answer = (await hub.command(hw, 'mcu.reboot', { delay_ms: 300 })) as Json;
    assert.deepEqual(answer['result'].rebooting, true);
    const droppedAt = Date.now();
    await hub.until(() => hub.messages.find((m) => m.clientId === hw && m.text === '{"jsonrpc":"2.0","method":"device.offline"}'));
    await hub.until(() => hub.sent(hw, 'device.register').length === 2);
    assert.ok(Date.now() - droppedAt >= 250, 'offline for about delay_ms');
    await hub.until(() => mcu.registered || undefined);
    const status = (await hub.command(hw, 'mcu.get_status')) as Json;
    assert.equal(status['result'].boot_count, 2);
    assert.equal(status['result'].reset_reason, 'software');
    assert.equal(status['result'].firmware_version, '4.0.0', 'the uploaded program runs after the reboot');
    assert.ok(status['result'].uptime_s < 5);
    // After the second registration every sensor is discovered again.
    const mine = hub.messages.filter((m) => m.clientId === hw).map((m) => m.message);
    const secondRegister = mine.findIndex((m, i) => m['method'] === 'device.register' && i > 0);
    await hub.until(() => hub.messages.filter((m) => m.clientId === hw).slice(secondRegister).filter((m) => m.message['method'] === 'sensor.discover').length === 3);
  });

  it('sensors detach (sensor.detached) and re-attach (sensor.discover again, same sensor id)', async () => {
    const hw = 'esp32-churn-1';
    const mcu = await startMcu(hw);
    await hub.until(() => mcu.sensors().every((s) => s.sensorId !== null));
    const bmp = sensorId(mcu, 'bmp580');
    await mcu.detachSensor('bmp580');
    await hub.until(() => hub.sent(hw, 'sensor.detached').length > 0);
    assert.deepEqual(hub.sent(hw, 'sensor.detached').map((m) => m['params']), [{ sensor_id: bmp }]);
    assert.equal(((await hub.command(hw, 'sensor.read', { sensor_id: bmp })) as Json)['error'].code, -32001);
    const count = hub.sent(hw, 'telemetry.report').length;
    const next = (await hub.until(() => hub.sent(hw, 'telemetry.report')[count])) as Json;
    assert.ok(next['params'].readings.every((r: Json) => r['sensor_id'] !== bmp), 'no readings from an unplugged sensor');
    await mcu.attachSensor('bmp580');
    const rediscover = hub.sent(hw, 'sensor.discover').filter((m) => (m['params'] as Json)['hardware_id'] === `${hw}/i2c:0x47`);
    assert.equal(rediscover.length, 2);
    assert.equal(sensorId(mcu, 'bmp580'), bmp);

    const churner = await startMcu('pico-churn-1', { board: 'pico', churn: { meanAttachedMs: 60, meanDetachedMs: 60 }, sensors: ['bmp580', 'soil-moisture'] });
    await hub.until(() => hub.sent('pico-churn-1', 'sensor.detached').length >= 2 && hub.sent('pico-churn-1', 'sensor.discover').length >= 4, 4000);
    assert.equal(churner.sensors().length, 2);
  });

  it('connects by URL too, and announces device.offline on stop', async () => {
    const hw = 'nano-url-1';
    const mcu = new SimulatedMcu({ hardwareId: hw, board: 'nano33', url: hub.url, sensors: ['soil-moisture'], heartbeatIntervalMs: 50 });
    await mcu.start();
    assert.equal(mcu.deviceId, deviceIdFor(hw));
    await hub.until(() => hub.sent(hw, 'device.heartbeat').length > 0);
    await mcu.stop();
    await hub.until(() => hub.sent(hw, 'device.offline').length > 0);
    assert.equal(mcu.registered, false);
  });
});
