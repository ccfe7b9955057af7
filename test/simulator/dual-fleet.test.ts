/** Mixed fleets in process: native and dual-protocol devices side by side, per-protocol progress and summary. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DualProtocolDevice, Fleet, formatProgress, SimulatedMcu, SimulatorError } from '../../src/simulator/index.ts';
import { DualFakeHost } from './dual-fake-host.ts';
import { FakeHub } from './fake-hub.ts';

describe('Fleet with a protocol mix', () => {
  let hub: FakeHub;
  let host: DualFakeHost;

  before(async () => {
    hub = await FakeHub.start();
    host = await DualFakeHost.start('llm-iot', hub.broker);
    await host.state(true);
  });
  after(async () => {
    await host.close();
    await hub.close();
  });

  it('runs native and dual devices side by side and reports sent / acknowledged per protocol', async () => {
    const fleet = new Fleet({ count: 4, protocol: 'mixed', idPrefix: 'mixed', streamBuilder: hub.streamBuilder, telemetryIntervalMs: 30, heartbeatIntervalMs: 1000, lwm2mIntervalMs: 80 });
    assert.deepEqual(
      fleet.devices.map((d) => [d.hardwareId, d instanceof DualProtocolDevice ? 'dual' : 'native']),
      [
        ['mixed-esp32-s3-001', 'native'],
        ['mixed-pico-w-001', 'dual'],
        ['mixed-nano33-iot-001', 'native'],
        ['mixed-esp32-s3-002', 'dual'],
      ],
    );
    assert.deepEqual(
      fleet.dualDevices.map((d) => d.hardwareId),
      ['mixed-pico-w-001', 'mixed-esp32-s3-002'],
    );
    assert.equal(fleet.mcus.length, 2);
    try {
      await fleet.start();
      await host.until(() =>
        fleet.dualDevices.every((d) => host.sparkplug(d.hardwareId, 'DDATA').length >= 2 && host.lwm2m(d.hardwareId, 'update').length >= 2) &&
        fleet.mcus.every((m) => hub.sent(m.hardwareId, 'telemetry.report').length >= 2),
      );
      const progress = fleet.progress();
      assert.equal(progress.registered, 4);
      assert.deepEqual(
        Object.fromEntries(Object.entries(progress.perProtocol).map(([p, t]) => [p, [t.devices, t.active]])),
        { native: [2, 2], sparkplug: [2, 2], lwm2m: [2, 2] },
      );
      assert.match(formatProgress(progress), /4\/4 registered .*\|  native \d+\/\d+  sparkplug \d+\/\d+  lwm2m \d+\/\d+$/);
    } finally {
      await fleet.stop();
    }
    const summary = fleet.summary();
    const { native, sparkplug, lwm2m } = summary.perProtocol;
    assert.ok(native && sparkplug && lwm2m);
    assert.equal(native.sent + sparkplug.sent + lwm2m.sent, summary.totals.sent);
    assert.equal(native.acknowledged + sparkplug.acknowledged + lwm2m.acknowledged, summary.totals.acknowledged);
    for (const totals of [native, sparkplug, lwm2m]) assert.ok(totals.acknowledged > 0 && totals.acknowledged <= totals.sent);
    assert.ok(sparkplug.telemetryMessages >= 8, 'NDATA + DDATA of two devices');
    assert.ok(lwm2m.telemetryMessages >= 4, 'LwM2M updates of two devices');
    assert.equal(summary.perBoard['pico-w']?.mcus, 1);
    assert.equal(summary.failures.length, 0);
  });

  it('takes a ratio as a round-robin pattern, keeps the native-only progress line, and refuses an unknown protocol', () => {
    const ratio = new Fleet({ count: 6, protocol: ['native', 'dual', 'dual'], streamBuilder: hub.streamBuilder });
    assert.deepEqual(
      ratio.devices.map((d) => (d instanceof SimulatedMcu ? 'n' : 'd')).join(''),
      'nddndd',
    );
    const dual = new Fleet({ count: 2, protocol: 'dual', streamBuilder: hub.streamBuilder, groupId: 'Plant7', hostId: null });
    assert.deepEqual(
      dual.dualDevices.map((d) => d.groupId),
      ['Plant7', 'Plant7'],
    );
    const native = new Fleet({ count: 1, streamBuilder: hub.streamBuilder });
    assert.doesNotMatch(formatProgress(native.progress()), /\|/);
    assert.throws(() => new Fleet({ protocol: ['native', 'coap' as 'native'] }), (error: unknown) => error instanceof SimulatorError && error.code === 'INVALID_OPTIONS');
  });
});
