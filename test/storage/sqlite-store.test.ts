/** SQLite backend: both store contracts on a hub.db file, plus file, pragma and migration behaviour. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { HubError } from '../../src/core/errors.ts';
import { openStores } from '../../src/storage/open-stores.ts';
import { openSqliteStores, openThreadedSqliteStores, SQLITE_SCHEMA_VERSION, type SqliteStores } from '../../src/storage/sqlite/index.ts';
import { describeAuditStore } from './describe-audit-store.ts';
import { describeTokenStore } from './describe-token-store.ts';
import { MemoryTokenStore } from '../../src/storage/memory/memory-token-store.ts';
import { describeRegistryStore } from './describe-registry-store.ts';
import { describeTelemetryStore, type StoreFixture } from './describe-telemetry-store.ts';

const root = mkdtempSync(join(tmpdir(), 'llmiot-sqlite-'));
after(() => rmSync(root, { recursive: true, force: true }));

let runs = 0;
/**
 * Each open() gets a new, not yet existing data directory; reopen() opens the last one again. The
 * store not under test is closed at once, so closing the tested one closes the connection.
 */
function fixture<K extends 'telemetry' | 'registry'>(kind: K): StoreFixture<SqliteStores[K]> {
  let dataDir = '';
  const only = async (stores: SqliteStores): Promise<SqliteStores[K]> => {
    await stores[kind === 'telemetry' ? 'registry' : 'telemetry'].close();
    await stores.audit.close();
    await stores.tokens.close();
    return stores[kind];
  };
  return {
    async open() {
      dataDir = join(root, `run-${++runs}`, 'data');
      return only(openSqliteStores(dataDir));
    },
    async reopen() {
      return only(openSqliteStores(dataDir));
    },
  };
}

describeTelemetryStore('sqlite file', fixture('telemetry'));
describeRegistryStore('sqlite file', fixture('registry'));

describe('SQLite stores', () => {
  it('create <dataDir>/hub.db with its directory, in WAL mode with synchronous=NORMAL and a schema version', async () => {
    const dataDir = join(root, 'fresh', 'nested');
    const stores = openSqliteStores(dataDir);
    await stores.telemetry.write([{ deviceId: 'd', measurement: 'm', ts: 1, value: 1 }]);
    const file = join(dataDir, 'hub.db');
    assert.ok(existsSync(file));
    const probe = new Database(file, { readonly: true });
    try {
      assert.equal(probe.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(probe.pragma('user_version', { simple: true }), SQLITE_SCHEMA_VERSION);
    } finally {
      probe.close();
    }
    await stores.close();
    await stores.close();
  });

  it('refuse a database written by a newer schema', async () => {
    const dataDir = join(root, 'newer');
    await openSqliteStores(dataDir).close();
    const db = new Database(join(dataDir, 'hub.db'));
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => openSqliteStores(dataDir), (e) => e instanceof HubError && e.code === 'STORE_ERROR' && /newer/.test(e.message));
  });

  it('upgrade a version-1 database in place: its devices load, and take operator metadata', async () => {
    const dataDir = join(root, 'version-1');
    await openSqliteStores(dataDir).close();
    // Back to version 1 as a hub before operator metadata left it, with a device row of that time.
    const db = new Database(join(dataDir, 'hub.db'));
    db.exec('ALTER TABLE devices DROP COLUMN description; ALTER TABLE devices DROP COLUMN operator_fields; ALTER TABLE series DROP COLUMN source_unit; ALTER TABLE series DROP COLUMN source_measurement');
    db.prepare(
      `INSERT INTO devices VALUES ('dev-1', 'pico-1', 'mcu', NULL, 'Pico 1', 'Raspberry Pi', 'Pico W', '1.0.0', '{}', '{}', '["greenhouse"]', 'Zone A', 'offline', '["native"]', 1, 2, NULL)`,
    ).run();
    db.pragma('user_version = 1');
    db.close();
    const stores = openSqliteStores(dataDir);
    try {
      const [old] = await stores.registry.loadDevices();
      assert.equal(old?.zone, 'Zone A');
      assert.equal(old !== undefined && 'operatorFields' in old, false);
      if (old === undefined) return;
      const described = { ...old, description: 'by the door', operatorFields: ['description'] as const };
      await stores.registry.saveDevice(described);
      assert.deepEqual(await stores.registry.loadDevices(), [described]);
    } finally {
      await stores.close();
    }
  });

  it('upgrade a version 1 file: series gain the reported name and unit, old series read as before', async () => {
    const dataDir = join(root, 'v1');
    const stores = openSqliteStores(dataDir);
    await stores.telemetry.write([{ deviceId: 'd', measurement: 'temperature', ts: 1, value: 20, unit: 'Cel' }]);
    await stores.close();
    const db = new Database(join(dataDir, 'hub.db'));
    db.exec('ALTER TABLE series DROP COLUMN source_unit; ALTER TABLE series DROP COLUMN source_measurement; ALTER TABLE devices DROP COLUMN description; ALTER TABLE devices DROP COLUMN operator_fields');
    db.pragma('user_version = 1');
    db.close();
    const upgraded = openSqliteStores(dataDir);
    try {
      assert.deepEqual(await upgraded.telemetry.latest(), [{ deviceId: 'd', measurement: 'temperature', ts: 1, value: 20, unit: 'Cel', quality: 'good' }]);
      await upgraded.telemetry.write([{ deviceId: 'd', measurement: 'temperature', ts: 2, value: 21, unit: 'Cel', sourceMeasurement: 'temp', sourceUnit: 'celsius' }]);
      const [latest] = await upgraded.telemetry.latest();
      assert.deepEqual([latest?.value, latest?.sourceMeasurement, latest?.sourceUnit], [21, 'temp', 'celsius']);
    } finally {
      await upgraded.close();
    }
    const probe = new Database(join(dataDir, 'hub.db'), { readonly: true });
    assert.equal(probe.pragma('user_version', { simple: true }), SQLITE_SCHEMA_VERSION);
    probe.close();
  });

  it('keep the connection open until both stores are closed', async () => {
    const stores = openSqliteStores(':memory:');
    await stores.registry.close();
    await stores.telemetry.write([{ deviceId: 'd', measurement: 'm', ts: 1, value: 1 }]);
    assert.equal(await stores.telemetry.count(), 1);
    await stores.close();
  });
});

describe('openStores', () => {
  it('opens sqlite (default) under dataDir and memory in-process', async () => {
    for (const store of ['sqlite', '', 'memory']) {
      const dataDir = join(root, `spec-${store || 'default'}`);
      const stores = await openStores({ store, dataDir });
      await stores.telemetry.write([{ deviceId: 'd', measurement: 'm', ts: 1, value: true }]);
      assert.deepEqual((await stores.telemetry.latest()).map((p) => p.value), [true]);
      assert.deepEqual(await stores.registry.loadDevices(), []);
      await stores.close();
      assert.equal(existsSync(join(dataDir, 'hub.db')), store !== 'memory', store);
    }
  });

  it('rejects an unknown store kind without echoing URL credentials, and maps an unreachable PostgreSQL', async () => {
    await assert.rejects(openStores({ store: 'mysql://root:secret@db/hub', dataDir: root }), (e) =>
      e instanceof HubError && e.code === 'STORE_ERROR' && !e.message.includes('secret') && e.message.includes('mysql://'),
    );
    await assert.rejects(openStores({ store: 'postgresql://u:secret@127.0.0.1:1/x', dataDir: root }), (e) =>
      e instanceof HubError && e.code === 'STORE_ERROR' && e.message.startsWith('store open failed') && !e.message.includes('secret'),
    );
  });
});

describe('SQLite telemetry in a worker thread', () => {
  let dataDir = '';
  const open = async () => {
    const stores = await openThreadedSqliteStores(dataDir);
    await stores.registry.close();
    await stores.audit.close();
    await stores.tokens.close();
    return stores.telemetry;
  };
  describeTelemetryStore('threaded SQLite file', {
    async open() {
      dataDir = join(root, `threaded-${++runs}`, 'data');
      return open();
    },
    reopen: open,
  });
});

describeAuditStore('sqlite file', async () => {
  const stores = openSqliteStores(join(root, `audit-${++runs}`, 'data'));
  await stores.telemetry.close();
  await stores.registry.close();
  await stores.tokens.close();
  return stores.audit;
});

describeTokenStore('sqlite file', async () => {
  const stores = openSqliteStores(join(root, `tokens-${++runs}`, 'data'));
  await stores.telemetry.close();
  await stores.registry.close();
  await stores.audit.close();
  return stores.tokens;
});

describeTokenStore('memory', async () => new MemoryTokenStore());
