/**
 * PostgreSQL backend: both store contracts against the test machine's PostgreSQL, in a fresh schema
 * per run (dropped at the end). An unreachable server fails the run; it is never skipped.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { POSTGRES_SCHEMA_VERSION } from '../../src/storage/postgres/postgres-migrations.ts';
import { openPostgresStores, type PostgresStores } from '../../src/storage/postgres/index.ts';
import { describeAuditStore } from './describe-audit-store.ts';
import { describeTokenStore } from './describe-token-store.ts';
import { describeRegistryStore } from './describe-registry-store.ts';
import { describeTelemetryStore, type StoreFixture } from './describe-telemetry-store.ts';

const url = process.env.LLMIOT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `llmiot_test_${randomBytes(6).toString('hex')}`;
const admin = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 5_000, max: 2 });
admin.on('error', () => {});

before(async () => {
  try {
    await admin.query('SELECT 1');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const where = process.env.CI === 'true' ? 'CI requires it' : 'start it or point LLMIOT_TEST_PG_URL at one';
    const shown = url.replace(/:[^:@/]*@/, ':***@');
    throw new Error(`PostgreSQL unreachable at ${shown} (${reason}): ${where}. These tests never skip.`);
  }
});

after(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await admin.end();
});

/** open() empties the run's schema; reopen() opens it again as it is. The store not under test is closed at once. */
function fixture<K extends 'telemetry' | 'registry'>(kind: K): StoreFixture<PostgresStores[K]> {
  const only = async (stores: PostgresStores): Promise<PostgresStores[K]> => {
    await stores[kind === 'telemetry' ? 'registry' : 'telemetry'].close();
    await stores.audit.close();
    await stores.tokens.close();
    return stores[kind];
  };
  return {
    async open() {
      const stores = await openPostgresStores(url, { schema });
      await admin.query(
        `TRUNCATE "${schema}".series, "${schema}".points, "${schema}".latest, "${schema}".devices, "${schema}".commands RESTART IDENTITY`,
      );
      return only(stores);
    },
    async reopen() {
      return only(await openPostgresStores(url, { schema }));
    },
  };
}

describeTelemetryStore('postgres', fixture('telemetry'));
describeRegistryStore('postgres', fixture('registry'));
describeAuditStore('postgres', async () => {
  const stores = await openPostgresStores(url, { schema });
  await admin.query(`TRUNCATE "${schema}".audit_log`);
  await stores.telemetry.close();
  await stores.registry.close();
  await stores.tokens.close();
  return stores.audit;
});

describeTokenStore('postgres', async () => {
  const stores = await openPostgresStores(url, { schema });
  await admin.query(`TRUNCATE "${schema}".api_tokens`);
  await stores.telemetry.close();
  await stores.registry.close();
  await stores.audit.close();
  return stores.tokens;
});

describe('PostgreSQL stores', () => {
  it('create their tables in the given schema, as a hypertable only when timescaledb is available', async () => {
    const stores = await openPostgresStores(url, { schema });
    try {
      const tables = await admin.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
        [schema],
      );
      assert.deepEqual(tables.rows.map((r) => r.table_name), ['api_tokens', 'approvals', 'audit_log', 'cluster_members', 'command_routes', 'commands', 'device_credentials', 'devices', 'grants', 'latest', 'oauth_entries', 'points', 'protocol_sessions', 'schema_version', 'series', 'users']);
      const available = await admin.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`);
      if ((available.rowCount ?? 0) === 0) assert.equal(stores.timescale, false);
      const indexes = await admin.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'points'`,
        [schema],
      );
      const definitions = indexes.rows.map((r) => r.indexdef).join('\n');
      assert.match(definitions, /\(series_id, ts( DESC)?\)/);
      if (!stores.timescale) assert.match(definitions, /USING brin \(ts\)/);
    } finally {
      await stores.close();
      await stores.close();
    }
  });

  it('upgrade a version-1 schema in place: its devices load, and take operator metadata', async () => {
    const old = `${schema}_v1`;
    try {
      await (await openPostgresStores(url, { schema: old })).close();
      // Back to version 1 as a hub before operator metadata left it, with a device row of that time.
      await admin.query(`ALTER TABLE "${old}".devices DROP COLUMN description, DROP COLUMN operator_fields`);
      await admin.query(`UPDATE "${old}".schema_version SET version = 1`);
      await admin.query(
        `INSERT INTO "${old}".devices VALUES ('dev-1', 'pico-1', 'mcu', NULL, 'Pico 1', 'Raspberry Pi', 'Pico W', '1.0.0', '{}', '{}', '["greenhouse"]', 'Zone A', 'offline', '["native"]', 1, 2, NULL)`,
      );
      const stores = await openPostgresStores(url, { schema: old });
      try {
        const [device] = await stores.registry.loadDevices();
        assert.equal(device?.zone, 'Zone A');
        assert.equal(device !== undefined && 'operatorFields' in device, false);
        if (device === undefined) return;
        const described = { ...device, description: 'by the door', operatorFields: ['description'] as const };
        await stores.registry.saveDevice(described);
        assert.deepEqual(await stores.registry.loadDevices(), [described]);
      } finally {
        await stores.close();
      }
      const version = await admin.query<{ version: number }>(`SELECT version FROM "${old}".schema_version`);
      assert.equal(version.rows[0]?.version, POSTGRES_SCHEMA_VERSION);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${old}" CASCADE`);
    }
  });

  it('upgrade a version 1 schema: series gain the reported name and unit, old series read as before', async () => {
    const old = `${schema}_v1s`;
    try {
      const first = await openPostgresStores(url, { schema: old });
      await first.telemetry.write([{ deviceId: 'd', measurement: 'temperature', ts: 1, value: 20, unit: 'Cel' }]);
      await first.close();
      await admin.query(`ALTER TABLE "${old}".series DROP COLUMN source_measurement, DROP COLUMN source_unit`);
      await admin.query(`UPDATE "${old}".schema_version SET version = 1`);
      const upgraded = await openPostgresStores(url, { schema: old });
      try {
        assert.deepEqual(await upgraded.telemetry.latest(), [{ deviceId: 'd', measurement: 'temperature', ts: 1, value: 20, unit: 'Cel', quality: 'good' }]);
        await upgraded.telemetry.write([{ deviceId: 'd', measurement: 'temperature', ts: 2, value: 21, unit: 'Cel', sourceMeasurement: 'temp', sourceUnit: 'celsius' }]);
        const [latest] = await upgraded.telemetry.latest();
        assert.deepEqual([latest?.value, latest?.sourceMeasurement, latest?.sourceUnit], [21, 'temp', 'celsius']);
      } finally {
        await upgraded.close();
      }
      const version = await admin.query<{ version: number }>(`SELECT version FROM "${old}".schema_version`);
      assert.equal(version.rows[0]?.version, POSTGRES_SCHEMA_VERSION);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${old}" CASCADE`);
    }
  });

  it('refuse a schema name that is not a plain identifier', async () => {
    await assert.rejects(openPostgresStores(url, { schema: 'x"; DROP TABLE y; --' }), /invalid PostgreSQL schema name/);
  });

  it('end the pool when an export is left open and the store is closed', async () => {
    const stores = await openPostgresStores(url, { schema });
    await admin.query(`TRUNCATE "${schema}".series, "${schema}".points, "${schema}".latest RESTART IDENTITY`);
    const points = Array.from({ length: 6_000 }, (_, i) => ({ deviceId: 'd', measurement: 'm', ts: i, value: i }));
    await stores.telemetry.write(points);
    const iterator = stores.telemetry.export({ deviceIds: ['d'], start: 0, end: 10_000 })[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).value?.ts, 0);
    await stores.close();
    await assert.rejects(iterator.next(), /telemetry export failed: the store is closed/);
  });
});
