/**
 * Approvals by a person: a write an LLM asks for waits as a pending approval in the store; only a
 * logged-in person (session cookie) whose role reaches the action's decides it; tokens, the
 * requesting principal and the LLM cannot; approving runs it and keeps its outcome; approvals expire.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { person, tokenCaller, type Caller } from '../support/people.ts';
import { eventually, startTestHub, type DeviceLink, type TestHub } from '../support/test-hub.ts';

const SOIL = {
  manufacturer: 'Adafruit',
  model: 'Simple Soil Moisture Sensor',
  sensor_category: 'soil',
  communication: { primary_protocol: 'analog', analog: { pin: 26 } },
  measurements: [{ measurement_type: 'soil_moisture', unit: 'percent', range_min: 0, range_max: 100 }],
};
const MINUTE = 60_000;

describe('approvals', () => {
  let now = Date.parse('2026-06-01T08:00:00Z');
  let t: TestHub;
  let link: DeviceLink;
  let soilId = '';
  let olive: Caller;
  let victor: Caller;
  let admin: Caller;
  const llm = { principal: { id: 'token:the-llm', kind: 'token' as const, role: 'operator' as const }, client: 'scripted/1', via: 'mcp' as const };

  before(async () => {
    t = await startTestHub({ heartbeatInterval: 86_400 }, undefined, { bus: 'memory', now: () => now });
    link = await t.link('pico-approvals');
    const mcuId = (await link.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Raspberry Pi', model: 'Pico W' }, zone: 'Zone A' })).result.device_id;
    soilId = (await link.request('sensor.discover', { mcu_id: mcuId, static_schema: SOIL })).result.sensor_id;
    link.onCommand = (method, params) => ({ method, ...params });
    olive = await person(t, 'olive', 'operator');
    victor = await person(t, 'victor', 'viewer');
    admin = await tokenCaller(t, 'admin');
  });
  after(() => t.close());

  const configures = (): unknown[] => link.commands.filter((c) => c.method === 'sensor.configure');

  async function held(config: Record<string, unknown>): Promise<string> {
    const outcome = await t.hub.tools.call('configure_device', { device: soilId, settings: config }, llm);
    assert.equal(outcome.status, 'confirmation_required');
    return outcome.status === 'confirmation_required' ? outcome.approval.id : '';
  }

  it('holds an LLM write as a pending approval with the documented shape, listed for viewers', async () => {
    const id = await held({ power_mode: 'low_power' });
    assert.deepEqual(configures(), [], 'nothing reaches the device before a person approves');
    const listed = await victor.rpc('approval.list', {});
    assert.equal(listed.error, undefined, JSON.stringify(listed.error));
    const approval = listed.result.approvals.find((a: { id: string }) => a.id === id);
    assert.equal(approval.status, 'pending');
    assert.equal(approval.created_at, new Date(now).toISOString());
    assert.equal(approval.expires_at, new Date(now + 15 * MINUTE).toISOString());
    assert.deepEqual(approval.requested_by, { principal: 'token:the-llm', kind: 'token', role: 'operator', client: 'scripted/1' });
    assert.equal(approval.role_required, 'operator');
    assert.equal(approval.tool, 'configure_device');
    assert.deepEqual(approval.plan.targets, [soilId]);
    assert.deepEqual(approval.plan.params, { device: soilId, settings: { power_mode: 'low_power' } }, 'the verb tool\'s arguments, routed again when approved');
    assert.match(approval.plan.summary, /configure_device \(sensor\.configure\), a change of device state on 1 device\(s\): pico-approvals\/analog/);
    assert.equal(typeof approval.chain_id, 'string');
    assert.deepEqual((await victor.rpc('approval.get', { id })).result, approval);
  });

  it('refuses a decision by an API token, by a viewer, and by the principal that asked — with FORBIDDEN naming why', async () => {
    const id = await held({ power_mode: 'continuous' });
    const byToken = await admin.rpc('approval.decide', { id, decision: 'approve' });
    assert.equal(byToken.error?.code, -32031);
    assert.match(byToken.error?.message ?? '', /needs a logged-in person with the operator role; token:\w+ is a token principal over http: tokens, MCP and OIDC clients and LLMs cannot approve/);
    const byViewer = await victor.rpc('approval.decide', { id, decision: 'approve' });
    assert.equal(byViewer.error?.code, -32031, 'approval.decide needs the operator role');
    // Olive asks through llm.execute_command-like tool use with her own session: she cannot approve herself.
    const own = await t.hub.tools.call('configure_device', { device: soilId, settings: { power_mode: 'low_power' } }, { principal: { id: olive.principal, kind: 'user', role: 'operator' }, via: 'llm' });
    assert.equal(own.status, 'confirmation_required');
    const ownId = own.status === 'confirmation_required' ? own.approval.id : '';
    const self = await olive.rpc('approval.decide', { id: ownId, decision: 'approve' });
    assert.equal(self.error?.code, -32031);
    assert.match(self.error?.message ?? '', /user:olive asked for this action and cannot approve it itself/);
    assert.deepEqual(configures(), []);
    assert.equal((await victor.rpc('approval.get', { id })).result.status, 'pending');
  });

  it('a person approves: the action runs as asked, and the approval keeps its outcome and command ids', async () => {
    const id = await held({ samples_averaged: 8 });
    const decided = await olive.rpc('approval.decide', { id, decision: 'approve', reason: 'fine for today' });
    assert.equal(decided.error, undefined, JSON.stringify(decided.error));
    assert.equal(decided.result.status, 'approved');
    assert.deepEqual(decided.result.decided_by, { principal: 'user:olive', role: 'operator' });
    assert.equal(decided.result.reason, 'fine for today');
    assert.equal(decided.result.outcome.status, 'succeeded');
    assert.equal(decided.result.outcome.command_ids.length, 1);
    const command = await admin.rpc('command.get', { command_id: decided.result.outcome.command_ids[0] });
    assert.equal(command.result.state, 'succeeded');
    assert.equal(command.result.origin.chain, decided.result.chain_id);
    assert.deepEqual((configures().at(-1) as { params: unknown }).params, { sensor_id: soilId, config: { samples_averaged: 8 } });
    const again = await olive.rpc('approval.decide', { id, decision: 'decline' });
    assert.equal(again.error?.code, -32042);
    assert.equal(again.error?.data.status, 'approved');
  });

  it('a person declines: nothing runs', async () => {
    const before = configures().length;
    const id = await held({ settle_ms: 50 });
    const decided = await olive.rpc('approval.decide', { id, decision: 'decline', reason: 'not now' });
    assert.equal(decided.result.status, 'declined');
    assert.equal(decided.result.outcome, undefined);
    assert.equal(configures().length, before);
    assert.equal((await admin.rpc('approval.get', { id: 'nope' })).error?.code, -32041);
  });

  it('tells WebSocket subscribers of every change (approval.changed)', async () => {
    const ws = new WebSocket(`${t.httpUrl.replace(/^http/, 'ws')}/ws`, { headers: admin.headers });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const seen: { status: string; id: string }[] = [];
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.method === 'approval.changed') seen.push(message.params);
    });
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'approval.subscribe', params: {} }));
    await eventually(() => t.hub.events.listenerCount('approval.changed') > 0, 3000, 'subscribed');
    const id = await held({ settle_ms: 20 });
    await olive.rpc('approval.decide', { id, decision: 'decline' });
    await eventually(() => seen.filter((a) => a.id === id).length === 2, 3000, 'created and declined notified');
    assert.deepEqual(seen.filter((a) => a.id === id).map((a) => a.status), ['pending', 'declined']);
    ws.close();
  });

  it('expires: after its time a pending approval lists as expired and can no longer be approved', async () => {
    const id = await held({ settle_ms: 10 });
    now += 15 * MINUTE + 1;
    assert.equal((await victor.rpc('approval.get', { id })).result.status, 'expired');
    const late = await olive.rpc('approval.decide', { id, decision: 'approve' });
    assert.equal(late.error?.code, -32042);
    assert.ok(!(await victor.rpc('approval.list', {})).result.approvals.some((a: { id: string }) => a.id === id), 'not pending any more');
    assert.ok((await victor.rpc('approval.list', { status: 'expired' })).result.approvals.some((a: { id: string }) => a.id === id));
  });
});
