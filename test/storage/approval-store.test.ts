/**
 * Contract suite for ApprovalStore and GrantStore against SQLite (migration 7, also in memory) and
 * PostgreSQL (upgrade 7, in a fresh schema dropped at the end; never skipped).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import type { Approval } from '../../src/core/approval.ts';
import type { Grant } from '../../src/core/grant.ts';
import { openStores, type Stores } from '../../src/storage/open-stores.ts';

const url = process.env.LLMIOT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `llmiot_test_${randomBytes(6).toString('hex')}`;
const root = mkdtempSync(join(tmpdir(), 'llmiot-approval-store-'));
after(async () => {
  rmSync(root, { recursive: true, force: true });
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await admin.end();
});

const approval = (id: string, createdAt: number, extra: Partial<Approval> = {}): Approval => ({
  id,
  status: 'pending',
  createdAt,
  expiresAt: createdAt + 900_000,
  requestedBy: { principal: 'token:abc', kind: 'token', role: 'operator', client: 'agent/1', via: 'mcp' },
  roleRequired: 'operator',
  tool: 'sensor_configure',
  plan: { summary: 'sensor_configure on 1 device', targets: ['00000000-0000-4000-8000-000000000001'], params: { config: { power_mode: 'low_power' } } },
  chainId: `chain-${id}`,
  ...extra,
});
const grant = (id: string, createdAt: number, minutes: number): Grant => ({
  id,
  tool: 'batch_execute',
  deviceIds: ['d1', 'd2'],
  principal: 'token:abc',
  createdBy: { principal: 'user:olive', role: 'operator' },
  createdAt,
  expiresAt: createdAt + minutes * 60_000,
});

function describeStores(backend: string, open: () => Promise<Stores>): void {
  describe(`ApprovalStore and GrantStore contract: ${backend}`, () => {
    it('keeps approvals, lists them newest first by status, decides once, expires the pending ones', async () => {
      const stores = await open();
      try {
        const { approvals } = stores;
        await approvals.create(approval('a1', 1000));
        await approvals.create(approval('a2', 2000));
        await approvals.create(approval('a3', 3000, { expiresAt: 3500 }));
        assert.deepEqual((await approvals.list({ status: 'pending' })).map((a) => a.id), ['a3', 'a2', 'a1']);
        assert.deepEqual(await approvals.get('a1'), approval('a1', 1000));
        const decided: Approval = { ...approval('a1', 1000), status: 'approved', decidedBy: { principal: 'user:olive', role: 'operator' }, decidedAt: 1500 };
        assert.equal(await approvals.update(decided, 'pending'), true);
        assert.equal(await approvals.update({ ...decided, status: 'declined' }, 'pending'), false, 'decided once');
        assert.equal(await approvals.update({ ...decided, outcome: { status: 'succeeded', command_ids: ['c1'] } }, 'approved'), true);
        assert.deepEqual((await approvals.get('a1'))?.outcome, { status: 'succeeded', command_ids: ['c1'] });
        const expired = await approvals.expire(3600);
        assert.deepEqual(expired.map((a) => [a.id, a.status]), [['a3', 'expired']]);
        assert.equal((await approvals.get('a3'))?.status, 'expired');
        assert.deepEqual(await approvals.expire(3600), [], 'expires once');
        assert.deepEqual((await approvals.list({})).map((a) => `${a.id}:${a.status}`), ['a3:expired', 'a2:pending', 'a1:approved']);
        assert.deepEqual((await approvals.list({ limit: 1 })).map((a) => a.id), ['a3']);
        assert.equal(await approvals.get('nope'), undefined);
      } finally {
        await stores.close();
      }
    });

    it('keeps grants, lists the live ones at a time, revokes once', async () => {
      const stores = await open();
      try {
        const { grants } = stores;
        await grants.create(grant('g1', 1000, 10));
        await grants.create(grant('g2', 2000, 1));
        assert.deepEqual((await grants.list({ activeAt: 50_000 })).map((g) => g.id), ['g2', 'g1']);
        assert.deepEqual((await grants.list({ activeAt: 70_000 })).map((g) => g.id), ['g1'], 'g2 ran out');
        assert.equal(await grants.revoke('g1', 5000), true);
        assert.equal(await grants.revoke('g1', 6000), false, 'revoked once');
        assert.equal((await grants.get('g1'))?.revokedAt, 5000);
        assert.deepEqual((await grants.list({ activeAt: 6000 })).map((g) => g.id), ['g2'], 'a revoked grant is not live');
        assert.deepEqual((await grants.list({})).map((g) => g.id), ['g2', 'g1']);
      } finally {
        await stores.close();
      }
    });

    it('keeps the audit chain of an entry (chain id, approval, grant, commands) and lists one chain', async () => {
      const stores = await open();
      try {
        const base = { at: 1000, principal: 'token:abc', via: 'mcp' as const, tool: 'batch_execute', arguments: {}, decision: 'confirm' as const, deviceIds: ['d1'] };
        await stores.audit.append({ ...base, id: 'e1', outcome: 'confirmation_required', chainId: 'c-1', approvalId: 'a1' });
        await stores.audit.append({ ...base, id: 'e2', at: 2000, outcome: 'succeeded', chainId: 'c-1', approvalId: 'a1', commandIds: ['k1', 'k2'] });
        await stores.audit.append({ ...base, id: 'e3', at: 3000, outcome: 'succeeded', decision: 'allow', chainId: 'c-2', grantId: 'g1' });
        await stores.audit.append({ ...base, id: 'e4', at: 4000, outcome: 'succeeded', via: 'http' });
        const chain = await stores.audit.list({ chainId: 'c-1' });
        assert.deepEqual(chain.map((e) => [e.id, e.chainId, e.approvalId, e.commandIds]), [
          ['e2', 'c-1', 'a1', ['k1', 'k2']],
          ['e1', 'c-1', 'a1', undefined],
        ]);
        const [granted] = await stores.audit.list({ chainId: 'c-2' });
        assert.equal(granted?.grantId, 'g1');
        const [plain] = await stores.audit.list({ limit: 1 });
        assert.deepEqual([plain?.id, plain?.chainId, plain?.approvalId], ['e4', undefined, undefined]);
      } finally {
        await stores.close();
      }
    });
  });
}

describeStores('SQLite', () => openStores({ store: 'sqlite', dataDir: mkdtempSync(join(root, 'db-')) }));
describeStores('memory', () => openStores({ store: 'memory', dataDir: root }));
let n = 0;
describeStores('PostgreSQL', () => openStores({ store: `${url}?schema=${schema}_${++n}`, dataDir: root }));
