import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeviceLink, startTestHub, type TestHub } from '../support/test-hub.ts';

const SOIL = {
  manufacturer: 'Adafruit',
  model: 'Soil Moisture Sensor',
  sensor_category: 'soil',
  communication: { primary_protocol: 'analog', analog: { pin: 26 } },
  measurements: [{ measurement_type: 'soil_moisture', unit: 'percent', range_min: 0, range_max: 100 }],
};
const llm = { principal: { id: 'test-llm', kind: 'token' as const, role: 'admin' as const }, via: 'llm' as const };

describe('ToolRunner', () => {
  let t: TestHub;
  let link: DeviceLink;
  let mcuId = '';
  let soilId = '';

  before(async () => {
    t = await startTestHub({}, undefined, { bus: 'memory' });
    link = await t.link('pico-tools');
    mcuId = (await link.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Raspberry Pi', model: 'Pico W' }, zone: 'Zone A' })).result.device_id;
    soilId = (await link.request('sensor.discover', { mcu_id: mcuId, static_schema: SOIL })).result.sensor_id;
    link.onCommand = (method, params) => ({ method, ...params });
  });
  after(async () => t.close());

  it('offers the same fixed verb tools whatever the fleet holds, with no device-side method among them', async () => {
    const before = JSON.stringify(t.hub.tools.tools().map(({ route: _route, ...rest }) => rest));
    const names = t.hub.tools.tools().map((tool) => tool.name);
    assert.deepEqual(names, ['find_devices', 'describe_device', 'read_device', 'query_telemetry', 'configure_device', 'run_command', 'update_device', 'command_history']);
    assert.equal(t.hub.tools.tool('read_device')?.annotations.readOnlyHint, true);
    assert.equal(t.hub.tools.tool('run_command')?.annotations.destructiveHint, true);
    assert.doesNotMatch(before, new RegExp(`pico-tools|${mcuId}|${soilId}`), 'no fleet contents in the tools');
    const other = await t.link('esp-late');
    await other.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3' }, zone: 'Zone Late' });
    assert.equal(JSON.stringify(t.hub.tools.tools().map(({ route: _route, ...rest }) => rest)), before, 'a device joining changes nothing');
  });

  it('runs reads at once, holds writes for confirmation, denies destructive actions — and audits each', async () => {
    const read = await t.hub.tools.call('describe_device', { device: soilId }, llm);
    assert.equal(read.status, 'ok');
    const write = await t.hub.tools.call('configure_device', { device: soilId, settings: { power_mode: 'low_power' } }, llm);
    assert.equal(write.status, 'confirmation_required');
    assert.equal(link.commands.filter((c) => c.method === 'sensor.configure').length, 0, 'nothing sent before confirmation');
    if (write.status !== 'confirmation_required') return;
    assert.deepEqual(write.plan.devices.map((d) => d.device_id), [soilId]);
    assert.equal(write.plan.method, 'sensor.configure', 'the plan names the method the arguments route to');
    const confirmed = await t.hub.tools.confirm(write.confirm_token, llm);
    assert.equal(confirmed.status, 'ok');
    assert.deepEqual(link.commands.find((c) => c.method === 'sensor.configure')?.params, { sensor_id: soilId, config: { power_mode: 'low_power' } });
    await assert.rejects(t.hub.tools.confirm(write.confirm_token, llm), /confirmation token unknown, expired, already used/);
    const reboot = await t.hub.tools.call('run_command', { device: mcuId, command: 'reboot' }, llm);
    assert.equal(reboot.status, 'denied');
    assert.equal(link.commands.filter((c) => c.method === 'mcu.reboot').length, 0);
    const batch = await t.hub.tools.call('run_command', { where: { zone: 'Zone A', type: 'mcu' }, command: 'reboot' }, llm);
    assert.equal(batch.status, 'denied', 'a batch is as dangerous as the command it runs');
    const audit = await t.hub.stores.audit.list({ principal: 'test-llm' });
    assert.deepEqual(audit.map((a) => `${a.tool}:${a.outcome}`), [
      'run_command:denied',
      'run_command:denied',
      'configure_device:succeeded',
      'configure_device:confirmation_required',
      'describe_device:succeeded',
    ]);
  });

  it('accepts a confirm_token given back in the arguments only for the same call', async () => {
    const first = await t.hub.tools.call('configure_device', { device: soilId, settings: { power_mode: 'continuous' } }, llm);
    assert.equal(first.status, 'confirmation_required');
    if (first.status !== 'confirmation_required') return;
    const tampered = await t.hub.tools.call('configure_device', { device: soilId, settings: { power_mode: 'off' }, confirm_token: first.confirm_token }, llm);
    assert.equal(tampered.status, 'confirmation_required', 'the token does not cover other arguments');
    const again = await t.hub.tools.call('configure_device', { device: soilId, settings: { power_mode: 'continuous' } }, llm);
    assert.equal(again.status, 'confirmation_required');
    if (again.status !== 'confirmation_required') return;
    const done = await t.hub.tools.call('configure_device', { settings: { power_mode: 'continuous' }, device: soilId, confirm_token: again.confirm_token }, llm);
    assert.equal(done.status, 'ok');
  });

  it('refuses arguments beyond the JSON limits with the pointer, before walking them (fuzz: 20,000 levels overflowed the audit write)', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) deep = { a: deep };
    const who = { ...llm, principal: { ...llm.principal, id: 'deep-llm' } };
    const outcome = await t.hub.tools.call('find_devices', { zone: deep }, who);
    assert.equal(outcome.status, 'error');
    if (outcome.status !== 'error') return;
    assert.equal(outcome.error.code, -32602);
    assert.match(JSON.stringify(outcome.error.data), /"path":"\/zone(\/a){31}"/);
    // Nothing deep reached the audit log, and the next call works.
    assert.equal((await t.hub.tools.call('find_devices', {}, who)).status, 'ok');
    assert.deepEqual((await t.hub.stores.audit.list({ principal: 'deep-llm' })).map((a) => `${a.tool}:${a.outcome}`), ['find_devices:succeeded']);
  });
});
