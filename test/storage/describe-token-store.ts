/** Contract suite for TokenStore, run against every backend (SQLite, PostgreSQL, memory). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiTokenRecord, TokenStore } from '../../src/core/ports/token-store.ts';

const record = (id: string, extra: Partial<ApiTokenRecord> = {}): ApiTokenRecord => ({
  id,
  name: null,
  role: 'viewer',
  hash: `${id}`.padEnd(64, '0'),
  createdAt: 1000,
  expiresAt: null,
  revokedAt: null,
  ...extra,
});

export function describeTokenStore(name: string, open: () => Promise<TokenStore>): void {
  describe(`TokenStore contract: ${name}`, () => {
    it('stores tokens by hash, lists them oldest first, and revokes once', async () => {
      const store = await open();
      try {
        assert.equal(await store.hasCredentials(), false);
        const a = record('aa', { name: 'grafana', role: 'operator', expiresAt: 5000 });
        const b = record('bb', { createdAt: 2000, role: 'admin' });
        await store.addToken(b);
        await store.addToken(a);
        assert.equal(await store.hasCredentials(), true);
        assert.deepEqual(await store.listTokens(), [a, b]);
        assert.deepEqual(await store.tokenByHash(b.hash), b);
        assert.equal(await store.tokenByHash('f'.repeat(64)), undefined);
        await assert.rejects(store.addToken(record('cc', { hash: a.hash })), 'a hash is unique');
        assert.equal(await store.revokeToken('aa', 3000), true);
        assert.equal(await store.revokeToken('aa', 4000), false, 'already revoked');
        assert.equal(await store.revokeToken('nope', 4000), false);
        assert.deepEqual(await store.tokenByHash(a.hash), { ...a, revokedAt: 3000 });
        assert.equal(await store.revokeToken('bb', 3000), true);
        assert.equal(await store.hasCredentials(), false, 'revoked tokens are no credentials');
      } finally {
        await store.close();
      }
    });
  });
}
