/** Over real MQTT: a device cannot answer another device's command (the device port refuses it). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeviceLink, eventually, startTestHub, type TestHub } from '../support/test-hub.ts';

async function register(t: TestHub, clientId: string): Promise<{ link: DeviceLink; id: string }> {
  const link = await DeviceLink.open(await t.device(clientId), clientId);
  const reg = await link.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3' } });
  return { link, id: reg.result.device_id };
}

describe('answers to hub commands over the native protocol', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(async () => t.close());

  it("refuses an answer from a device that is not the command's target, counts it, and still takes the target's own", async () => {
    const target = await register(t, 'forge-target');
    const forger = await register(t, 'forge-other');
    const sent = await t.rpc('mcu.get_config', { mcu_id: target.id, async: true });
    const commandId: string = sent.result.command_id;
    await eventually(() => target.link.commands.find((c) => c.id === commandId), 10_000, 'the command on the target');

    forger.link.send({ jsonrpc: '2.0', id: commandId, result: { config: { forged: true } } });
    await eventually(async () => (await t.hub.metrics.registry.metrics()).match(/llmiot_messages_rejected_total\{protocol="native",reason="foreign_answer"\} 1/), 10_000, 'the refusal counted');
    const waiting = await t.rpc('command.get', { command_id: commandId });
    assert.equal(waiting.result.state, 'sent');

    target.link.send({ jsonrpc: '2.0', id: commandId, result: { config: { telemetry_interval_ms: 500 } } });
    const done = await t.rpc('command.get', { command_id: commandId, wait: true });
    assert.equal(done.result.state, 'succeeded');
    assert.deepEqual(done.result.result, { config: { telemetry_interval_ms: 500 } });
  });
});
