import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('runs reads at once, holds writes for a person, denies destructive actions — and audits each under one chain', async () => {
    const read = await t.hub.tools.call('describe_device', { device: soilId }, llm);
    assert.equal(read.status, 'ok');
    const write = await t.hub.tools.call('configure_device', { device: soilId, settings: { power_mode: 'low_power' } }, llm);
    assert.equal(write.status, 'confirmation_required');
    assert.equal(link.commands.filter((c) => c.method === 'sensor.configure').length, 0, 'nothing sent before confirmation');
    if (write.status !== 'confirmation_required') return;
    assert.deepEqual(write.plan.devices.map((d) => d.device_id), [soilId]);
    assert.equal(write.plan.method, 'sensor.configure', 'the plan names the method the arguments route to');
    // A person (a browser session over HTTP) approves; the held call runs as the LLM's principal.
    const person = { transport: 'http' as const, principal: { id: 'user:pat', kind: 'user' as const, role: 'operator' as const } };
    const approved = await t.hub.tools.approvals.decide(write.approval.id, 'approve', undefined, person);
    assert.equal(approved.outcome?.status, 'succeeded');
    assert.deepEqual(link.commands.find((c) => c.method === 'sensor.configure')?.params, { sensor_id: soilId, config: { power_mode: 'low_power' } });
    await assert.rejects(t.hub.tools.approvals.decide(write.approval.id, 'approve', undefined, person), /is approved, not pending/);
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

  it('takes no confirm_token from the caller: calling again only holds the call again', async () => {
    const first = await t.hub.tools.call('configure_device', { device: soilId, settings: { power_mode: 'continuous' } }, llm);
    assert.equal(first.status, 'confirmation_required');
    if (first.status !== 'confirmation_required') return;
    const again = await t.hub.tools.call('configure_device', { device: soilId, settings: { power_mode: 'continuous' }, confirm_token: first.approval.id }, llm);
    assert.equal(again.status, 'error', 'an unknown argument is refused by the tool schema');
    if (again.status !== 'error') return;
    assert.equal(again.error.code, -32602);
    assert.equal((await t.hub.tools.approvals.get(first.approval.id)).status, 'pending');
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

describe('ToolRunner: a policy that holds destructive commands for a person', () => {
  let t: TestHub;
  let dir: string;
  let link: DeviceLink;
  let mcuId = '';
  const operatorLlm = { principal: { id: 'token:ops-llm', kind: 'token' as const, role: 'operator' as const }, via: 'mcp' as const };
  const adminLlm = { principal: { id: 'token:admin-llm', kind: 'token' as const, role: 'admin' as const }, via: 'mcp' as const };
  const user = (id: string, role: 'operator' | 'admin') => ({ transport: 'http' as const, principal: { id, kind: 'user' as const, role } });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llmiot-runner-policy-'));
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ defaults: { read: 'allow', write: 'confirm', destructive: 'confirm' } }));
    t = await startTestHub({ llmPolicy: policy }, undefined, { bus: 'memory' });
    link = await t.link('pico-held');
    mcuId = (await link.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Raspberry Pi', model: 'Pico W' }, zone: 'Zone H' })).result.device_id;
    link.onCommand = (method, params) => ({ method, ...params });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('run_command reboot becomes an approval an admin must decide; the routed method runs once approved', async () => {
    const denied = await t.hub.tools.call('run_command', { device: mcuId, command: 'reboot', args: { delay_ms: 500 } }, operatorLlm);
    assert.equal(denied.status, 'error', 'an operator\'s client cannot even ask for a reboot');
    assert.equal(denied.status === 'error' && denied.error.code, -32031);
    const [refusal] = await t.hub.stores.audit.list({ principal: operatorLlm.principal.id });
    assert.deepEqual([refusal?.tool, refusal?.decision, refusal?.outcome, refusal?.error?.code], ['run_command', 'deny', 'denied', -32031], 'audited as a denial');

    const held = await t.hub.tools.call('run_command', { device: mcuId, command: 'reboot', args: { delay_ms: 500 } }, adminLlm);
    assert.equal(held.status, 'confirmation_required');
    if (held.status !== 'confirmation_required') return;
    assert.deepEqual([held.plan.tool, held.plan.method, held.plan.kind], ['run_command', 'mcu.reboot', 'destructive']);
    assert.equal(held.approval.roleRequired, 'admin', 'a destructive command needs an admin to approve');
    assert.deepEqual(held.approval.plan.params, { device: mcuId, command: 'reboot', args: { delay_ms: 500 } }, 'the approval keeps the verb tool\'s arguments');
    assert.equal(link.commands.filter((c) => c.method === 'mcu.reboot').length, 0, 'pending: nothing sent');

    await assert.rejects(t.hub.tools.approvals.decide(held.approval.id, 'approve', undefined, user('user:olive', 'operator')), /admin/);
    const approved = await t.hub.tools.approvals.decide(held.approval.id, 'approve', undefined, user('user:ada', 'admin'));
    assert.equal(approved.outcome?.status, 'succeeded', JSON.stringify(approved.outcome));
    assert.deepEqual(link.commands.filter((c) => c.method === 'mcu.reboot').map((c) => c.params), [{ delay_ms: 500 }]);
  });

  it('a grant for run_command covers a reboot only when an admin made it', async () => {
    const grant = (role: 'operator' | 'admin', tool = 'run_command') =>
      t.hub.dispatcher.invoke('grant.create', { tool, device_ids: [mcuId], minutes: 10, principal: adminLlm.principal.id }, user(`user:${role}`, role)) as Promise<{ id: string }>;
    await grant('operator');
    const reboot = await t.hub.tools.call('run_command', { device: mcuId, command: 'reboot' }, adminLlm);
    assert.equal(reboot.status, 'confirmation_required', 'the operator\'s grant does not reach a destructive command');
    await assert.rejects(grant('admin', 'mcu.reboot'), /no tool mcu.reboot/, 'grants name the verb tools an LLM is offered');
    const byAdmin = await grant('admin');
    const sent = link.commands.filter((c) => c.method === 'mcu.reboot').length;
    const granted = await t.hub.tools.call('run_command', { device: mcuId, command: 'reboot' }, adminLlm);
    assert.equal(granted.status, 'ok', JSON.stringify(granted));
    assert.equal(granted.status === 'ok' && granted.grant_id, byAdmin.id);
    assert.equal(link.commands.filter((c) => c.method === 'mcu.reboot').length, sent + 1);
  });
});
