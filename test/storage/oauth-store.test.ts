/**
 * Contract suite for OAuthStore (the built-in authorization server's records) against every backend:
 * SQLite (migration 7), PostgreSQL (upgrade 7, in a fresh schema dropped at the end) and memory.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import type { OAuthStore } from '../../src/core/ports/oauth-store.ts';
import { storeAdapter } from '../../src/oauth/store-adapter.ts';
import { MemoryOAuthStore } from '../../src/storage/memory/memory-oauth-store.ts';
import { openStores } from '../../src/storage/open-stores.ts';
import { POSTGRES_URL } from '../support/services.ts';

const schema = `llmiot_test_${randomBytes(6).toString('hex')}`;
const root = mkdtempSync(join(tmpdir(), 'llmiot-oauth-store-'));
after(async () => {
  rmSync(root, { recursive: true, force: true });
  const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await admin.end();
});

function describeOAuthStore(backend: string, open: () => Promise<{ store: OAuthStore; close(): Promise<void> }>): void {
  describe(`OAuthStore contract: ${backend}`, () => {
    it('keeps records as oidc-provider needs them: find, by uid, consume, expiry, revoke by grant, purge', async () => {
      const { store, close } = await open();
      let now = 1_000_000;
      const adapter = storeAdapter(store, () => now);
      try {
        const clients = adapter('Client');
        await clients.upsert('c1', { client_id: 'c1', redirect_uris: ['http://127.0.0.1/cb'] });
        assert.deepEqual(await clients.find('c1'), { client_id: 'c1', redirect_uris: ['http://127.0.0.1/cb'] });
        assert.equal(await adapter('Grant').find('c1'), undefined, 'models are apart');

        const sessions = adapter('Session');
        await sessions.upsert('s1', { uid: 'u1', accountId: 'olive' }, 60);
        assert.deepEqual(await sessions.findByUid('u1'), { uid: 'u1', accountId: 'olive' });

        const codes = adapter('AuthorizationCode');
        await codes.upsert('code1', { grantId: 'g1', scope: 'iot:read' }, 60);
        await codes.consume('code1');
        assert.equal((await codes.find('code1'))?.consumed, 1000);

        const refresh = adapter('RefreshToken');
        await refresh.upsert('r1', { grantId: 'g1' }, 120);
        await refresh.upsert('r2', { grantId: 'g2' }, 120);
        await refresh.revokeByGrantId('g1');
        assert.equal(await refresh.find('r1'), undefined);
        assert.equal(await codes.find('code1'), undefined, 'the grant took its code with it');
        assert.ok(await refresh.find('r2'));

        now += 121_000;
        assert.equal(await refresh.find('r2'), undefined, 'an expired record reads as absent');
        assert.ok(await clients.find('c1'), 'a client never expires');
        assert.equal(await store.deleteExpired(now), 2, 'the session and r2 are purged');
        assert.equal(await store.insertIfAbsent('Keys', 'k', { payload: { a: 1 }, expiresAt: null }), true);
        assert.equal(await store.insertIfAbsent('Keys', 'k', { payload: { a: 2 }, expiresAt: null }), false);
        assert.deepEqual((await store.find('Keys', 'k'))?.payload, { a: 1 });
        await clients.destroy('c1');
        assert.equal(await clients.find('c1'), undefined);
      } finally {
        await close();
      }
    });
  });
}

describeOAuthStore('sqlite file', async () => {
  const stores = await openStores({ store: 'sqlite', dataDir: join(root, 'data') });
  return { store: stores.oauth, close: () => stores.close() };
});
describeOAuthStore('postgres', async () => {
  const stores = await openStores({ store: `${POSTGRES_URL}?schema=${schema}`, dataDir: root });
  return { store: stores.oauth, close: () => stores.close() };
});
describeOAuthStore('memory', async () => {
  const store = new MemoryOAuthStore();
  return { store, close: () => store.close() };
});
