import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeviceLink, eventually, startTestHub, type TestHub } from '../support/test-hub.ts';

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

  it('offers the API as tools with live examples, and hides device-side methods', () => {
    const tools = t.hub.tools.tools();
    const names = tools.map((tool) => tool.name);
    assert.ok(names.includes('sensor_read') && names.includes('batch_execute') && names.includes('data_query'));
    assert.ok(!names.includes('telemetry_report') && !names.includes('device_register') && !names.includes('data_subscribe'));
    const read = tools.find((tool) => tool.name === 'sensor_read');
    assert.equal(read?.annotations.readOnlyHint, true);
    assert.deepEqual((read?.inputSchema.properties?.['sensor_id'] as { examples: string[] }).examples, [soilId]);
    assert.match(read?.description ?? '', /Zone A/);
    assert.equal(tools.find((tool) => tool.name === 'mcu_reboot')?.annotations.destructiveHint, true);
  });

  it('tells listeners when a device joins, and the new device appears in the tools', async () => {
    let changed = 0;
    const off = t.hub.tools.onToolsChanged(() => changed++);
    const other = await t.link('esp-late');
    const lateId = (await other.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3' } })).result.device_id;
    await eventually(() => changed === 1, 3000, 'tools changed');
    const mcuIdExamples = (t.hub.tools.tool('mcu_get_status')?.inputSchema.properties?.['mcu_id'] as { examples: string[] }).examples;
    assert.ok(mcuIdExamples.includes(lateId));
    off();
  });

  it('runs reads at once, holds writes for a person, denies destructive actions — and audits each under one chain', async () => {
    const read = await t.hub.tools.call('device_get', { device_id: soilId }, llm);
    assert.equal(read.status, 'ok');
    const write = await t.hub.tools.call('sensor_configure', { sensor_id: soilId, config: { power_mode: 'low_power' } }, llm);
    assert.equal(write.status, 'confirmation_required');
    assert.equal(link.commands.filter((c) => c.method === 'sensor.configure').length, 0, 'nothing sent before confirmation');
    if (write.status !== 'confirmation_required') return;
    assert.deepEqual(write.plan.devices.map((d) => d.device_id), [soilId]);
    // A person (a browser session over HTTP) approves; the held call runs as the LLM's principal.
    const person = { transport: 'http' as const, principal: { id: 'user:pat', kind: 'user' as const, role: 'operator' as const } };
    const approved = await t.hub.tools.approvals.decide(write.approval.id, 'approve', undefined, person);
    assert.equal(approved.outcome?.status, 'succeeded');
    assert.deepEqual(link.commands.find((c) => c.method === 'sensor.configure')?.params, { sensor_id: soilId, config: { power_mode: 'low_power' } });
    await assert.rejects(t.hub.tools.approvals.decide(write.approval.id, 'approve', undefined, person), /is approved, not pending/);
    const reboot = await t.hub.tools.call('mcu_reboot', { mcu_id: mcuId }, llm);
    assert.equal(reboot.status, 'denied');
    assert.equal(link.commands.filter((c) => c.method === 'mcu.reboot').length, 0);
    const batch = await t.hub.tools.call('batch_execute', { method: 'mcu.reboot', filter: { zone: 'Zone A' } }, llm);
    assert.equal(batch.status, 'denied', 'a batch is as dangerous as the command it runs');
    const audit = await t.hub.stores.audit.list({ principal: 'test-llm' });
    assert.deepEqual(audit.map((a) => `${a.tool}:${a.outcome}`), [
      'batch_execute:denied',
      'mcu_reboot:denied',
      'sensor_configure:succeeded',
      'sensor_configure:confirmation_required',
      'device_get:succeeded',
    ]);
  });

  it('takes no confirm_token from the caller: calling again only holds the call again', async () => {
    const first = await t.hub.tools.call('sensor_configure', { sensor_id: soilId, config: { power_mode: 'continuous' } }, llm);
    assert.equal(first.status, 'confirmation_required');
    if (first.status !== 'confirmation_required') return;
    const again = await t.hub.tools.call('sensor_configure', { sensor_id: soilId, config: { power_mode: 'continuous' }, confirm_token: first.approval.id }, llm);
    assert.equal(again.status, 'error', 'an unknown argument is refused by the method schema');
    if (again.status !== 'error') return;
    assert.equal(again.error.code, -32602);
    assert.equal((await t.hub.tools.approvals.get(first.approval.id)).status, 'pending');
  });

  it('refuses arguments beyond the JSON limits with the pointer, before walking them (fuzz: 20,000 levels overflowed the audit write)', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) deep = { a: deep };
    const who = { ...llm, principal: { ...llm.principal, id: 'deep-llm' } };
    const outcome = await t.hub.tools.call('device_list', { zone: deep }, who);
    assert.equal(outcome.status, 'error');
    if (outcome.status !== 'error') return;
    assert.equal(outcome.error.code, -32602);
    assert.match(JSON.stringify(outcome.error.data), /"path":"\/zone(\/a){31}"/);
    // Nothing deep reached the audit log, and the next call works.
    assert.equal((await t.hub.tools.call('device_list', {}, who)).status, 'ok');
    assert.deepEqual((await t.hub.stores.audit.list({ principal: 'deep-llm' })).map((a) => `${a.tool}:${a.outcome}`), ['device_list:succeeded']);
  });
});
