/**
 * Every generic device method on a LwM2M device (docs/generic-methods.md, LwM2M column): a simulated
 * dual-protocol board registers over LwM2M with IPSO 3303 Temperature, 3323 Pressure and 3304 Humidity
 * instances, and the hub's sensor.* / mcu.* methods run on it as LwM2M Read / Write / Execute.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { DualProtocolDevice } from '../../../src/simulator/index.ts';
import { uniqueSuffix } from '../../support/services.ts';
import { eventually, startTestHub, type TestHub } from '../../support/test-hub.ts';

describe('generic methods on a LwM2M device', () => {
  let t: TestHub;
  let device: DualProtocolDevice;
  const hostId = `llm-iot-gm-${uniqueSuffix()}`;
  const hw = `lwgm-${uniqueSuffix()}`;
  const temperature = `${hw}/lwm2m:3303/0`;
  const pressure = `${hw}/lwm2m:3323/0`;

  before(async () => {
    t = await startTestHub({ sparkplugHostId: hostId });
    device = new DualProtocolDevice({
      url: t.mqttUrl,
      hardwareId: hw,
      board: 'esp32-s3',
      sensors: ['bmp580', 'soil-moisture'],
      hostId,
      lwm2mPressureObject: 3323,
      telemetryIntervalMs: 60_000,
      lwm2mIntervalMs: 300,
      rebootDelayMs: 100,
      connectOptions: { protocolVersion: 4 },
    });
    await device.start();
    await eventually(async () => (await t.rpc('device.get', { device_id: pressure })).result?.status === 'online', 5000, 'IPSO devices registered');
  });
  after(async () => {
    await device.stop();
    await t.close();
  });

  const ok = async (method: string, params: Record<string, unknown>): Promise<any> => {
    const answer = await t.rpc(method, params);
    assert.equal(answer.error, undefined, `${method}: ${JSON.stringify(answer.error)}`);
    return answer.result;
  };

  it('sensor.read reads the IPSO instance: 5700 as the measurement with its 5701 unit, 5601/5602 as min/max', async () => {
    const result = await ok('sensor.read', { sensor_id: temperature });
    assert.equal(result.source, 'device');
    const reading = result.readings.find((r: any) => r.measurement_type === 'temperature');
    assert.equal(typeof reading.value, 'number');
    assert.equal(reading.unit, 'Cel');
    assert.ok(result.readings.some((r: any) => r.measurement_type === 'min_measured_value'));
    const only = await ok('sensor.read', { sensor_id: temperature, measurement_types: ['temperature'] });
    assert.deepEqual(only.readings.map((r: any) => r.measurement_type), ['temperature']);
    const stored = await eventually(async () => {
      const q = await t.rpc('data.query', { device_ids: [temperature], measurement_types: ['temperature'], aggregation: 'count', time_range: { last: '1h' } });
      return q.result?.series?.[0]?.points?.[0]?.value >= 1 ? q.result.series[0] : undefined;
    }, 5000, 'the reading stored');
    assert.ok(stored);
  });

  it('sensor.read_raw answers every resource value of the instance, by path', async () => {
    const result = await ok('sensor.read_raw', { sensor_id: temperature });
    assert.equal(typeof result.raw['/3303/0/5700'], 'number');
    assert.equal(result.raw['/3303/0/5701'], 'Cel');
    assert.equal(result.raw['/3303/0/5603'], -40);
    assert.equal(result.lwm2m.path, '/3303/0');
  });

  it('sensor.configure writes writable resources by name and refuses unknown keys, naming them', async () => {
    const result = await ok('sensor.configure', { sensor_id: temperature, config: { application_type: 'north bench' } });
    assert.deepEqual(result.config, { application_type: 'north bench' });
    const byId = await ok('sensor.configure', { sensor_id: temperature, config: { 5750: 'south bench' } });
    assert.equal(byId.config.application_type, 'south bench');
    const refused = await t.rpc('sensor.configure', { sensor_id: temperature, config: { power_mode: 'low_power' } });
    assert.equal(refused.error?.code, -32004, JSON.stringify(refused));
    assert.equal(refused.error.data.device_error.code, -32602);
    assert.deepEqual(refused.error.data.device_error.data.issues.map((i: any) => i.path), ['/config/power_mode']);
    assert.match(refused.error.message, /unknown config key "power_mode".*LwM2M; writable keys: application_type/);
  });

  it('sensor.calibrate writes 5821 Current Calibration where the object defines it, and says why not elsewhere', async () => {
    const result = await ok('sensor.calibrate', { sensor_id: pressure, reference: 1.5 });
    assert.equal(result.calibration_status, 'calibrated');
    assert.equal(result.method, 'current_calibration');
    assert.deepEqual(result.offsets, { current_calibration: 1.5 });
    const refused = await t.rpc('sensor.calibrate', { sensor_id: temperature, reference: 20 });
    assert.equal(refused.error?.code, -32011, JSON.stringify(refused));
    assert.match(refused.error.message, /not possible over LwM2M on \/3303\/0: object 3303 Temperature defines no calibration resource.*5821 Current Calibration/);
  });

  it('sensor.reset executes 5605 Reset Min and Max Measured Values', async () => {
    const result = await ok('sensor.reset', { sensor_id: temperature });
    assert.equal(result.reset, true);
    assert.deepEqual(result.resets, ['min_measured_value', 'max_measured_value']);
    assert.deepEqual(result.lwm2m, { path: '/3303/0/5605', code: '2.04' });
    assert.equal(result.config.application_type, 'south bench');
  });

  it('sensor.health reports the instance values with the registration state', async () => {
    const result = await ok('sensor.health', { sensor_id: pressure });
    assert.equal(result.health.status, 'ok');
    const d = result.health.diagnostics;
    assert.equal(d.lwm2m_path, '/3323/0');
    assert.equal(d.registered, true);
    assert.equal(d.lifetime_s, 3600);
    assert.equal(typeof d.last_update_age_s, 'number');
    assert.equal(d.value_in_range, true);
    assert.ok(result.readings.some((r: any) => r.measurement_type === 'pressure'));
    assert.deepEqual(result.calibration, { status: 'calibrated', method: 'current_calibration', offsets: { current_calibration: 1.5 } });
  });

  it('mcu.get_status reads /3/0 and adds the registration and the attached IPSO devices', async () => {
    const result = await ok('mcu.get_status', { mcu_id: hw });
    assert.equal(result.status, 'online');
    assert.equal(typeof result.firmware_version, 'string');
    assert.equal(typeof result.resources.free_heap, 'number');
    assert.equal(result.lwm2m.registration.lifetime_s, 3600);
    assert.equal(result.lwm2m.registration.binding, 'UQ');
    const sensor = (await t.rpc('device.get', { device_id: temperature })).result;
    assert.ok(result.connected_devices.some((c: any) => c.hardware_id === temperature && c.sensor_id === sensor.device_id));
  });

  it('mcu.get_config reads /1/x and /3/0 writable resources by name', async () => {
    const result = await ok('mcu.get_config', { mcu_id: hw });
    assert.equal(result.config.lifetime, 3600);
    assert.equal(result.config.binding, 'UQ');
    assert.equal(result.config.timezone, 'Etc/UTC');
    assert.deepEqual((await ok('mcu.get_config', { mcu_id: hw, keys: ['lifetime'] })).config, { lifetime: 3600 });
    // A key that is no LwM2M resource: the LwM2M channel declines, this dual device's Sparkplug host answers.
    const sparkplug = await ok('mcu.get_config', { mcu_id: hw, keys: ['telemetry_interval_ms'] });
    assert.deepEqual(sparkplug.config, { telemetry_interval_ms: 60_000 });
  });

  it('mcu.set_config writes /1/x Lifetime and /3/0 Timezone; the device re-registers with the new lifetime', async () => {
    const result = await ok('mcu.set_config', { mcu_id: hw, config: { lifetime: 600, timezone: 'Europe/Paris' } });
    assert.equal(result.applied, true);
    assert.equal(result.config.lifetime, 600);
    assert.equal(result.config.timezone, 'Europe/Paris');
    assert.deepEqual([...result.changed].sort(), ['lifetime', 'timezone']);
    await eventually(async () => (await t.rpc('device.get', { device_id: hw })).result?.static_schema?.lwm2m?.lifetime_s === 600, 5000, 'Update with lifetime 600');
  });

  it('mcu.reboot executes /3/0/4; a delay is refused as something LwM2M cannot carry', async () => {
    const refused = await t.rpc('mcu.reboot', { mcu_id: hw, delay_ms: 1000 });
    assert.equal(refused.error?.code, -32011, JSON.stringify(refused));
    assert.match(refused.error.message, /not possible over LwM2M: Execute \/3\/0\/4/);
    const rebooting = once(device, 'rebooting');
    const back = once(device, 'registered');
    const result = await ok('mcu.reboot', { mcu_id: hw });
    assert.equal(result.rebooting, true);
    assert.equal(result.path, '/3/0/4');
    await rebooting;
    await back;
    assert.equal(device.stats().reboots, 1);
  });
});
