/** The documented simulator flows under --device-auth credentials: a mixed fleet logs in with the enrollment key or its own secrets. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Fleet } from '../../src/simulator/index.ts';
import { eventually, startTestHub, type TestHub } from '../support/test-hub.ts';

const KEY = 'fleet-key-for-simulator-tests';

describe('simulated fleets against a hub under --device-auth credentials', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub({ deviceAuth: 'credentials', enrollmentKey: KEY });
  });
  after(async () => t.close());

  const run = async (fleet: Fleet): Promise<void> => {
    try {
      await fleet.start();
      // Native MCUs register over JSON-RPC; dual devices birth over Sparkplug and register over LwM2M.
      await eventually(() => fleet.devices.every((d) => t.hub.registry.getByHardwareId(d.hardwareId)?.status === 'online'), 30_000, 'every device online');
      await eventually(() => fleet.summary().totals.telemetryMessages >= fleet.devices.length, 30_000, 'telemetry from the fleet');
    } finally {
      await fleet.stop();
    }
    assert.equal(fleet.summary().failures.length, 0, JSON.stringify(fleet.summary().failures));
  };

  it('a mixed native / Sparkplug + LwM2M fleet joins with the enrollment key and stays within its ACL', async () => {
    const fleet = new Fleet({ url: t.mqttUrl, count: 4, protocol: 'mixed', idPrefix: 'enrol', passwordFor: () => KEY, hostId: t.hub.config.sparkplugHostId, telemetryIntervalMs: 100, lwm2mIntervalMs: 200, heartbeatIntervalMs: 1000 });
    await run(fleet);
    const metrics = await t.hub.metrics.registry.metrics();
    assert.doesNotMatch(metrics, /llmiot_device_auth_denied_total\{stage="(publish|subscribe)",reason="[a-z_]+"\} [1-9]/, 'an honest fleet is never refused');
  });

  it('devices logging in with their own credentials join the same way', async () => {
    const ids = ['own-esp32-s3-001', 'own-pico-w-001'];
    const secrets = new Map<string, string>();
    for (const id of ids) secrets.set(id, (await t.rpc('device.credentials.create', { hardware_id: id })).result.password);
    await run(new Fleet({ url: t.mqttUrl, count: 2, protocol: 'mixed', idPrefix: 'own', boards: ['esp32-s3', 'pico-w'], passwordFor: (id) => secrets.get(id), hostId: t.hub.config.sparkplugHostId, telemetryIntervalMs: 100, lwm2mIntervalMs: 200 }));
  });
});
