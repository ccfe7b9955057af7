/**
 * Acknowledged means stored, embedded broker: devices publish telemetry at QoS 1 while the hub is
 * killed (SIGKILL) and started again, or restarted cleanly; every reading whose PUBACK a device got
 * must be in the store afterwards (docs/durability.md). One test file per store, so that the two
 * run side by side and each stays well inside the per-file time limit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually } from '../support/eventually.ts';
import { uniqueSuffix } from '../support/services.ts';
import { acknowledgedButLost, CrashHub, Fleet } from './crash-fixture.ts';
import { Lwm2mLoadDevice, lwm2mLoss } from './lwm2m-load-device.ts';

/** Readings per device: four devices at about 1,000 readings a second each, a few seconds of load. */
const LOAD_PER_DEVICE = 2500;
/** LwM2M readings: one endpoint at about 300 Updates a second. */
const LWM2M_LOAD = 1200;

/** The crash cases against one store (`undefined`: the embedded SQLite file). */
export function embeddedCrashCases(name: string, store: string | undefined): void {
  describe(`embedded broker + ${name}: acknowledged means stored`, () => {
    it('loses no acknowledged reading when the hub is killed (SIGKILL) under QoS 1 load', async () => {
      const hub = new CrashHub(store === undefined ? {} : { store });
      const fleet = new Fleet(4);
      try {
        await hub.start();
        await fleet.connect(hub.mqttUrl);
        fleet.start(LOAD_PER_DEVICE);
        await fleet.ackedMore(1500);
        await hub.kill();
        await hub.start();
        await fleet.drain();
        const loss = await acknowledgedButLost(hub, fleet);
        assert.deepEqual({ lost: loss.lost, sample: loss.sample }, { lost: 0, sample: [] }, `${loss.lost} of ${loss.acked} acknowledged readings lost`);
        assert.equal(loss.acked, fleet.sent, 'every reading published was acknowledged');
      } finally {
        await fleet.close();
        await hub.close();
      }
    });

    // The device resends its unacknowledged Updates right after the restarted hub's CONNACK, one at a
    // time; the first is refused 4.04 (the registration was in the old hub's memory) within a few turns.
    it('LwM2M: loses no acknowledged Update value when the hub is killed (SIGKILL) under QoS 1 load', async () => {
      const hub = new CrashHub(store === undefined ? {} : { store });
      const device = new Lwm2mLoadDevice(`crash-lw-${uniqueSuffix()}`);
      const since = Date.now() - 1000;
      try {
        await hub.start();
        await device.connect(hub.mqttUrl);
        device.startLoad(LWM2M_LOAD);
        await eventually(() => device.acked.size >= LWM2M_LOAD / 3, 60_000, 'LwM2M load flowing');
        const crashAt = Date.now();
        await hub.kill();
        await hub.start();
        await device.drain();
        const loss = await lwm2mLoss(hub, device, crashAt, since);
        assert.deepEqual(loss.lost, [], `${loss.lost.length} of ${loss.expected} acknowledged LwM2M readings lost`);
        assert.ok(loss.expected >= LWM2M_LOAD / 3, `${loss.expected} readings checked`);
      } finally {
        await device.close();
        await hub.close();
      }
    });

    it('loses no acknowledged reading across a clean hub restart (SIGTERM) under QoS 1 load', async () => {
      const hub = new CrashHub(store === undefined ? {} : { store });
      const fleet = new Fleet(4);
      try {
        await hub.start();
        await fleet.connect(hub.mqttUrl);
        fleet.start(LOAD_PER_DEVICE);
        await fleet.ackedMore(1500);
        assert.equal(await hub.stop(), 0);
        await hub.start();
        await fleet.drain();
        const loss = await acknowledgedButLost(hub, fleet);
        assert.deepEqual({ lost: loss.lost, sample: loss.sample }, { lost: 0, sample: [] }, `${loss.lost} of ${loss.acked} acknowledged readings lost`);
      } finally {
        await fleet.close();
        await hub.close();
      }
    });
  });
}
