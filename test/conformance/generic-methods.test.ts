/**
 * Cross-protocol conformance: every cell of the method × protocol table in docs/generic-methods.md, run
 * against one real hub (embedded broker) with the simulator's native MCU, LwM2M-only, Sparkplug-only and
 * dual-protocol devices; then the fleet scenarios (data.query, device.list filters, batch.execute) across
 * the four kinds.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DualProtocolDevice, SimulatedMcu } from '../../src/simulator/index.ts';
import { uniqueSuffix } from '../support/services.ts';
import { eventually, startTestHub, type TestHub } from '../support/test-hub.ts';
import { MATRIX_KINDS, MATRIX_METHODS, parseMatrix, type DualPart, type MatrixKind, type Verdict } from './method-matrix.ts';

type Json = Record<string, any>;

const matrix = parseMatrix(readFileSync(new URL('../../docs/generic-methods.md', import.meta.url), 'utf8'));
const suffix = uniqueSuffix();
const hostId = `llmiot-conf-${suffix}`;

/** The protocol a sensor target speaks: what its config keys and gap messages are about. */
type SensorProtocol = 'native' | 'LwM2M' | 'Sparkplug';

interface Kind {
  readonly hardwareId: string;
  readonly zone: string;
  readonly device: SimulatedMcu | DualProtocolDevice;
  /** The temperature sensor(s) the sensor.* cells run on, by protocol. */
  readonly sensors: readonly { readonly hardwareId: string; readonly protocol: SensorProtocol; readonly part?: DualPart }[];
  /** The protocol the mcu.* calls travel over (a gap message names it). */
  readonly mcuProtocol: SensorProtocol;
  /** A config key the MCU offers over that protocol, and a value to set. */
  readonly mcuConfig: readonly [string, number];
  /** Session counters of the simulator (LwM2M registrations, NBIRTHs, native reboots): each grows with a new session. */
  marks(): number[];
  /** The simulator is in session (registered, born). */
  inSession(): boolean;
}

let t: TestHub;
const kinds = new Map<MatrixKind, Kind>();

function makeKinds(url: string): void {
  const common = { url, board: 'esp32-s3', hostId, telemetryIntervalMs: 200, lwm2mIntervalMs: 300, rebootDelayMs: 20, connectOptions: { protocolVersion: 4 as const, reconnectPeriod: 50 } };
  const nativeHw = `cnat-${suffix}`;
  const native = new SimulatedMcu({ url, hardwareId: nativeHw, board: 'esp32-s3', zone: 'Zone A', telemetryIntervalMs: 200, heartbeatIntervalMs: 1000, connectOptions: { protocolVersion: 4 } });
  kinds.set('native', {
    hardwareId: nativeHw, zone: 'Zone A', device: native, mcuProtocol: 'native', mcuConfig: ['telemetry_interval_ms', 250],
    sensors: [{ hardwareId: `${nativeHw}/i2c:0x47`, protocol: 'native' }],
    marks: () => [native.stats().reboots],
    inSession: () => native.stats().registered,
  });
  const lwHw = `clw-${suffix}`;
  // zone is dropped on a LwM2M-only device (it travels as the NBIRTH metric Properties/Zone); set over device.update below.
  const lw = new DualProtocolDevice({ ...common, hardwareId: lwHw, sparkplug: false });
  kinds.set('LwM2M', {
    hardwareId: lwHw, zone: 'Zone B', device: lw, mcuProtocol: 'LwM2M', mcuConfig: ['lifetime', 3000],
    sensors: [{ hardwareId: `${lwHw}/lwm2m:3303/0`, protocol: 'LwM2M' }],
    marks: () => [lw.stats().lwm2m.registrations],
    inSession: () => lw.stats().registered,
  });
  const spHw = `csp-${suffix}`;
  const sp = new DualProtocolDevice({ ...common, hardwareId: spHw, zone: 'Zone C', lwm2m: false });
  kinds.set('Sparkplug', {
    hardwareId: spHw, zone: 'Zone C', device: sp, mcuProtocol: 'Sparkplug', mcuConfig: ['telemetry_interval_ms', 250],
    sensors: [{ hardwareId: `${spHw}/i2c:0x47`, protocol: 'Sparkplug' }],
    marks: () => [sp.stats().sparkplug.births],
    inSession: () => sp.stats().born,
  });
  const duHw = `cdu-${suffix}`;
  const du = new DualProtocolDevice({ ...common, hardwareId: duHw, zone: 'Zone D' });
  kinds.set('dual', {
    hardwareId: duHw, zone: 'Zone D', device: du, mcuProtocol: 'LwM2M', mcuConfig: ['lifetime', 3000],
    sensors: [
      { hardwareId: `${duHw}/i2c:0x47`, protocol: 'Sparkplug', part: 'Sparkplug' },
      { hardwareId: `${duHw}/lwm2m:3303/0`, protocol: 'LwM2M', part: 'LwM2M' },
    ],
    marks: () => [du.stats().lwm2m.registrations, du.stats().sparkplug.births],
    inSession: () => du.stats().registered && du.stats().born,
  });
}

function kind(name: MatrixKind): Kind {
  const found = kinds.get(name);
  assert.ok(found, `kind ${name}`);
  return found;
}

const get = async (id: string): Promise<Json | undefined> => (await t.rpc('device.get', { device_id: id })).result;
const deviceId = async (hardwareId: string): Promise<string> => (await eventually(() => get(hardwareId), 5000, hardwareId)).device_id;

/** Every sensor and MCU online, and each sensor's temperature readable (a Sparkplug device has reported one). */
async function ready(k: Kind): Promise<void> {
  await eventually(async () => (await get(k.hardwareId))?.status === 'online', 10_000, `${k.hardwareId} online`);
  for (const s of k.sensors) {
    await eventually(async () => (await t.rpc('sensor.read', { sensor_id: s.hardwareId, measurement_types: ['temperature'] })).result?.readings?.length > 0, 10_000, `${s.hardwareId} readable`);
  }
}

// A LwM2M instance's model is the part its 5750 Application Type names: a new text keeps naming it.
const sensorConfig = (protocol: SensorProtocol): [string, string] => (protocol === 'LwM2M' ? ['application_type', `bench ${suffix} (BMP580 @ i2c:0x47)`] : ['power_mode', 'forced']);

async function currentTemperature(sensorHw: string): Promise<number> {
  const { result } = await t.rpc('sensor.read', { sensor_id: sensorHw, measurement_types: ['temperature'] });
  const value = result?.readings?.[0]?.value;
  assert.equal(typeof value, 'number', 'a temperature to calibrate against');
  return value;
}

/** Run one `yes` sensor cell and check the result shape a user relies on. */
async function sensorYes(method: string, sensorHw: string, protocol: SensorProtocol): Promise<void> {
  const sensorId = await deviceId(sensorHw);
  const params: Json = { sensor_id: sensorHw };
  const [key, value] = sensorConfig(protocol);
  if (method === 'sensor.configure') params['config'] = { [key]: value };
  // A native BMP580 calibrates against a reference instrument (here: its own current temperature, a zero offset);
  // Sparkplug's Boolean Device Control/Calibrate takes none (see the known limits).
  if (method === 'sensor.calibrate' && protocol === 'native') params['reference'] = { temperature: await currentTemperature(sensorHw) };
  const { result, error } = await t.rpc(method, params);
  assert.equal(error, undefined, `${method} on ${sensorHw}: ${JSON.stringify(error)}`);
  assert.equal(result.sensor_id, sensorId, 'sensor_id is the hub id');
  switch (method) {
    case 'sensor.read': {
      assert.ok(Date.parse(result.timestamp) > 0, 'timestamp');
      assert.ok(Array.isArray(result.readings) && result.readings.length > 0, 'readings[]');
      for (const r of result.readings) {
        assert.equal(typeof r.measurement_type, 'string');
        assert.equal(typeof r.value, 'number', `${r.measurement_type} value`);
      }
      const temperature = result.readings.find((r: Json) => r.measurement_type === 'temperature');
      assert.ok(temperature, `canonical temperature in ${JSON.stringify(result.readings.map((r: Json) => r.measurement_type))}`);
      assert.equal(temperature.unit, 'Cel');
      assert.ok(temperature.value > -40 && temperature.value < 85, `temperature ${temperature.value}`);
      break;
    }
    case 'sensor.read_raw':
      assert.ok(Date.parse(result.timestamp) > 0, 'timestamp');
      assert.ok(Object.keys(result.raw ?? {}).length > 0, 'raw values');
      break;
    case 'sensor.configure':
      assert.equal(result.config?.[key], value, `config back: ${JSON.stringify(result.config)}`);
      break;
    case 'sensor.calibrate':
      assert.ok(['calibrated', 'requested'].includes(result.calibration_status), `calibration_status ${result.calibration_status}`);
      break;
    case 'sensor.reset':
      assert.equal(result.reset, true);
      break;
    case 'sensor.health':
      assert.equal(result.health?.status, 'ok', JSON.stringify(result.health));
      assert.ok(Array.isArray(result.readings) && result.readings.length > 0, 'readings');
      break;
    default:
      assert.fail(`no scenario for ${method}`);
  }
}

/** Run one `yes` MCU cell. mcu.reboot waits for the device to be back in session and online. */
async function mcuYes(method: string, k: Kind): Promise<void> {
  const [key, value] = k.mcuConfig;
  const params: Json = { mcu_id: k.hardwareId };
  if (method === 'mcu.set_config') params['config'] = { [key]: value };
  const marksBefore = k.marks();
  const { result, error } = await t.rpc(method, params);
  assert.equal(error, undefined, `${method} on ${k.hardwareId}: ${JSON.stringify(error)}`);
  switch (method) {
    case 'mcu.get_status':
      assert.equal(result.status, 'online');
      assert.ok(Date.parse(result.timestamp) > 0, 'timestamp');
      break;
    case 'mcu.get_config':
      assert.ok(key in (result.config ?? {}), `${key} in ${JSON.stringify(result.config)}`);
      break;
    case 'mcu.set_config': {
      assert.equal(result.applied, true);
      assert.equal(result.config?.[key], value);
      const { result: read } = await t.rpc('mcu.get_config', { mcu_id: k.hardwareId, keys: [key] });
      assert.equal(read?.config?.[key], value, 'mcu.get_config reads the new value');
      break;
    }
    case 'mcu.reboot':
      assert.equal(result.rebooting, true);
      await eventually(async () => {
        if (!k.marks().every((mark, i) => mark > (marksBefore[i] ?? 0)) || !k.inSession()) return false;
        const hub = await get(k.hardwareId);
        // A Sparkplug node is back for the hub once it holds the new session's bdSeq.
        const bdSeq = hub?.dynamic_state?.sparkplug?.bd_seq;
        const stats = k.device.stats();
        return hub?.status === 'online' && (bdSeq === undefined || ('bdSeq' in stats && bdSeq === stats.bdSeq));
      }, 10_000, `${k.hardwareId} back after reboot`);
      await ready(k);
      break;
    default:
      assert.fail(`no scenario for ${method}`);
  }
}

/** A gap cell: -32011 whose message names the protocol. */
async function gap(method: string, target: Json, protocol: SensorProtocol): Promise<void> {
  const { result, error } = await t.rpc(method, target);
  assert.equal(error?.code, -32011, `${method} ${JSON.stringify(target)} should be a gap, got ${JSON.stringify(error ?? result)}`);
  assert.match(error.message, new RegExp(protocol === 'native' ? 'native' : protocol, 'i'), 'the message names the protocol');
}

async function runCell(method: string, kindName: MatrixKind, verdict: Verdict): Promise<void> {
  const k = kind(kindName);
  if (method.startsWith('mcu.')) {
    if (verdict.verdict === 'yes') await mcuYes(method, k);
    else await gap(method, { mcu_id: k.hardwareId }, k.mcuProtocol);
    return;
  }
  const sensor = k.sensors.find((s) => s.part === verdict.part);
  assert.ok(sensor, `${kindName} has a sensor for ${verdict.part ?? 'its cell'}`);
  if (verdict.verdict === 'yes') await sensorYes(method, sensor.hardwareId, sensor.protocol);
  else await gap(method, { sensor_id: sensor.hardwareId }, sensor.protocol);
}

describe('generic methods × protocols (docs/generic-methods.md)', () => {
  before(async () => {
    t = await startTestHub({ sparkplugHostId: hostId });
    makeKinds(t.mqttUrl);
    await Promise.all([...kinds.values()].map((k) => k.device.start()));
    // An operator places the LwM2M-only device (LwM2M carries no zone); its IPSO instances follow.
    const placed = await t.rpc('device.update', { device_id: kind('LwM2M').hardwareId, zone: 'Zone B' });
    assert.equal(placed.error, undefined, JSON.stringify(placed.error));
    await Promise.all([...kinds.values()].map(ready));
  });
  after(async () => {
    await Promise.all([...kinds.values()].map((k) => k.device.stop()));
    await t?.close();
  });

  it('the table names exactly the 10 generic methods × native, LwM2M, Sparkplug, dual, every cell readable', () => {
    assert.deepEqual(matrix.problems, []);
    assert.deepEqual([...matrix.cells.keys()], [...MATRIX_METHODS]);
    for (const byKind of matrix.cells.values()) assert.deepEqual([...byKind.keys()], [...MATRIX_KINDS]);
  });

  describe('every cell', { concurrency: true }, () => {
    for (const kindName of MATRIX_KINDS) {
      describe(kindName, { concurrency: 1 }, () => {
        // mcu.reboot last: the other cells need the device in session.
        const methods = [...MATRIX_METHODS.filter((m) => m !== 'mcu.reboot'), 'mcu.reboot' as const];
        for (const method of methods) {
          for (const verdict of matrix.cells.get(method)?.get(kindName) ?? []) {
            const label = `${method}: ${verdict.part ? `${verdict.part}: ` : ''}${verdict.verdict === 'yes' ? 'yes' : `gap (${verdict.note})`}`;
            it(label, () => runCell(method, kindName, verdict));
          }
        }
      });
    }
  });

  describe('known limits named in the table', () => {
    it('a dual device carries each mcu.*_config call over the protocol whose keys it names: Config/* over Sparkplug, /1 and /3 over LwM2M', async () => {
      const k = kind('dual');
      const set = await t.rpc('mcu.set_config', { mcu_id: k.hardwareId, config: { telemetry_interval_ms: 250 } });
      assert.equal(set.error, undefined, JSON.stringify(set.error));
      assert.deepEqual([set.result.applied, set.result.written], [true, { 'Config/telemetry_interval_ms': 250 }], 'an NCMD, reported back');
      const sparkplugKeys = await t.rpc('mcu.get_config', { mcu_id: k.hardwareId, keys: ['telemetry_interval_ms'] });
      assert.deepEqual(sparkplugKeys.result?.config, { telemetry_interval_ms: 250 });
      const lwm2mKeys = await t.rpc('mcu.get_config', { mcu_id: k.hardwareId, keys: ['lifetime'] });
      assert.deepEqual(Object.keys(lwm2mKeys.result?.config ?? {}), ['lifetime']);
      // Without keys the first protocol answers (LwM2M): its keys only, as the table says.
      const { result } = await t.rpc('mcu.get_config', { mcu_id: k.hardwareId });
      assert.equal('lifetime' in result.config, true);
      assert.equal('telemetry_interval_ms' in result.config, false);
      // Keys of both protocols in one call: LwM2M declines, Sparkplug refuses the LwM2M key, naming it.
      const mixed = await t.rpc('mcu.set_config', { mcu_id: k.hardwareId, config: { telemetry_interval_ms: 250, lifetime: 3000 } });
      assert.equal(mixed.error?.code, -32011, JSON.stringify(mixed.error));
      assert.match(mixed.error.message, /lifetime/);
    });

    it('an IPSO instance has no power_mode: sensor.configure {power_mode} is refused naming the key', async () => {
      const { error } = await t.rpc('sensor.configure', { sensor_id: kind('LwM2M').sensors[0]?.hardwareId, config: { power_mode: 'low_power' } });
      assert.equal(error?.code, -32004, JSON.stringify(error));
      assert.match(error.message, /unknown config key "power_mode".*LwM2M/);
    });

    it('Sparkplug sensor.calibrate with a reference: a gap naming Sparkplug (Device Control/Calibrate is a Boolean)', async () => {
      await gap('sensor.calibrate', { sensor_id: kind('Sparkplug').sensors[0]?.hardwareId, reference: 20 }, 'Sparkplug');
    });
  });

  describe('the same scenarios over a mixed fleet', () => {
    /** The temperature sensor of each kind (the dual device has two), by hub id. */
    async function temperatureSensors(): Promise<Map<string, string>> {
      const ids = new Map<string, string>();
      for (const [name, k] of kinds) for (const s of k.sensors) ids.set(await deviceId(s.hardwareId), `${name}${s.part ? ` ${s.part}` : ''}`);
      return ids;
    }

    it('data.query temperature: one series per device, canonical name and unit, whatever the protocol', async () => {
      const sensors = await temperatureSensors();
      const series = await eventually(async () => {
        const { result } = await t.rpc('data.query', { device_ids: [...sensors.keys()], measurement_types: ['temperature'], time_range: { last: '1h' } });
        return result?.series?.length === sensors.size && result.series.every((s: Json) => s.points.length > 0) ? (result.series as Json[]) : undefined;
      }, 10_000, 'a temperature series for each device');
      assert.deepEqual(series.map((s) => sensors.get(s.device_id)).sort(), [...sensors.values()].sort());
      for (const s of series) {
        assert.equal(s.measurement_type, 'temperature', sensors.get(s.device_id));
        assert.equal(s.unit, 'Cel', sensors.get(s.device_id));
      }
      const merged = await t.rpc('data.query', { device_ids: [...sensors.keys()], measurement_types: ['temperature'], group_by: 'measurement', aggregation: 'avg', time_range: { last: '1h' } });
      assert.equal(merged.error, undefined, JSON.stringify(merged.error));
      assert.deepEqual(merged.result.series.map((s: Json) => `${s.measurement_type} ${s.unit}`), ['temperature Cel']);
    });

    it('device.list filters by protocol, zone, model and type find every kind', async () => {
      const hardwareIds = async (filter: Json): Promise<string[]> => {
        const { result, error } = await t.rpc('device.list', { ...filter, include_schema: false });
        assert.equal(error, undefined, JSON.stringify(error));
        return result.devices.map((d: Json) => d.hardware_id);
      };
      const mcus = (names: MatrixKind[]): string[] => names.map((n) => kind(n).hardwareId).sort();
      const onlyMcus = async (filter: Json): Promise<string[]> => (await hardwareIds({ ...filter, type: 'mcu' })).sort();
      assert.deepEqual(await onlyMcus({ protocol: 'native' }), mcus(['native']));
      assert.deepEqual(await onlyMcus({ protocol: 'lwm2m' }), mcus(['LwM2M', 'dual']).sort());
      assert.deepEqual(await onlyMcus({ protocol: 'sparkplug' }), mcus(['Sparkplug', 'dual']).sort());
      assert.deepEqual(await onlyMcus({ model: 'ESP32-S3' }), mcus([...MATRIX_KINDS]).sort());
      for (const [name, k] of kinds) {
        const inZone = await hardwareIds({ zone: k.zone });
        assert.ok(inZone.includes(k.hardwareId), `${name} MCU in ${k.zone}: ${JSON.stringify(inZone)}`);
        for (const s of k.sensors) assert.ok(inZone.includes(s.hardwareId), `${s.hardwareId} in ${k.zone}`);
        const sensors = await hardwareIds({ type: 'sensor', parent_id: k.hardwareId });
        for (const s of k.sensors) assert.ok(sensors.includes(s.hardwareId), `${s.hardwareId} listed as a sensor of ${name}`);
      }
    });

    it('batch.execute sensor.read over every temperature sensor: each protocol answers in the common shape', async () => {
      const sensors = await temperatureSensors();
      const { result, error } = await t.rpc('batch.execute', { method: 'sensor.read', params: { measurement_types: ['temperature'] }, filter: { type: 'sensor', measurement_type: 'temperature' } });
      assert.equal(error, undefined, JSON.stringify(error));
      const mine = (result.results as Json[]).filter((r) => sensors.has(r.device_id));
      assert.deepEqual(mine.map((r) => sensors.get(r.device_id)).sort(), [...sensors.values()].sort());
      for (const item of mine) {
        assert.equal(item.status, 'succeeded', `${sensors.get(item.device_id)}: ${JSON.stringify(item.error)}`);
        assert.deepEqual(item.result.readings.map((r: Json) => `${r.measurement_type} ${r.unit}`), ['temperature Cel'], sensors.get(item.device_id));
      }
    });

    it('batch.execute sensor.read {model: "BMP580", measurement_type: "temperature"}: the BMP580s of every protocol, IPSO instances by their 5750 part', async () => {
      const sensors = await temperatureSensors();
      const { result, error } = await t.rpc('batch.execute', { method: 'sensor.read', params: { measurement_types: ['temperature'] }, filter: { model: 'BMP580', measurement_type: 'temperature' } });
      assert.equal(error, undefined, JSON.stringify(error));
      assert.equal(result.failed, 0, JSON.stringify(result.results.filter((r: Json) => r.status !== 'succeeded')));
      const selected = (result.results as Json[]).map((r) => sensors.get(r.device_id)).filter((k) => k !== undefined).sort();
      assert.deepEqual(selected, [...sensors.values()].sort());
      const lwm2m = await get(kind('LwM2M').sensors[0]?.hardwareId ?? '');
      assert.equal(lwm2m?.model, 'BMP580');
      assert.equal(lwm2m?.static_schema?.lwm2m?.object_name, 'Temperature');
    });

    it('sensor.health readings: canonical names and units on every protocol, the reported ones beside them', async () => {
      for (const [name, k] of kinds) {
        for (const s of k.sensors) {
          const { result, error } = await t.rpc('sensor.health', { sensor_id: s.hardwareId });
          assert.equal(error, undefined, JSON.stringify(error));
          const temperature = (result.readings as Json[]).find((r) => r.measurement_type === 'temperature');
          assert.ok(temperature, `${name} ${s.part ?? ''}: ${JSON.stringify(result.readings)}`);
          assert.equal(temperature.unit, 'Cel', `${name} ${s.part ?? ''}`);
          assert.equal(typeof temperature.source_measurement, 'string');
        }
      }
    });
  });
});
