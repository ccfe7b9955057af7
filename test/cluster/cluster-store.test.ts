/**
 * What cluster instances keep in PostgreSQL beside the registry: expired members awaiting the
 * adoption of their broker sessions, and protocol session state (LwM2M registrations), in a fresh
 * schema of the test machine's PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { openPostgresStores, type PostgresStores } from '../../src/storage/postgres/index.ts';
import { POSTGRES_URL, uniqueSuffix } from '../support/services.ts';

const schema = `llmiot_cstore_${uniqueSuffix()}`;
let stores: PostgresStores;
let db: pg.Client;

before(async () => {
  stores = await openPostgresStores(POSTGRES_URL, { schema });
  db = new pg.Client({ connectionString: POSTGRES_URL });
  await db.connect();
});

after(async () => {
  await stores.close();
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db.end();
});

describe('PostgreSQL cluster store', () => {
  it('lists members whose lease ran out, not live or departed ones, and forgets one only while it stays expired', async () => {
    const { cluster } = stores;
    await cluster.heartbeat('live', 1, 60_000, false);
    await cluster.heartbeat('dead', 1, 60_000, false);
    await cluster.heartbeat('left', 1, 60_000, false);
    await cluster.leave('left');
    await db.query(`UPDATE "${schema}".cluster_members SET expires_at = now() - interval '1 second' WHERE instance = 'dead'`);
    assert.deepEqual(await cluster.expiredMembers(), ['dead']);
    assert.deepEqual((await cluster.members()).map((m) => m.instance), ['live']);
    // A member that came back (a fresh lease) keeps its row.
    await cluster.heartbeat('dead', 2, 60_000, false);
    await cluster.forgetExpired('dead');
    assert.deepEqual((await cluster.members()).map((m) => m.instance), ['dead', 'live']);
    await db.query(`UPDATE "${schema}".cluster_members SET expires_at = now() - interval '1 second' WHERE instance = 'dead'`);
    await cluster.forgetExpired('dead');
    assert.deepEqual(await cluster.expiredMembers(), []);
  });

  it('saves, replaces, reads and removes protocol session state per protocol and key', async () => {
    const { cluster } = stores;
    assert.equal(await cluster.load('lwm2m', 'ep-1'), undefined);
    await cluster.save('lwm2m', 'ep-1', { v: 1, lifetime: 300 }, 1000);
    await cluster.save('lwm2m', 'ep-1', { v: 1, lifetime: 600 }, 2000);
    await cluster.save('other', 'ep-1', { v: 7 }, 2000);
    assert.deepEqual(await cluster.load('lwm2m', 'ep-1'), { v: 1, lifetime: 600 });
    await cluster.remove('lwm2m', 'ep-1');
    assert.equal(await cluster.load('lwm2m', 'ep-1'), undefined);
    assert.deepEqual(await cluster.load('other', 'ep-1'), { v: 7 });
  });
});
