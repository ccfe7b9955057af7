// Every generic device method on a Sparkplug edge node (mcu.*) and its devices (sensor.*), through a real
// hub and the simulator's Sparkplug-only edge node; plus 8 reboots in a row that all succeed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DualProtocolDevice } from '../../../src/simulator/index.ts';
import type { HubConfig } from '../../../src/config/options.ts';
import { MOSQUITTO_URL, uniqueSuffix } from '../../support/services.ts';
import { eventually, type TestHub } from '../../support/test-hub.ts';
import { startSparkplugHub } from './host-fixtures.ts';

function describeGeneric(name: string, config: Partial<HubConfig>): void {
describe(`Sparkplug: generic device methods (${name})`, () => {
  let t: TestHub;
  let node: DualProtocolDevice;
  const hardwareId = `spg-${uniqueSuffix()}`;
  const bmp = `${hardwareId}/i2c:0x47`;
  const hostId = `llmiot-test-${uniqueSuffix()}`;

  const bdSeqOf = async (): Promise<number | undefined> => (await t.rpc('device.get', { device_id: hardwareId })).result?.dynamic_state?.sparkplug?.bd_seq;
  const online = async (id: string): Promise<boolean> => (await t.rpc('device.get', { device_id: id })).result?.status === 'online';

  before(async () => {
    t = await startSparkplugHub({ sparkplugHostId: hostId, ...config });
    node = new DualProtocolDevice({
      url: t.mqttUrl,
      hardwareId,
      board: 'esp32-s3',
      sensors: ['bmp580'],
      hostId,
      lwm2m: false,
      telemetryIntervalMs: 100,
      rebootDelayMs: 20,
      connectOptions: { protocolVersion: 4, reconnectPeriod: 50 },
    });
    await node.start();
    await eventually(async () => (await online(bmp)) && (await t.rpc('sensor.read', { sensor_id: bmp })).result?.readings?.length > 0, 10_000, 'node and BMP580 born with values');
  });
  after(async () => {
    await node.stop();
    await t.close();
  });

  it('sensor.read: the host\'s current values, each with its age, in the native result shape', async () => {
    const { result, error } = await t.rpc('sensor.read', { sensor_id: bmp, measurement_types: ['temperature'] });
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(result.source, 'host');
    assert.equal(result.readings.length, 1);
    const [temperature] = result.readings;
    // One name per quantity (docs/measurements.md); the metric name is kept beside it.
    assert.equal(temperature.measurement_type, 'temperature');
    assert.equal(temperature.source_measurement, 'Sensors/temperature');
    assert.equal(temperature.unit, 'Cel');
    assert.equal(temperature.quality, 'good');
    assert.ok(typeof temperature.value === 'number' && temperature.value > -40 && temperature.value < 85);
    assert.ok(Number.isInteger(temperature.age_ms) && temperature.age_ms >= 0 && temperature.age_ms < 5000, `age_ms ${temperature.age_ms}`);
    assert.ok(Date.parse(result.timestamp) > 0);
    const missing = await t.rpc('sensor.read', { sensor_id: bmp, measurement_types: ['humidity'] });
    assert.match(missing.error?.message ?? '', /humidity/);
  });

  it('sensor.read_raw: every metric as the device last reported it', async () => {
    const { result, error } = await t.rpc('sensor.read_raw', { sensor_id: bmp });
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(typeof result.raw['Sensors/pressure'], 'number');
    assert.equal(result.raw['Config/power_mode'], 'normal');
  });

  it('sensor.configure: power_mode → DCMD Config/power_mode, confirmed, full config back; an unknown key is refused naming it', async () => {
    const { result, error } = await t.rpc('sensor.configure', { sensor_id: bmp, config: { power_mode: 'standby' } });
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(result.confirmed, true);
    assert.equal(result.config.power_mode, 'standby');
    assert.ok('output_data_rate' in result.config, 'the whole configuration, as natively');
    const bad = await t.rpc('sensor.configure', { sensor_id: bmp, config: { turbo: true } });
    assert.equal(bad.error?.code, -32011);
    assert.match(bad.error?.message ?? '', /"turbo".*Sparkplug.*Config\/turbo/);
    await t.rpc('sensor.configure', { sensor_id: bmp, config: { power_mode: 'normal' } });
  });

  it('sensor.calibrate: DCMD Device Control/Calibrate', async () => {
    const { result, error } = await t.rpc('sensor.calibrate', { sensor_id: bmp });
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(result.calibration_status, 'requested');
    assert.equal(result.sensor_id, (await t.rpc('device.get', { device_id: bmp })).result.device_id);
  });

  it('sensor.reset: DCMD Device Control/Reset; the device reports its default configuration', async () => {
    await t.rpc('sensor.configure', { sensor_id: bmp, config: { power_mode: 'forced' } });
    const { result, error } = await t.rpc('sensor.reset', { sensor_id: bmp });
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(result.reset, true);
    await eventually(async () => (await t.rpc('sensor.health', { sensor_id: bmp })).result?.configuration?.power_mode === 'normal', 5000, 'power_mode back to normal');
  });

  it('sensor.health: online, live metrics, configuration and power mode', async () => {
    const { result, error } = await t.rpc('sensor.health', { sensor_id: bmp });
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(result.health.status, 'ok');
    assert.equal(result.health.diagnostics.online, true);
    assert.equal(result.health.diagnostics.metrics, 'live');
    assert.ok(result.health.diagnostics.last_message_age_ms < 5000);
    assert.equal(result.power_mode, 'normal');
    // Canonical like sensor.read's readings, the metric name beside it.
    assert.ok(result.readings.some((r: { measurement_type: string; source_measurement: string }) => r.measurement_type === 'pressure' && r.source_measurement === 'Sensors/pressure'), JSON.stringify(result.readings));
  });

  it('mcu.get_status: online, bdSeq, seq, birth time, metric count, last message age, devices', async () => {
    const { result, error } = await t.rpc('mcu.get_status', { mcu_id: hardwareId });
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(result.status, 'online');
    const sp = result.sparkplug;
    assert.equal(sp.online, true);
    assert.equal(sp.bd_seq, node.stats().bdSeq);
    assert.ok(sp.seq >= 0 && sp.seq <= 255);
    assert.ok(Date.parse(sp.birth_time) > 0);
    assert.ok(sp.metric_count > 10);
    assert.ok(sp.last_message_age_ms >= 0 && sp.last_message_age_ms < 5000);
    assert.deepEqual(result.connected_devices.map((d: { hardware_id: string }) => d.hardware_id), [bmp]);
  });

  it('mcu.get_config: the node\'s Config/* metrics by key', async () => {
    const { result, error } = await t.rpc('mcu.get_config', { mcu_id: hardwareId });
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(result.config.telemetry_interval_ms, 100);
    assert.ok('lwm2m_interval_ms' in result.config);
    const some = await t.rpc('mcu.get_config', { mcu_id: hardwareId, keys: ['telemetry_interval_ms', 'nope'] });
    assert.deepEqual(some.result, { config: { telemetry_interval_ms: 100 } });
  });

  it('mcu.set_config: NCMD Config/telemetry_interval_ms, applied once the node reports it', async () => {
    const { result, error } = await t.rpc('mcu.set_config', { mcu_id: hardwareId, config: { telemetry_interval_ms: 120 } });
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(result.applied, true);
    assert.equal(result.config.telemetry_interval_ms, 120);
    assert.deepEqual(result.changed, ['telemetry_interval_ms']);
    const bad = await t.rpc('mcu.set_config', { mcu_id: hardwareId, config: { power_mode: 'low_power' } });
    assert.equal(bad.error?.code, -32011);
    assert.match(bad.error?.message ?? '', /power_mode/);
  });

  it('mcu.reboot: 8 reboots in a row, 8 successes, each followed by a new NBIRTH', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const before = await bdSeqOf();
      const answer = await t.rpc('mcu.reboot', { mcu_id: hardwareId });
      outcomes.push(answer.error === undefined ? 'ok' : `${answer.error.code} ${answer.error.message}`);
      if (answer.error === undefined) assert.deepEqual(answer.result, { rebooting: true, delay_ms: 0, sent: true });
      await eventually(async () => (await bdSeqOf()) !== before && (await online(hardwareId)), 10_000, `rebirth after reboot ${i + 1}`);
    }
    assert.deepEqual(outcomes, Array(8).fill('ok'));
    assert.equal(node.stats().reboots, 8);
  });
});
}

describeGeneric('embedded broker', {});
describeGeneric(`Mosquitto ${MOSQUITTO_URL}`, { mqttUrl: MOSQUITTO_URL });
