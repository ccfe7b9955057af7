/**
 * llm.execute_command under an --llm-policy file that lets the LLM configure soil probes directly,
 * and dry_run, which holds even allowed writes for approval.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestHub, type TestHub } from '../support/test-hub.ts';
import { decideAsPerson } from '../support/people.ts';
import { greenhouse, type Greenhouse } from './greenhouse.ts';
import { ScriptedModel, type Script } from './scripted-model.ts';

const SOIL_LOW_POWER = { where: { measurement: 'soil_moisture' }, settings: { power_mode: 'low_power' } };

/** The model: configure the soil probes (after listing them), then report what the hub said. */
const configureSoil: Script = (c) => {
  if (c.turns === 0) return { tool_calls: [{ name: 'find_devices', arguments: { measurement: 'soil_moisture' } }] };
  if (c.turns === 1) return { tool_calls: [{ name: 'configure_device', arguments: SOIL_LOW_POWER }] };
  const [batch] = c.lastResults();
  if (batch?.output.status === 'ok') return { content: `Configured ${batch.output.result.succeeded} of ${batch.output.result.total} soil sensors to low-power mode.` };
  return { content: `Not done: ${batch?.output.status} (${batch?.output.reason}).` };
};

describe('llm.execute_command with a policy file', () => {
  let dir: string;
  let model: ScriptedModel;
  let t: TestHub;
  let gh: Greenhouse;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llmiot-policy-'));
    const policy = join(dir, 'policy.json');
    writeFileSync(
      policy,
      JSON.stringify({
        // Rules written for the method names (sensor_configure = sensor.configure) still match the verb tools' calls.
        rules: [{ tools: ['sensor_configure', 'batch_execute'], models: ['Simple Soil Moisture Sensor', 'Capacitive Soil Moisture Sensor v1.2'], action: 'allow' }],
      }),
    );
    model = await ScriptedModel.start();
    t = await startTestHub({ llmProvider: 'openai-compatible', llmBaseUrl: model.baseUrl, llmModel: 'scripted', llmMaxRetries: 0, llmPolicy: policy });
    gh = await greenhouse(t);
  });
  after(async () => {
    await gh.close();
    await t.close();
    await model.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('configures the soil probes at once when the policy allows it', async () => {
    const from = gh.tap.sent.length;
    model.play(configureSoil);
    const answer = await t.rpc('llm.execute_command', { command: 'Configure all soil sensors to low-power mode' });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    const result = answer.result;
    assert.deepEqual(result.tool_calls.map((c: { tool: string; status: string }) => `${c.tool} ${c.status}`), ['find_devices ok', 'configure_device ok']);
    assert.deepEqual(result.pending_approvals, []);
    assert.equal(result.answer, 'Configured 4 of 4 soil sensors to low-power mode.');
    const configured = gh.tap.commands('sensor.configure', from);
    assert.deepEqual(configured.map((c) => c.params.sensor_id).sort(), [...gh.soilProbes].sort());
    for (const command of configured) assert.deepEqual(command.params.config, { power_mode: 'low_power' });
    const [entry] = (await t.rpc('audit.list', { tool: 'configure_device', limit: 1 })).result.entries;
    assert.equal(entry.decision, 'allow');
    assert.equal(entry.outcome, 'succeeded');
  });

  it('still holds writes the rule does not cover (a BMP580) for a person', async () => {
    const from = gh.tap.sent.length;
    const bmp = gh.zoneA[0]!.bmp;
    model.play((c) =>
      c.turns === 0
        ? { tool_calls: [{ name: 'configure_device', arguments: { device: bmp, settings: { power_mode: 'standby' } } }] }
        : { content: `BMP580: ${c.lastResults()[0]?.output.status}` },
    );
    const result = (await t.rpc('llm.execute_command', { command: 'Put the Zone A BMP580 in standby' })).result;
    assert.equal(result.answer, 'BMP580: confirmation_required');
    assert.equal(result.pending_approvals[0].plan.devices[0].device_id, bmp);
    assert.deepEqual(gh.tap.commands('sensor.configure', from), []);
  });

  it('dry_run: runs the reads, holds even allowed writes, and a person\'s approval executes the plan', async () => {
    const from = gh.tap.sent.length;
    model.play(configureSoil);
    const answer = await t.rpc('llm.execute_command', { command: 'Configure all soil sensors to low-power mode', dry_run: true });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    const result = answer.result;
    assert.equal(result.dry_run, true);
    assert.deepEqual(result.tool_calls.map((c: { tool: string; status: string }) => `${c.tool} ${c.status}`), ['find_devices ok', 'configure_device confirmation_required']);
    assert.equal(result.tool_calls[0].result.total, 4, 'reads still run');
    assert.equal(result.pending_approvals.length, 1);
    assert.match(result.pending_approvals[0].reason, /^dry run; without it: policy rule 1 \(allow\)/);
    assert.match(result.answer, /^Not done: confirmation_required/);
    assert.deepEqual(gh.tap.commands('sensor.configure', from), [], 'nothing was sent in a dry run');
    assert.match(model.requests[0]!.body.messages[0]?.content ?? '', /DRY RUN/);

    const confirmed = await decideAsPerson(t, result.pending_approvals[0].approval_id);
    assert.equal(confirmed.outcome?.status, 'succeeded', JSON.stringify(confirmed));
    assert.equal((confirmed.outcome?.result as { succeeded: number }).succeeded, 4);
    assert.equal(gh.tap.commands('sensor.configure', from).length, 4);
  });
});
