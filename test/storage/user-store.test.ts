/**
 * Contract suite for UserStore against every backend: SQLite (migration 6), PostgreSQL (upgrade 6,
 * in a fresh schema dropped at the end; never skipped) and memory.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import type { UserRecord, UserStore } from '../../src/core/ports/user-store.ts';
import { MemoryUserStore } from '../../src/storage/memory/memory-user-store.ts';
import { openUserStore } from '../../src/storage/open-stores.ts';

const url = process.env.LLMIOT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `llmiot_test_${randomBytes(6).toString('hex')}`;
const root = mkdtempSync(join(tmpdir(), 'llmiot-user-store-'));
after(async () => {
  rmSync(root, { recursive: true, force: true });
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await admin.end();
});

const user = (name: string, extra: Partial<UserRecord> = {}): UserRecord => ({ name, role: 'viewer', passwordHash: `$7$1000$c2FsdA==$${name}`, createdAt: 1000, disabledAt: null, ...extra });

function describeUserStore(backend: string, open: () => Promise<UserStore>): void {
  describe(`UserStore contract: ${backend}`, () => {
    it('adds users once, lists them oldest first, changes a hash, removes; hasUsers counts enabled users', async () => {
      const store = await open();
      try {
        assert.equal(await store.hasUsers(), false);
        const off = user('off', { createdAt: 500, disabledAt: 600 });
        await store.addUser(off);
        assert.equal(await store.hasUsers(), false, 'a disabled user does not turn auth on');
        const ada = user('ada', { role: 'admin', createdAt: 2000 });
        await store.addUser(ada);
        assert.equal(await store.hasUsers(), true);
        await assert.rejects(store.addUser(user('ada')));
        assert.deepEqual(await store.listUsers(), [off, ada]);
        assert.deepEqual(await store.userByName('ada'), ada);
        assert.equal(await store.userByName('nobody'), undefined);
        assert.equal(await store.setPasswordHash('ada', '$7$1$eA==$eQ=='), true);
        assert.equal((await store.userByName('ada'))?.passwordHash, '$7$1$eA==$eQ==');
        assert.equal(await store.setPasswordHash('nobody', 'x'), false);
        assert.equal(await store.removeUser('ada'), true);
        assert.equal(await store.removeUser('ada'), false);
        assert.equal(await store.hasUsers(), false);
      } finally {
        await store.close();
      }
    });
  });
}

describeUserStore('sqlite file', async () => openUserStore({ store: 'sqlite', dataDir: join(root, 'data') }));
describeUserStore('postgres', async () => openUserStore({ store: `${url}?schema=${schema}`, dataDir: root }));
describeUserStore('memory', async () => new MemoryUserStore());
