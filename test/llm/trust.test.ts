/**
 * Issue 13 end to end: the seed's commands through llm.execute_command (scripted model) and through
 * MCP (an API token's client), on a hub with people and tokens and a policy file with envelopes. The
 * model tries a value outside the datasheet range (refused, naming the rule), a write that needs a
 * person (pending until a logged-in operator approves with the session cookie; the token cannot), a
 * granted task (runs without asking, held again once the grant expires) and a batch over the device
 * cap; each leaves one audit chain from the tool call to each device's answer. A person over /rpc
 * is held by the same envelopes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { call, text } from '../mcp/greenhouse.ts';
import { person, tokenCaller, type Caller } from '../support/people.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';
import { greenhouse, type Greenhouse } from './greenhouse.ts';
import { ScriptedModel, type Script } from './scripted-model.ts';

const SOIL = { measurement: 'soil_moisture' };
/** The same probes as a filter of the JSON-RPC API (grant.create, batch.execute). */
const SOIL_FILTER = { measurement_type: 'soil_moisture' };
const LOW_POWER = { where: SOIL, settings: { power_mode: 'low_power' } };
const MINUTE = 60_000;

/** The model makes one tool call, then reports the hub's answer in one line. */
const once =
  (tool: string, args: Record<string, unknown>): Script =>
  (c) => {
    if (c.turns === 0) return { tool_calls: [{ name: tool, arguments: args }] };
    const [last] = c.lastResults();
    const o = last?.output;
    return { content: `${o?.status}${o?.error ? ` ${o.error.code} ${o.error.data?.rule ?? ''}` : ''}${o?.approval_url ? ` ${o.approval_url}` : ''}` };
  };

describe('LLM actuation a person can trust', () => {
  let dir: string;
  let model: ScriptedModel;
  let t: TestHub;
  let gh: Greenhouse;
  let now = Date.now();
  let olive: Caller;
  let agent: Caller;
  let mcp: Client;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llmiot-trust-'));
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ envelopes: [{ name: 'sensor batches', match: { types: ['sensor'] }, max_batch_devices: 4 }] }));
    model = await ScriptedModel.start();
    t = await startTestHub(
      { llmProvider: 'openai-compatible', llmBaseUrl: model.baseUrl, llmModel: 'scripted', llmMaxRetries: 0, llmPolicy: policy, publicUrl: 'https://hub.example', commandTimeout: 3000, heartbeatInterval: 86_400 },
      undefined,
      { now: () => now },
    );
    gh = await greenhouse(t);
    olive = await person(t, 'olive', 'operator');
    agent = await tokenCaller(t, 'operator');
    mcp = new Client({ name: 'agent', version: '1.0.0' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${t.httpUrl}/mcp`), { requestInit: { headers: agent.headers } }));
  });
  after(async () => {
    await mcp.close();
    await gh.close();
    await t.close();
    await model.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function execute(command: string, script: Script): Promise<any> {
    model.play(script);
    const answer = await agent.rpc('llm.execute_command', { command });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    return answer.result;
  }

  async function chain(id: string): Promise<any> {
    const admin = await tokenCaller(t, 'admin');
    const answer = await admin.rpc('audit.chain', { id });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    return answer.result;
  }

  it('"Read temperature from all BMP580 sensors in the greenhouse": runs, and each read\'s chain reaches the device\'s answer', async () => {
    const result = await execute('Read temperature from all BMP580 sensors in the greenhouse', (c) =>
      c.turns === 0 ? { tool_calls: gh.bmp580s.map((device) => ({ name: 'read_device', arguments: { device } })) } : { content: c.lastResults().map((r) => r.output.status).join(' ') },
    );
    assert.equal(result.answer, gh.bmp580s.map(() => 'ok').join(' '));
    for (const read of result.tool_calls) {
      const record = await chain(read.chain_id);
      assert.deepEqual(record.entries.map((e: any) => `${e.tool} ${e.decision} ${e.outcome} ${e.principal}`), [`read_device allow succeeded ${agent.principal}`]);
      assert.equal(record.commands.length, 1);
      const [command] = record.commands;
      assert.equal(command.device_id, read.arguments.device);
      assert.equal(command.state, 'succeeded', 'the device acknowledged');
      assert.equal(command.origin.chain, read.chain_id);
      assert.deepEqual(record.entries[0].command_ids, [command.command_id]);
    }
  });

  it('refuses a value outside the datasheet range (settle_ms 5000 > 1000), naming the rule; nothing is held or sent', async () => {
    const from = gh.tap.sent.length;
    const args = { where: SOIL, settings: { settle_ms: 5000 } };
    const result = await execute('Configure all soil sensors to wait 5 s before sampling', once('configure_device', args));
    assert.equal(result.answer, 'error -32040 range');
    assert.deepEqual(result.pending_approvals, []);
    const [refused] = result.tool_calls;
    assert.match(refused.error.message, /Envelope refused sensor\.configure on \S+: range \(datasheet\): config\.settle_ms = 5000 is above the maximum 1000/);
    const viaMcp = await call(mcp, 'configure_device', args);
    assert.equal(viaMcp.isError, true);
    assert.match(text(viaMcp), /-32040 ENVELOPE_REFUSED/);
    assert.deepEqual(gh.tap.commands('sensor.configure', from), []);
    const record = await chain(refused.chain_id);
    assert.deepEqual(record.entries.map((e: any) => `${e.tool} ${e.decision} ${e.outcome} ${e.error?.code}`), ['configure_device deny denied -32040']);
  });

  it('"Configure all soil sensors to low-power mode" waits for a person: the token cannot approve, the operator\'s session can', async () => {
    const from = gh.tap.sent.length;
    const result = await execute('Configure all soil sensors to low-power mode', once('configure_device', LOW_POWER));
    const [pending] = result.pending_approvals;
    assert.equal(result.answer, `confirmation_required https://hub.example/#/approvals/${pending.approval_id}`);
    assert.equal(pending.approval_url, `https://hub.example/#/approvals/${pending.approval_id}`);
    assert.deepEqual(gh.tap.commands('sensor.configure', from), [], 'pending: nothing sent');

    const self = await agent.rpc('approval.decide', { id: pending.approval_id, decision: 'approve' });
    assert.equal(self.error?.code, -32031, 'the requesting token cannot approve its own action');
    assert.deepEqual(gh.tap.commands('sensor.configure', from), []);

    const decided = await olive.rpc('approval.decide', { id: pending.approval_id, decision: 'approve' });
    assert.equal(decided.error, undefined, JSON.stringify(decided.error));
    assert.equal(decided.result.outcome.status, 'succeeded');
    assert.equal(decided.result.outcome.command_ids.length, 4);
    assert.deepEqual(gh.tap.commands('sensor.configure', from).map((c) => c.params.sensor_id).sort(), [...gh.soilProbes].sort());

    const record = await chain(pending.approval_id);
    assert.deepEqual(record.entries.map((e: any) => `${e.tool} ${e.decision} ${e.outcome}`), ['configure_device confirm confirmation_required', 'configure_device confirm succeeded']);
    assert.equal(record.entries[1].arguments.approved_by, 'user:olive');
    assert.equal(record.approval.id, pending.approval_id);
    assert.deepEqual(record.approval.decided_by, { principal: 'user:olive', role: 'operator' });
    assert.deepEqual(record.commands.map((c: any) => c.command_id).sort(), [...decided.result.outcome.command_ids].sort());
    assert.ok(record.commands.every((c: any) => c.state === 'succeeded'), 'every probe acknowledged');

    // The same through MCP: the client gets the page, the person approves, the token still cannot.
    const held = await call(mcp, 'configure_device', { ...LOW_POWER, settings: { power_mode: 'continuous' } });
    assert.equal(held.structuredContent.status, 'approval_required');
    assert.equal(held.structuredContent.approval_url, `https://hub.example/#/approvals/${held.structuredContent.approval_id}`);
    assert.equal((await agent.rpc('approval.decide', { id: held.structuredContent.approval_id, decision: 'approve' })).error?.code, -32031);
    const viaPerson = await olive.rpc('approval.decide', { id: held.structuredContent.approval_id, decision: 'approve' });
    assert.equal(viaPerson.result.outcome.status, 'succeeded');
    assert.equal((await chain(held.structuredContent.approval_id)).commands.length, 4);
  });

  it('a grant for the task lets the same command run without asking, until it expires', async () => {
    const byToken = await agent.rpc('grant.create', { tool: 'configure_device', filter: SOIL_FILTER, minutes: 10 });
    assert.equal(byToken.error?.code, -32031, 'only a person grants');
    const grant = await olive.rpc('grant.create', { tool: 'configure_device', filter: SOIL_FILTER, minutes: 10, principal: agent.principal, note: 'soil tuning this morning' });
    assert.equal(grant.error, undefined, JSON.stringify(grant.error));
    assert.deepEqual([...grant.result.device_ids].sort(), [...gh.soilProbes].sort());

    const from = gh.tap.sent.length;
    const result = await execute('Configure all soil sensors to low-power mode', once('configure_device', LOW_POWER));
    assert.equal(result.answer, 'ok');
    assert.equal(result.tool_calls[0].grant_id, grant.result.id);
    assert.equal(gh.tap.commands('sensor.configure', from).length, 4, 'ran without asking');
    const record = await chain(result.tool_calls[0].chain_id);
    assert.deepEqual(record.entries.map((e: any) => `${e.decision} ${e.outcome} ${e.grant_id}`), [`allow succeeded ${grant.result.id}`]);
    assert.equal(record.commands.length, 4);
    const viaMcp = await call(mcp, 'configure_device', LOW_POWER);
    assert.equal(viaMcp.isError, undefined, text(viaMcp));
    assert.equal(JSON.parse(text(viaMcp)).succeeded, 4, 'the MCP client of the same token is covered too');
    const other = await t.hub.tools.call('configure_device', LOW_POWER, { principal: { id: 'token:someone-else', kind: 'token', role: 'operator' }, via: 'mcp' });
    assert.equal(other.status, 'confirmation_required', 'the grant is bound to the principal it names');

    now += 10 * MINUTE + 1;
    const afterExpiry = gh.tap.sent.length;
    const late = await execute('Configure all soil sensors to low-power mode', once('configure_device', LOW_POWER));
    assert.equal(late.tool_calls[0].status, 'confirmation_required', 'held again once the grant expired');
    assert.deepEqual(gh.tap.commands('sensor.configure', afterExpiry), []);
    assert.deepEqual((await olive.rpc('grant.list', {})).result.grants, []);
    assert.equal((await olive.rpc('grant.list', { all: true })).result.grants[0].id, grant.result.id);
  });

  it('refuses a batch over the device cap whole, for the LLM, MCP and a person over /rpc alike', async () => {
    const from = gh.tap.sent.length;
    const all = { where: { type: 'sensor' }, settings: { power_mode: 'low_power' } };
    const allByPerson = { method: 'sensor.configure', filter: { type: 'sensor' }, params: { config: { power_mode: 'low_power' } } };
    const result = await execute('Put every sensor in the greenhouse into low-power mode', once('configure_device', all));
    assert.equal(result.answer, 'error -32040 max_batch_devices');
    assert.match(result.tool_calls[0].error.message, /max_batch_devices \(sensor batches\): \d+ devices selected, at most 4 per batch/);
    assert.equal((await chain(result.tool_calls[0].chain_id)).entries[0].outcome, 'denied');
    assert.match(text(await call(mcp, 'configure_device', all)), /-32040 ENVELOPE_REFUSED/);
    const byPerson = await olive.rpc('batch.execute', allByPerson);
    assert.equal(byPerson.error?.code, -32040);
    assert.equal(byPerson.error?.data.rule, 'max_batch_devices');
    assert.deepEqual(gh.tap.commands('sensor.configure', from), []);
  });

  it('holds a person over /rpc to the same envelope: a value outside the datasheet is refused before it reaches the device', async () => {
    const from = gh.tap.sent.length;
    const probe = gh.zoneA[0]!.soil;
    const refused = await olive.rpc('sensor.configure', { sensor_id: probe, config: { settle_ms: 5000 } });
    assert.equal(refused.error?.code, -32040);
    assert.equal(refused.error?.data.rule, 'range');
    assert.equal(refused.error?.data.maximum, 1000);
    const inside = await olive.rpc('sensor.configure', { sensor_id: probe, config: { settle_ms: 500 } });
    assert.equal(inside.error, undefined, JSON.stringify(inside.error));
    assert.deepEqual(gh.tap.commands('sensor.configure', from).map((c) => c.params.config), [{ settle_ms: 500 }]);
    const envelope = await olive.rpc('envelope.list', { device_id: probe });
    assert.deepEqual(envelope.result.device.config.settle_ms, { minimum: 0, maximum: 1000, sources: ['datasheet'] });
    assert.deepEqual(envelope.result.device.max_batch_devices, { max: 4, envelope: 'sensor batches' });
  });
});
