/** LwM2M registration over MQTT: the seed's Register, IPSO sensors as attached devices, Update, lifetime expiry, De-register. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceIdFor } from '../../../src/core/device-id.ts';
import { SchemaValidator } from '../../../src/schema/schema-validator.ts';
import { DeviceLink, eventually, startTestHub, type TestHub } from '../../support/test-hub.ts';
import { metricValue, rpcError, ScriptedDevice, SEED_REGISTRATION } from './scripted-device.ts';

const ipso = (endpoint: string, lifetime = 3600): Record<string, unknown> => ({
  endpoint,
  lifetime,
  version: '1.2',
  bindingMode: 'U',
  objects: {
    '3': { '0': { '0': 'Acme Sensors', '1': 'EnvNode-2', '2': 'SN-0042', '3': '1.4.2', '9': 87 } },
    '3303': { '0': { '5700': 21.5, '5701': 'Cel', '5603': -40, '5604': 85 } },
    '3304': { '0': { '5700': 40.5 } },
    '3336': { '0': { '5514': '-43.5723', '5515': '153.2176' } },
  },
});

describe('LwM2M registration (embedded broker)', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(async () => t.close());

  it('registers the seed registration as written: one MCU with the /3/0 manufacturer and model, acknowledged 2.01', async () => {
    const device = await ScriptedDevice.connect(t, 'device-temp-001');
    device.publish('reg', SEED_REGISTRATION);
    const ack = await eventually(() => device.acks('register')[0], 5000, 'register ack');
    assert.deepEqual(ack, { msgType: 'register', data: { code: '2.01', codeMsg: 'created', location: '/rd/device-temp-001' } });
    const got = await t.rpc('device.get', { device_id: 'device-temp-001' });
    assert.equal(got.error, undefined, JSON.stringify(got.error));
    assert.equal(got.result.device_id, deviceIdFor('device-temp-001'));
    assert.equal(got.result.manufacturer, 'IoT Testing Corp');
    assert.equal(got.result.model, 'SimDevice-temperature_sensor');
    assert.equal(got.result.device_type, 'mcu');
    assert.equal(got.result.status, 'online');
    assert.deepEqual(got.result.protocols, ['lwm2m']);
    assert.equal(got.result.schema_version, '1.0.0');
    const schema = got.result.static_schema;
    assert.equal(schema.lwm2m.lifetime_s, 3600);
    assert.equal(schema.lwm2m.binding, 'UQ');
    assert.equal(schema.lwm2m.queue_mode, true);
    assert.equal(schema.lwm2m.version, '1.2');
    assert.deepEqual(schema.lwm2m.objects, [{ id: 3, name: 'Device', instances: [0] }]);
    // A valid mcu-static 1.0.0 document, the LwM2M specifics in one extension field.
    const checked = new SchemaValidator().validate('mcu-static', schema, '1.0.0');
    assert.deepEqual(checked.unknownFields, ['/lwm2m']);
    assert.equal(await metricValue(t, 'lwm2m_active_devices', ''), 1);
    assert.equal(await metricValue(t, 'llmiot_messages_received_total', 'protocol="lwm2m",type="register"'), 1);
  });

  it('turns IPSO objects into attached devices whose values are stored and answer data.query', async () => {
    const endpoint = 'env-node-7';
    const device = await ScriptedDevice.connect(t, endpoint);
    await device.register(ipso(endpoint));
    const mcu = await t.rpc('device.get', { device_id: endpoint });
    assert.equal(mcu.result.manufacturer, 'Acme Sensors');
    assert.equal(mcu.result.static_schema.serial_number, 'SN-0042');
    assert.deepEqual(mcu.result.static_schema.firmware, { version: '1.4.2' });
    assert.equal(mcu.result.dynamic_state.power.battery_percent, 87);
    const temperatureId = deviceIdFor(`${endpoint}/lwm2m:3303/0`);
    assert.deepEqual([...mcu.result.attached].sort(), [temperatureId, deviceIdFor(`${endpoint}/lwm2m:3304/0`), deviceIdFor(`${endpoint}/lwm2m:3336/0`)].sort());
    const sensor = await t.rpc('device.get', { device_id: `${endpoint}/lwm2m:3303/0` });
    assert.equal(sensor.result.device_type, 'sensor');
    assert.equal(sensor.result.parent_id, mcu.result.device_id);
    assert.equal(sensor.result.model, 'IPSO Temperature');
    assert.deepEqual(sensor.result.static_schema.measurements, [{ measurement_type: 'temperature', unit: 'Cel', range_min: -40, range_max: 85 }]);
    assert.deepEqual(sensor.result.static_schema.lwm2m, { path: '/3303/0', object_id: 3303, instance_id: 0, object_name: 'Temperature' });
    new SchemaValidator().validate('sensor-static', sensor.result.static_schema, '1.0.0');
    const series = await eventually(async () => {
      const r = await t.rpc('data.query', { device_ids: [temperatureId], measurement_types: ['temperature'] });
      return r.result?.series?.[0]?.points?.length === 1 ? r.result.series[0] : undefined;
    }, 5000, 'stored temperature');
    assert.equal(series.points[0].value, 21.5);
    assert.equal(series.unit, 'Cel');
    const location = await eventually(async () => {
      const r = await t.rpc('data.latest', { device_ids: [deviceIdFor(`${endpoint}/lwm2m:3336/0`)] });
      return r.result?.readings?.length === 2 ? r.result.readings : undefined;
    });
    assert.deepEqual(location.map((r: any) => [r.measurement_type, r.value, r.unit]).sort(), [['latitude', -43.5723, 'deg'], ['longitude', 153.2176, 'deg']]);
    const battery = await t.rpc('data.latest', { device_ids: [mcu.result.device_id], measurement_types: ['battery_level'] });
    assert.equal(battery.result.readings[0].value, 87);
    assert.equal(battery.result.readings[0].unit, '/100', 'the registry unit of /3/0/9');
  });

  it('is the same registry entry as a native device with that client id: the registry merges both', async () => {
    const endpoint = 'dual-node-1';
    const client = await t.device(endpoint);
    const native = await DeviceLink.open(client, endpoint);
    const registered = await native.request('device.register', {
      device_type: 'mcu',
      static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3', memory: { flash_total: 8388608 } },
    });
    assert.equal(registered.result.device_id, deviceIdFor(endpoint));
    await client.subscribeAsync(`lwm2m/${endpoint}/dn`, { qos: 1 });
    const acks: any[] = [];
    client.on('message', (topic, payload) => {
      if (topic.endsWith('/dn')) acks.push(JSON.parse(payload.toString()));
    });
    client.publish(`lwm2m/${endpoint}/reg`, JSON.stringify({ endpoint, lifetime: 600, version: '1.2', objects: { '3': { '0': { '0': 'Espressif Systems', '2': 'SN-77' } } } }), { qos: 1 });
    await eventually(() => acks.find((a) => a.msgType === 'register'));
    const got = await t.rpc('device.get', { device_id: endpoint });
    assert.equal(got.result.device_id, registered.result.device_id);
    assert.deepEqual(got.result.protocols, ['native', 'lwm2m']);
    assert.equal(got.result.manufacturer, 'Espressif Systems', 'object 3 names the manufacturer');
    assert.equal(got.result.model, 'ESP32-S3', 'the model the native registration gave is kept');
    assert.deepEqual(got.result.static_schema.memory, { flash_total: 8388608 });
    assert.equal(got.result.static_schema.serial_number, 'SN-77');
    const all = await t.rpc('device.list', { protocol: 'lwm2m' });
    assert.equal(all.result.devices.filter((d: any) => d.hardware_id === endpoint).length, 1);
  });

  it('renews the registration on Update (2.04, new values stored); without Updates the lifetime expires and the device goes offline', async () => {
    const endpoint = 'short-lived-1';
    const device = await ScriptedDevice.connect(t, endpoint);
    await device.register(ipso(endpoint, 1));
    // Lifetime 1 s + grace 1.1 s: Updates every 0.6 s keep it online for 3 s.
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 600));
      const ack = await device.send('update', i === 2 ? { objects: { '3303': { '0': { '5700': 23.25 } } } } : { lifetime: 1 });
      assert.equal(ack.data.code, '2.04');
    }
    assert.equal((await t.rpc('device.get', { device_id: endpoint })).result.status, 'online');
    // The Update's value is committed with a telemetry batch after its 2.04 (and the later 2.04s do not wait for it).
    const reading = await eventually(async () => {
      const r = await t.rpc('data.latest', { device_ids: [deviceIdFor(`${endpoint}/lwm2m:3303/0`)], measurement_types: ['temperature'] });
      return r.result?.readings?.[0]?.value === 23.25 ? r.result.readings[0] : undefined;
    }, 5000, 'the Update value stored');
    assert.equal(reading.unit, 'Cel', 'the unit the registration reported still applies');
    const started = Date.now();
    await eventually(async () => (await t.rpc('device.get', { device_id: endpoint })).result.status === 'offline', 6000, 'offline after the lifetime');
    assert.ok(Date.now() - started >= 1500, 'not before lifetime + grace');
    const sensor = await t.rpc('device.get', { device_id: `${endpoint}/lwm2m:3303/0` });
    assert.equal(sensor.result.status, 'offline', 'attached devices go offline with their MCU');
    // The registration is gone: an Update is answered 4.04 (the client must register again).
    const late = await device.send('update', { lifetime: 1 });
    assert.equal(late.data.code, '4.04');
    const again = await device.register(ipso(endpoint, 60));
    assert.equal(again.data.code, '2.01');
    assert.equal((await t.rpc('device.get', { device_id: endpoint })).result.status, 'online');
  });

  it('an Update with new objects or a new firmware version refreshes the devices', async () => {
    const endpoint = 'growing-1';
    const device = await ScriptedDevice.connect(t, endpoint);
    await device.register(ipso(endpoint));
    const ack = await device.send('update', { objects: { '3': { '0': { '3': '1.5.0' } }, '3303': { '1': { '5700': 4.5, '5701': 'Cel', '5750': 'Fridge' } } } });
    assert.equal(ack.data.code, '2.04');
    const mcu = await t.rpc('device.get', { device_id: endpoint });
    assert.deepEqual(mcu.result.static_schema.firmware, { version: '1.5.0' });
    assert.equal(mcu.result.dynamic_state.firmware_version, '1.5.0');
    assert.deepEqual(mcu.result.static_schema.lwm2m.objects.find((o: any) => o.id === 3303).instances, [0, 1]);
    const fridge = await t.rpc('device.get', { device_id: `${endpoint}/lwm2m:3303/1` });
    assert.equal(fridge.result.static_schema.lwm2m.application_type, 'Fridge');
    // The latest-value cache follows the store commit, which comes after the 2.04.
    const latest = await eventually(async () => {
      const r = await t.rpc('data.latest', { device_ids: [fridge.result.device_id] });
      return r.result.readings.length > 0 ? r : undefined;
    });
    assert.deepEqual(latest.result.readings.map((r: any) => [r.measurement_type, r.value, r.unit]), [['temperature', 4.5, 'Cel']]);
  });

  it('5750 Application Type names the model and the quantity: a BMP580 3303 instance, a soil probe on 3304; an Update that changes nothing writes nothing', async () => {
    const endpoint = 'app-type-1';
    const device = await ScriptedDevice.connect(t, endpoint);
    const objects = {
      '3303': { '0': { '5700': 21.5, '5701': 'Cel', '5601': 20.5, '5602': 22, '5750': 'greenhouse air temperature (BMP580 @ i2c:0x47)' } },
      '3304': { '0': { '5700': 31.5, '5701': '%', '5750': 'soil moisture (Capacitive Soil Moisture Sensor v1.2 @ analog:A0)' }, '1': { '5700': 55, '5750': 'north bed (bench)' } },
    };
    await device.register({ endpoint, lifetime: 3600, version: '1.2', bindingMode: 'U', objects });
    const temperature = (await t.rpc('device.get', { device_id: `${endpoint}/lwm2m:3303/0` })).result;
    assert.equal(temperature.model, 'BMP580');
    assert.equal(temperature.static_schema.lwm2m.object_name, 'Temperature');
    const soil = (await t.rpc('device.get', { device_id: `${endpoint}/lwm2m:3304/0` })).result;
    assert.equal(soil.model, 'Capacitive Soil Moisture Sensor v1.2');
    assert.deepEqual(soil.static_schema.measurements.map((m: any) => m.measurement_type), ['soil_moisture']);
    const air = (await t.rpc('device.get', { device_id: `${endpoint}/lwm2m:3304/1` })).result;
    assert.deepEqual([air.model, air.static_schema.measurements[0].measurement_type], ['IPSO Humidity', 'humidity'], 'no part, no quantity named: as the object says');
    const listed = await t.rpc('device.list', { model: 'BMP580', include_schema: false });
    assert.deepEqual(listed.result.devices.map((d: any) => d.hardware_id), [`${endpoint}/lwm2m:3303/0`]);
    const bySoil = await t.rpc('device.list', { measurement_type: 'soil_moisture', parent_id: endpoint, include_schema: false });
    assert.deepEqual(bySoil.result.devices.map((d: any) => d.hardware_id), [`${endpoint}/lwm2m:3304/0`]);
    const latest = await eventually(async () => {
      const r = await t.rpc('data.latest', { device_ids: [soil.device_id, temperature.device_id] });
      return r.result?.readings?.length >= 4 ? r.result.readings : undefined;
    }, 5000, 'stored values');
    const readings = Object.fromEntries(latest.map((r: any) => [`${r.device_id === soil.device_id ? 'soil' : 'air'} ${r.measurement_type}`, r.unit]));
    assert.deepEqual(readings, { 'soil soil_moisture': '%', 'air temperature': 'Cel', 'air min_measured_value': 'Cel', 'air max_measured_value': 'Cel' });
    // The same objects again: nothing to write.
    let written = 0;
    const off = t.hub.events.on('device.registered', () => void written++);
    const ack = await device.send('update', { objects });
    assert.equal(ack.data.code, '2.04');
    off();
    assert.equal(written, 0, 'an Update that changes nothing re-registers nothing');
  });

  it('De-register: 2.02, the device is kept but offline; then Update is 4.04', async () => {
    const endpoint = 'leaving-1';
    const device = await ScriptedDevice.connect(t, endpoint);
    await device.register(ipso(endpoint));
    const ack = await device.send('dereg', '');
    assert.deepEqual(ack.data, { code: '2.02', codeMsg: 'deleted' });
    const got = await t.rpc('device.get', { device_id: endpoint });
    assert.equal(got.result.status, 'offline');
    assert.equal(got.result.manufacturer, 'Acme Sensors');
    assert.equal((await device.send('update', {})).data.code, '4.04');
    const read = await t.rpc('lwm2m.read', { device_id: endpoint, path: '/3/0' });
    assert.equal(rpcError(read).code, -32002, 'an offline device gets DEVICE_OFFLINE');
  });
});
