/**
 * Operator metadata end to end: device.update sets name, zone, tags and description on native and
 * dual-protocol (Sparkplug + LwM2M) devices; filters use them; they outlive the device's own
 * re-registration, a Sparkplug rebirth and a hub restart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DualProtocolDevice } from '../../src/simulator/index.ts';
import { uniqueSuffix } from '../support/services.ts';
import { DeviceLink, eventually, startTestHub, type TestHub } from '../support/test-hub.ts';

const PICO = { manufacturer: 'Raspberry Pi', model: 'Pico W' };
const SOIL = {
  manufacturer: 'Adafruit',
  model: 'Soil Moisture Sensor',
  sensor_category: 'soil',
  communication: { primary_protocol: 'analog', analog: { pin: 26 } },
  measurements: [{ measurement_type: 'soil_moisture', unit: 'percent', range_min: 0, range_max: 100 }],
};

const ids = (list: { device_id: string }[]): string[] => list.map((d) => d.device_id).sort();

describe('operator metadata (native device)', () => {
  let t: TestHub;
  let link: DeviceLink;
  let mcuId: string;
  let soilId: string;
  const register = () => link.request('device.register', { device_type: 'mcu', static_schema: PICO, name: 'pico from firmware', zone: 'Zone A', tags: ['firmware'] });

  before(async () => {
    t = await startTestHub();
    link = await DeviceLink.open(await t.device('meta-pico'), 'meta-pico');
    mcuId = (await register()).result.device_id;
    soilId = (await link.request('sensor.discover', { mcu_id: mcuId, static_schema: SOIL })).result.sensor_id;
    link.onCommand = (method) => {
      if (method === 'mcu.get_status') return { status: 'running', uptime: 1 };
      throw new Error(`unsupported ${method}`);
    };
  });
  after(async () => t.close());

  it('sets name, zone, tags and description, moves the attached sensors to the zone, and filters use them', async () => {
    const answer = await t.rpc('device.update', {
      device_id: 'meta-pico', name: 'Bench 3 controller', zone: 'Zone C', tags: ['bench', 'north'], description: 'under the west vent',
    });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    assert.deepEqual(answer.result.updated, ['name', 'zone', 'tags', 'description']);
    assert.deepEqual(answer.result.moved, [soilId]);
    const got = (await t.rpc('device.get', { device_id: mcuId })).result;
    assert.deepEqual(
      [got.name, got.zone, got.tags, got.description, got.operator_fields],
      ['Bench 3 controller', 'Zone C', ['bench', 'north'], 'under the west vent', ['name', 'zone', 'tags', 'description']],
    );
    assert.equal((await t.rpc('device.get', { device_id: soilId })).result.zone, 'Zone C');
    assert.deepEqual(ids((await t.rpc('device.list', { zone: 'zone c', include_schema: false })).result.devices), [mcuId, soilId].sort());
    assert.deepEqual(ids((await t.rpc('device.list', { tags: ['north'], include_schema: false })).result.devices), [mcuId]);
    assert.deepEqual(ids((await t.rpc('device.list', { name: 'bench 3 controller', include_schema: false })).result.devices), [mcuId]);
    assert.deepEqual(ids((await t.rpc('device.list', { search: 'west vent', include_schema: false })).result.devices), [mcuId]);
    const batch = await t.rpc('batch.execute', { method: 'mcu.get_status', filter: { zone: 'Zone C', type: 'mcu' } });
    assert.deepEqual(batch.result.results.map((r: { device_id: string }) => r.device_id), [mcuId]);
  });

  it('keeps what the operator set when the device registers again over MQTT', async () => {
    const again = await register();
    assert.equal(again.result.created, false);
    const got = (await t.rpc('device.get', { device_id: mcuId })).result;
    assert.deepEqual([got.name, got.zone, got.tags], ['Bench 3 controller', 'Zone C', ['bench', 'north']]);
    // A sensor the device announces again stays in the operator's zone too.
    await link.request('sensor.discover', { mcu_id: mcuId, static_schema: SOIL });
    assert.equal((await t.rpc('device.get', { device_id: soilId })).result.zone, 'Zone C');
  });

  it('clears zone and description with null, and refuses calls that set nothing or name unknown keys', async () => {
    const cleared = await t.rpc('device.update', { device_id: soilId, description: null, zone: null });
    assert.deepEqual([cleared.result.device.zone, cleared.result.device.description], [null, null]);
    const nothing = await t.rpc('device.update', { device_id: mcuId });
    assert.equal(nothing.error?.code, -32602);
    assert.match(nothing.error?.message ?? '', /nothing to update/);
    const typo = await t.rpc('device.update', { device_id: mcuId, zoen: 'Zone D' });
    assert.match(typo.error?.message ?? '', /unknown param "zoen"/);
    assert.equal((await t.rpc('device.update', { device_id: 'no-such-device', zone: 'Zone D' })).error?.code, -32001);
  });

  it('survives a hub restart', async () => {
    await t.close({ keepData: true });
    t = await startTestHub({}, t.dataDir);
    const got = (await t.rpc('device.get', { device_id: mcuId })).result;
    assert.deepEqual(
      [got.name, got.zone, got.description, got.operator_fields],
      ['Bench 3 controller', 'Zone C', 'under the west vent', ['name', 'zone', 'tags', 'description']],
    );
  });
});

describe('operator metadata (dual-protocol device, Sparkplug + LwM2M)', () => {
  let t: TestHub;
  let device: DualProtocolDevice;
  const hostId = `llm-iot-${uniqueSuffix()}`;
  const hardwareId = `meta-dual-${uniqueSuffix()}`;
  const groupId = `G${uniqueSuffix()}`;
  const start = async (): Promise<DualProtocolDevice> => {
    const d = new DualProtocolDevice({
      url: t.mqttUrl, hardwareId, board: 'pico', sensors: ['bmp580'], hostId, groupId, zone: 'Zone A',
      telemetryIntervalMs: 200, lwm2mIntervalMs: 500, connectOptions: { protocolVersion: 4 },
    });
    await d.start();
    return d;
  };
  const birthOf = async (): Promise<unknown> => (await t.rpc('device.get', { device_id: hardwareId })).result?.dynamic_state?.sparkplug?.since;

  before(async () => {
    t = await startTestHub({ sparkplugHostId: hostId });
    device = await start();
  });
  after(async () => {
    await device.stop();
    await t.close();
  });

  it('gets its zone from the NBIRTH (Properties/Zone), and its sensors with it', async () => {
    const mcu = await eventually(async () => {
      const got = (await t.rpc('device.get', { device_id: hardwareId })).result;
      return got?.zone === 'Zone A' && got.attached.length > 0 ? got : undefined;
    }, 10_000, 'dual device registered with its zone');
    // Every attached device is in the zone, those LwM2M registered before the NBIRTH named it included.
    const zoneA = await eventually(async () => {
      const listed = (await t.rpc('device.list', { zone: 'Zone A', include_schema: false })).result.devices;
      return listed.length === 1 + mcu.attached.length ? listed : undefined;
    }, 10_000, 'attached devices in Zone A');
    assert.deepEqual(ids(zoneA), [mcu.device_id, ...mcu.attached].sort());
    const protocols = new Set(zoneA.flatMap((d: { protocols: string[] }) => d.protocols));
    assert.ok(protocols.has('sparkplug') && protocols.has('lwm2m'), `Zone A holds devices of both protocols: ${[...protocols].join(', ')}`);
  });

  it('takes an operator zone that the next rebirth does not overwrite', async () => {
    const moved = await t.rpc('device.update', { device_id: hardwareId, zone: 'Zone B', tags: ['dual'] });
    assert.equal(moved.error, undefined, JSON.stringify(moved.error));
    const firstBirth = await birthOf();
    assert.equal(typeof firstBirth, 'number', 'the hub recorded the first NBIRTH');
    // A new session: the device births again, still announcing Properties/Zone = "Zone A".
    await device.stop();
    device = await start();
    await eventually(async () => {
      const since = await birthOf();
      return since !== undefined && since !== firstBirth ? since : undefined;
    }, 10_000, 'the rebirth was processed');
    const got = (await t.rpc('device.get', { device_id: hardwareId })).result;
    assert.deepEqual([got.zone, got.tags, got.status], ['Zone B', ['dual'], 'online']);
    const zoneB = (await t.rpc('device.list', { zone: 'Zone B', include_schema: false })).result.devices;
    assert.deepEqual(ids(zoneB), [got.device_id, ...got.attached].sort());
  });
});
