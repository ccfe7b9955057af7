/**
 * Acknowledged means stored, embedded broker: devices publish telemetry at QoS 1 while the hub is
 * killed (SIGKILL) and started again, or restarted cleanly; every reading whose PUBACK a device got
 * must be in the store afterwards (docs/durability.md).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { eventually } from '../support/eventually.ts';
import { POSTGRES_URL, uniqueSuffix } from '../support/services.ts';
import { acknowledgedButLost, CrashHub, Fleet } from './crash-fixture.ts';
import { Lwm2mLoadDevice, lwm2mLoss } from './lwm2m-load-device.ts';

const pgSchema = `llmiot_crash_${uniqueSuffix()}`;
after(async () => {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${pgSchema}" CASCADE`);
  await client.end();
});

/** Readings per device: four devices at about 1,000 readings a second each, a few seconds of load. */
const LOAD_PER_DEVICE = 2500;
/** LwM2M readings: one endpoint at about 300 Updates a second. */
const LWM2M_LOAD = 1200;

const STORES: readonly [string, string | undefined][] = [
  ['SQLite', undefined],
  ['PostgreSQL', `${POSTGRES_URL}?schema=${pgSchema}`],
];

for (const [name, store] of STORES) {
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
