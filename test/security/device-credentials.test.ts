/** Device credentials on every store (SQLite, in-memory, PostgreSQL): issue, check, enroll, rotate, revoke. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { HubError } from '../../src/core/errors.ts';
import { DeviceCredentials } from '../../src/security/device-credentials.ts';
import { openStores, type Stores } from '../../src/storage/open-stores.ts';
import { POSTGRES_URL } from '../support/services.ts';

function describeCredentials(name: string, open: (fresh?: boolean) => Promise<Stores>): void {
  describe(`device credentials on ${name}`, () => {
    it('issues a secret shown once, stores only a $7$ hash, and checks it', async () => {
      const stores = await open();
      try {
        const credentials = new DeviceCredentials({ store: stores.credentials, iterations: 1000 });
        const issued = await credentials.create('dev-1');
        assert.deepEqual(Object.keys(issued), ['hardware_id', 'username', 'password']);
        assert.equal(issued.username, 'dev-1');
        assert.ok(issued.password.length >= 40);
        const record = await stores.credentials.get('dev-1');
        assert.match(record?.hash ?? '', /^\$7\$1000\$/);
        assert.ok(!(record?.hash ?? '').includes(issued.password));
        assert.deepEqual(await credentials.check('dev-1', issued.password), { ok: true, via: 'credentials' });
        assert.deepEqual(await credentials.check('dev-1', issued.password), { ok: true, via: 'credentials' });
        assert.deepEqual(await credentials.check('dev-1', 'wrong'), { ok: false, reason: 'bad_credentials' });
        assert.deepEqual(await credentials.check('dev-2', issued.password), { ok: false, reason: 'bad_credentials' });
        await assert.rejects(credentials.create('dev-1'), (e: unknown) => e instanceof HubError && e.code === 'CREDENTIALS_EXIST');
        await assert.rejects(credentials.create('a/b'), (e: unknown) => e instanceof HubError && e.code === 'INVALID_PARAMS');
      } finally {
        await stores.close();
      }
    });

    it('a hub opening the same store later checks what an operator issued before (another process)', async () => {
      const first = await open();
      const issued = await new DeviceCredentials({ store: first.credentials, iterations: 1000 }).create('dev-3');
      await first.close();
      const second = await open(false);
      try {
        assert.deepEqual(await new DeviceCredentials({ store: second.credentials }).check('dev-3', issued.password), { ok: true, via: 'credentials' });
      } finally {
        await second.close();
      }
    });

    it('enrollment pins a new id; rotation retires the old secret; revocation refuses everything', async () => {
      const stores = await open();
      try {
        const credentials = new DeviceCredentials({ store: stores.credentials, enrollmentKey: 'fleet', iterations: 1000 });
        assert.deepEqual(await credentials.check('new-1', 'fleet'), { ok: true, via: 'enrollment' });
        assert.equal((await stores.credentials.get('new-1'))?.state, 'enrolled');
        assert.deepEqual(await credentials.check('new-2', 'nope'), { ok: false, reason: 'bad_enrollment_key' });
        const own = await credentials.create('new-1');
        assert.deepEqual(await credentials.check('new-1', 'fleet'), { ok: false, reason: 'bad_credentials' });
        const rotated = await credentials.rotate('new-1');
        assert.deepEqual(await credentials.check('new-1', own.password), { ok: false, reason: 'bad_credentials' });
        assert.deepEqual(await credentials.check('new-1', rotated.password), { ok: true, via: 'credentials' });
        await credentials.revoke('new-1');
        assert.deepEqual(await credentials.check('new-1', rotated.password), { ok: false, reason: 'revoked' });
        assert.deepEqual(await credentials.check('new-1', 'fleet'), { ok: false, reason: 'revoked' });
        await assert.rejects(credentials.rotate('never'), (e: unknown) => e instanceof HubError && e.code === 'CREDENTIALS_NOT_FOUND');
        const listed = await credentials.list();
        assert.deepEqual(listed.map((c) => [c.hardware_id, c.state]), [['new-1', 'revoked']]);
        assert.doesNotMatch(JSON.stringify(listed), /\$7\$/);
      } finally {
        await stores.close();
      }
    });
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'llmiot-creds-'));
let fileRun = 0;
after(() => rmSync(dataDir, { recursive: true, force: true }));
// A fresh directory per test; `fresh = false` reopens the last one.
describeCredentials('SQLite', (fresh = true) => openStores({ store: 'sqlite', dataDir: join(dataDir, String(fresh ? ++fileRun : fileRun)) }));

let memory: Stores | undefined;
describeCredentials('the in-memory store', async (fresh = true) => {
  // One in-memory database lives as long as its stores: "another process" reuses the same open one.
  if (fresh || memory === undefined) memory = await openStores({ store: 'memory', dataDir: '' });
  const stores = memory;
  return { ...stores, close: async () => (fresh ? undefined : stores.close()) } as Stores;
});

const schema = `llmiot_creds_${randomBytes(5).toString('hex')}`;
let pgRun = 0;
after(async () => {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  for (let i = 1; i <= pgRun; i++) await admin.query(`DROP SCHEMA IF EXISTS "${schema}_${i}" CASCADE`).catch(() => {});
  await admin.end();
});
describeCredentials('PostgreSQL', (fresh = true) => {
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('schema', `${schema}_${fresh ? ++pgRun : pgRun}`);
  return openStores({ store: url.toString(), dataDir: '' });
});
