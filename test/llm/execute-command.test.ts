/**
 * llm.execute_command end to end: a scripted OpenAI-compatible model on loopback drives the real hub
 * (embedded broker, SQLite) over a greenhouse of scripted and simulated devices. Each scenario checks
 * what the model was offered and sent back, what the devices received, and what the caller was told.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestHub, eventually, type TestHub } from '../support/test-hub.ts';
import { decideAsPerson } from '../support/people.ts';
import { greenhouse, type Greenhouse } from './greenhouse.ts';
import { ScriptedModel } from './scripted-model.ts';

const HOUR = 3_600_000;

describe('llm.execute_command over a greenhouse', () => {
  let model: ScriptedModel;
  let t: TestHub;
  let gh: Greenhouse;

  before(async () => {
    model = await ScriptedModel.start();
    t = await startTestHub({ llmProvider: 'openai-compatible', llmBaseUrl: model.baseUrl, llmModel: 'scripted-greenhouse', llmMaxRetries: 0 });
    gh = await greenhouse(t);
  });
  after(async () => {
    await gh.close();
    await t.close();
    await model.close();
  });

  async function execute(params: Record<string, unknown>): Promise<any> {
    const answer = await t.rpc('llm.execute_command', params);
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    return answer.result;
  }

  async function audit(params: Record<string, unknown>): Promise<any[]> {
    const answer = await t.rpc('audit.list', params);
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    return answer.result.entries;
  }

  it("answers \"What's the average temperature in Zone A for the past 24 hours?\" with the real average, through query_telemetry", async () => {
    // Zone A temperatures inside the window (their mean is 22.25), one too old, and soil data that must not count.
    const now = Date.now();
    const [a1, a2] = gh.zoneA;
    const series: [string, number[]][] = [
      [a1!.bmp, [20, 21, 22, 23, 24, 25]],
      [a2!.bmp, [18, 19.5, 21, 22.5, 24, 27]],
    ];
    const inWindow = series.flatMap(([, values]) => values);
    const expected = inWindow.reduce((a, b) => a + b, 0) / inWindow.length;
    for (const [node, [sensor, values]] of [a1!, a2!].map((n, i) => [n, series[i]!] as const)) {
      node.link.notify('telemetry.report', {
        readings: [
          ...values.map((value, i) => ({ sensor_id: sensor, measurement_type: 'temperature', value, timestamp: new Date(now - (i + 1) * 3 * HOUR).toISOString() })),
          { sensor_id: sensor, measurement_type: 'temperature', value: 99, timestamp: new Date(now - 30 * HOUR).toISOString() },
          { sensor_id: node.soil, measurement_type: 'soil_moisture', value: 55, timestamp: new Date(now - HOUR).toISOString() },
        ],
      });
    }
    await eventually(async () => {
      const stored = await t.rpc('data.query', { filter: { zone: 'Zone A' }, measurement_types: ['temperature'], time_range: { last: '48h' } });
      return stored.result?.series?.reduce((n: number, s: { points: unknown[] }) => n + s.points.length, 0) === inWindow.length + 2;
    }, 10_000, 'Zone A telemetry stored');

    model.play((c) => {
      if (c.turns === 0) {
        return {
          tool_calls: [
            {
              name: 'query_telemetry',
              arguments: { where: { zone: 'Zone A' }, measurements: ['temperature'], last: '24h' },
            },
          ],
        };
      }
      const [query] = c.lastResults();
      const summary = query?.output.result.series[0].summary;
      return { content: `The average temperature in Zone A over the past 24 hours was ${summary.mean.toFixed(2)} °C (${summary.count} readings).` };
    });
    const result = await execute({ command: "What's the average temperature in Zone A for the past 24 hours?" });

    assert.match(result.answer, new RegExp(`${expected.toFixed(2)} °C \\(12 readings\\)`));
    assert.equal(result.provider, 'openai-compatible');
    assert.equal(result.model, 'scripted-greenhouse');
    assert.equal(result.steps, 2);
    assert.equal(result.step_limit_reached, false);
    assert.deepEqual(result.pending_approvals, []);
    assert.equal(result.tool_calls.length, 1);
    assert.equal(result.tool_calls[0].tool, 'query_telemetry');
    assert.equal(result.tool_calls[0].status, 'ok');
    assert.deepEqual(result.tool_calls[0].arguments.where, { zone: 'Zone A' });
    assert.ok(Math.abs(result.tool_calls[0].result.series[0].summary.mean - expected) < 1e-4);
    assert.equal(result.tool_calls[0].result.series[0].unit, 'Cel');

    // What the model was offered and told.
    assert.equal(model.requests.length, 2);
    for (const request of model.requests) {
      assert.equal(request.path, '/v1/chat/completions');
      assert.notEqual(request.body.stream, true, 'non-streaming (Ollama drops streamed tool calls)');
      assert.equal(request.body.model, 'scripted-greenhouse');
    }
    const first = model.requests[0]!.body;
    const offered = (first.tools ?? []).map((tool) => tool.function.name);
    assert.deepEqual(offered, ['find_devices', 'describe_device', 'read_device', 'query_telemetry', 'configure_device', 'run_command', 'update_device', 'command_history'], 'the same verb tools as MCP');
    for (const name of ['llm_execute_command', 'approval_decide', 'approval_list', 'grant_create', 'audit_list', 'audit_chain', 'rpc_discover']) assert.ok(!offered.includes(name), `does not offer ${name}`);
    const configure = first.tools?.find((tool) => tool.function.name === 'configure_device')?.function;
    assert.equal(configure?.parameters.type, 'object');
    assert.ok(configure?.parameters.properties.settings, 'the tool\'s JSON Schema');
    assert.equal(configure?.parameters.properties.confirm_token, undefined, 'no approval token to pass');
    const system = first.messages[0]!;
    assert.equal(system.role, 'system');
    assert.match(system.content ?? '', /Zone A/);
    assert.match(system.content ?? '', new RegExp(gh.zoneA[0]!.bmp));
    assert.match(system.content ?? '', /Never invent ids/);
    assert.match(system.content ?? '', /NOTHING was done/);
    assert.equal(first.messages[1]?.content, "What's the average temperature in Zone A for the past 24 hours?");
    const sentBack = model.requests[1]!.body.messages.find((m) => m.role === 'tool');
    assert.ok(Math.abs(JSON.parse(sentBack?.content ?? '{}').result.series[0].summary.mean - expected) < 1e-4, 'the hub sent the real average back to the model');
  });

  it('takes the seed command as written and reads every BMP580 through find_devices and read_device', async () => {
    const from = gh.tap.sent.length;
    model.play((c) => {
      if (c.turns === 0) return { tool_calls: [{ name: 'find_devices', arguments: { model: 'BMP580', tag: 'greenhouse' } }] };
      const [last] = c.lastResults();
      if (last?.name === 'find_devices') {
        return { tool_calls: last.output.result.devices.map((d: { id: string }) => ({ name: 'read_device', arguments: { device: d.id, measurements: ['temperature'] } })) };
      }
      const lines = c.lastResults().map((r) => `${r.output.result.sensor_id}: ${r.output.result.readings[0].value} °C`);
      return { content: `Temperatures of ${lines.length} BMP580 sensors:\n${lines.join('\n')}` };
    });
    const result = await execute({ command: 'Read temperature from all BMP580 sensors in the greenhouse' });

    assert.equal(result.tool_calls[0].tool, 'find_devices');
    const reads = result.tool_calls.slice(1);
    assert.ok(reads.every((call: { tool: string; status: string }) => call.tool === 'read_device' && call.status === 'ok'), JSON.stringify(reads));
    const readIds = reads.map((call: { arguments: { device: string } }) => call.arguments.device);
    assert.deepEqual([...readIds].sort(), [...gh.bmp580s].sort());
    assert.deepEqual(readIds, result.tool_calls[0].result.devices.map((d: { id: string }) => d.id), 'in the order the model made the calls');
    // The devices themselves were asked, each BMP580 once, nothing else.
    await gh.tap.seen('sensor.read', gh.bmp580s.length, from);
    const sent = gh.tap.sent.slice(from);
    assert.deepEqual(sent.map((c) => c.method).sort(), gh.bmp580s.map(() => 'sensor.read'));
    assert.deepEqual(sent.map((c) => c.params.sensor_id).sort(), [...gh.bmp580s].sort());
    for (const [sensor, value] of Object.entries(gh.liveTemperature)) assert.match(result.answer, new RegExp(`${sensor}: ${value} °C`));
    for (const call of reads) assert.equal(typeof call.result.readings[0].value, 'number');
    assert.match(result.answer, /Temperatures of 4 BMP580 sensors/);
  });

  it('passes DEVICE_NOT_FOUND back to the model for an unknown device, and the answer says so', async () => {
    const from = gh.tap.sent.length;
    model.play((c) => {
      if (c.turns === 0) return { tool_calls: [{ name: 'read_device', arguments: { device: 'greenhouse-z9' } }] };
      const [read] = c.lastResults();
      return read?.output.status === 'error' && read.output.error.code === -32001
        ? { content: `There is no device "greenhouse-z9" in the fleet (${read.output.error.message}).` }
        : { content: 'It is 21 °C.' };
    });
    const result = await execute({ command: 'Read the temperature of greenhouse-z9' });
    assert.equal(result.tool_calls[0].status, 'error');
    assert.equal(result.tool_calls[0].error.code, -32001);
    assert.match(result.answer, /There is no device "greenhouse-z9" in the fleet \(device not found: greenhouse-z9\)/);
    assert.equal(gh.tap.sent.length, from, 'nothing sent to any device');
    const [entry] = await audit({ tool: 'read_device', outcome: 'failed', limit: 1 });
    assert.deepEqual(entry.arguments, { device: 'greenhouse-z9' });
    assert.equal(entry.error.code, -32001);
  });

  it('reports a call of a tool that does not exist as an error, sent back to the model', async () => {
    model.play((c) => (c.turns === 0 ? { tool_calls: [{ name: 'sensor_teleport', arguments: { sensor_id: 'pico-gh-a1' } }] } : { content: `I cannot: ${JSON.stringify(c.lastResults()[0]?.output)}` }));
    const result = await execute({ command: 'Teleport the soil sensor to Zone B' });
    assert.equal(result.tool_calls.length, 1);
    assert.equal(result.tool_calls[0].tool, 'sensor_teleport');
    assert.equal(result.tool_calls[0].status, 'error');
    assert.equal(result.tool_calls[0].error.code, -32601);
    assert.match(result.answer, /unavailable tool 'sensor_teleport'/);
  });

  it('holds "Configure all soil sensors to low-power mode" for a person; once approved it configures every probe', async () => {
    const from = gh.tap.sent.length;
    model.play((c) => {
      if (c.turns === 0) {
        return { tool_calls: [{ name: 'configure_device', arguments: { where: { measurement: 'soil_moisture' }, settings: { power_mode: 'low_power' } } }] };
      }
      const [held] = c.lastResults();
      return held?.output.status === 'confirmation_required'
        ? { content: `Nothing has changed yet: setting ${held.output.would_act_on.length} soil sensors to low-power mode awaits your approval at ${held.output.approval_url}.` }
        : { content: 'Done.' };
    });
    const result = await execute({ command: 'Configure all soil sensors to low-power mode' });

    assert.equal(result.tool_calls.length, 1);
    assert.equal(result.tool_calls[0].status, 'confirmation_required');
    assert.equal(result.pending_approvals.length, 1);
    const [pending] = result.pending_approvals;
    assert.equal(result.tool_calls[0].approval_id, pending.approval_id);
    assert.equal(pending.approval_url, `/#/approvals/${pending.approval_id}`, 'no --public-url: the dashboard route alone');
    assert.equal(pending.plan.tool, 'configure_device');
    assert.equal(pending.plan.method, 'batch.execute');
    assert.equal(pending.plan.kind, 'write');
    assert.deepEqual(pending.plan.arguments.settings, { power_mode: 'low_power' });
    assert.deepEqual(pending.plan.devices.map((d: { device_id: string }) => d.device_id).sort(), [...gh.soilProbes].sort());
    assert.match(pending.reason, /default for write tools \(confirm\)/);
    assert.equal(result.answer, `Nothing has changed yet: setting 4 soil sensors to low-power mode awaits your approval at /#/approvals/${pending.approval_id}.`);
    const toldModel = JSON.parse(model.requests[1]!.body.messages.find((m) => m.role === 'tool')?.content ?? '{}');
    assert.equal(toldModel.executed, false);
    assert.match(toldModel.note, /NOT executed/);
    assert.deepEqual(gh.tap.commands('sensor.configure', from), [], 'nothing was sent to the devices');
    const [held] = await audit({ tool: 'configure_device', limit: 1 });
    assert.equal(held.outcome, 'confirmation_required');
    assert.equal(held.decision, 'confirm');
    assert.equal(held.via, 'llm');
    assert.equal(held.principal, 'local', 'the loopback caller of a hub without credentials');
    assert.equal(held.role, 'admin');
    assert.equal(held.client, '127.0.0.1');
    assert.deepEqual([...held.device_ids].sort(), [...gh.soilProbes].sort());

    // The local caller of a hub without credentials is not a person: it cannot approve.
    const byLocal = await t.rpc('approval.decide', { id: pending.approval_id, decision: 'approve' });
    assert.equal(byLocal.error?.code, -32031);
    const confirmed = await decideAsPerson(t, pending.approval_id);
    assert.equal(confirmed.outcome?.status, 'succeeded');
    const batchResult = confirmed.outcome?.result as { total: number; succeeded: number };
    assert.equal(batchResult.total, 4);
    assert.equal(batchResult.succeeded, 4, JSON.stringify(batchResult));
    assert.equal(confirmed.outcome?.command_ids?.length, 4);
    const configured = await gh.tap.seen('sensor.configure', gh.soilProbes.length, from);
    assert.deepEqual(configured.map((c) => c.params.sensor_id).sort(), [...gh.soilProbes].sort());
    for (const command of configured) assert.deepEqual(command.params.config, { power_mode: 'low_power' });
    for (const mcu of gh.zoneB) {
      const probe = mcu.sensors().find((s) => s.kind === 'soil-moisture');
      assert.equal(probe?.model.config()['power_mode'], 'low_power', `${mcu.sensors()[0]?.hardwareId} applied it`);
    }
    const [done] = await audit({ tool: 'configure_device', outcome: 'succeeded', limit: 1 });
    assert.equal(done.decision, 'confirm');
    assert.deepEqual(done.arguments.settings, { power_mode: 'low_power' });

    assert.equal(done.approval_id, pending.approval_id);
    assert.equal(done.chain_id, held.chain_id, 'the held call and its approved run are one chain');
    await assert.rejects(decideAsPerson(t, pending.approval_id), /is approved, not pending/);
  });

  it('does not let the model approve its own plan by passing an approval id back', async () => {
    const from = gh.tap.sent.length;
    const soil = gh.zoneA[0]!.soil;
    model.play((c) => {
      const [last] = c.lastResults();
      if (c.turns === 0) return { tool_calls: [{ name: 'configure_device', arguments: { device: soil, settings: { power_mode: 'continuous' } } }] };
      if (c.turns === 1) return { tool_calls: [{ name: 'configure_device', arguments: { device: soil, settings: { power_mode: 'continuous' }, confirm_token: last?.output.approval_id } }] };
      return { content: `Still waiting: ${last?.output.status}` };
    });
    const result = await execute({ command: 'Put the first soil probe back to continuous mode, approve it yourself' });
    assert.deepEqual(result.tool_calls.map((call: { status: string }) => call.status), ['confirmation_required', 'error']);
    assert.equal(result.tool_calls[1].error.code, -32602, 'the tool takes no token: refused by its schema');
    assert.equal(result.pending_approvals.length, 1);
    assert.equal(result.answer, 'Still waiting: error');
    assert.deepEqual(gh.tap.commands('sensor.configure', from), []);
  });

  it('denies a destructive reboot: nothing sent, the answer says so, the audit log has it', async () => {
    const from = gh.tap.sent.length;
    model.play((c) => {
      if (c.turns === 0) return { tool_calls: [{ name: 'run_command', arguments: { device: 'esp32-gh-b1', command: 'reboot' } }] };
      const [reboot] = c.lastResults();
      return { content: reboot?.output.status === 'denied' ? `I am not allowed to reboot esp32-gh-b1: ${reboot.output.reason}` : 'Rebooted.' };
    });
    const result = await execute({ command: 'Reboot esp32-gh-b1' });
    assert.equal(result.tool_calls[0].status, 'denied');
    assert.match(result.tool_calls[0].reason, /default for destructive tools \(deny\)/);
    assert.deepEqual(result.pending_approvals, []);
    assert.match(result.answer, /^I am not allowed to reboot esp32-gh-b1/);
    assert.deepEqual(gh.tap.commands('mcu.reboot', from), []);
    assert.equal(gh.zoneB[0]!.stats().reboots, 0);
    const [entry] = await audit({ outcome: 'denied', tool: 'run_command' });
    assert.equal(entry.decision, 'deny');
    assert.equal(entry.principal, 'local');
    assert.deepEqual(entry.arguments, { device: 'esp32-gh-b1', command: 'reboot' });
    assert.equal(entry.error.code, -32021);
    assert.deepEqual(entry.device_ids, [gh.zoneB[0]!.deviceId]);
  });

  it('stops at max_steps (never above --llm-max-steps), answering with what was done', async () => {
    model.play(() => ({ tool_calls: [{ name: 'find_devices', arguments: { type: 'mcu' } }] }));
    const short = await execute({ command: 'Keep listing MCUs', max_steps: 3 });
    assert.equal(short.steps, 3);
    assert.equal(short.step_limit_reached, true);
    assert.equal(short.tool_calls.length, 3);
    assert.match(short.answer, /Stopped at the step limit \(3 model steps\) before the model finished\. Done so far: find_devices ok ×3\./);
    const capped = await execute({ command: 'Keep listing MCUs', max_steps: 100 });
    assert.equal(capped.steps, 10, '--llm-max-steps default');
    assert.equal(capped.step_limit_reached, true);
  });

  it('lists audit entries with snake_case fields, filtered by tool, principal, outcome and time', async () => {
    const since = Date.now() - 60_000;
    const all = await audit({ since: new Date(since).toISOString(), limit: 1000 });
    assert.ok(all.length >= 10, `${all.length} entries`);
    for (const entry of all) {
      const optional = new Set(['error', 'chain_id', 'approval_id', 'grant_id', 'command_ids']);
      assert.deepEqual(Object.keys(entry).filter((k) => !optional.has(k)).sort(), ['arguments', 'at', 'client', 'decision', 'device_ids', 'id', 'method', 'outcome', 'principal', 'role', 'tool', 'via']);
      // The JSON-RPC method the call ran: the same name a JSON-RPC call of it gets.
      assert.match(String(entry.method), /^[a-z0-9_]+\.[a-z0-9_.]+$/, `${entry.tool} → ${String(entry.method)}`);
      assert.ok(Date.parse(entry.at) >= since);
      // The LLM's tool calls, and the caller's own writes over HTTP (llm.execute_command, a refused approval.decide).
      assert.ok(entry.via === 'llm' || (entry.via === 'http' && /^(llm_|approval_)/.test(entry.tool)), `${entry.via} ${entry.tool}`);
      if (entry.via === 'llm') assert.equal(typeof entry.chain_id, 'string', 'every LLM tool call has its chain');
    }
    const reads = await audit({ tool: 'read_device', outcome: 'succeeded' });
    assert.ok(gh.bmp580s.every((id) => reads.some((e) => e.arguments.device === id)));
    assert.deepEqual(await audit({ principal: 'someone-else' }), []);
    const bad = await t.rpc('audit.list', { outcome: 'exploded' });
    assert.equal(bad.error?.code, -32602);
  });
});
