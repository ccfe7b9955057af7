/** ApprovalStore and GrantStore on SQLite: the `approvals` and `grants` tables of migration 7, each row a JSON document with its indexed fields beside it. */
import type { Approval, ApprovalFilter } from '../../core/approval.ts';
import type { Grant } from '../../core/grant.ts';
import type { ApprovalStore } from '../../core/ports/approval-store.ts';
import type { GrantStore } from '../../core/ports/grant-store.ts';
import type { SqliteConnection } from './sqlite-connection.ts';
import { SqliteLease } from './sqlite-lease.ts';

export class SqliteApprovalStore implements ApprovalStore {
  readonly #lease: SqliteLease;

  constructor(connection: SqliteConnection) {
    this.#lease = new SqliteLease(connection);
  }

  async create(approval: Approval): Promise<void> {
    this.#lease.run('approval create failed', () =>
      this.#lease.db
        .prepare(`INSERT INTO approvals (id, status, created_at, expires_at, doc) VALUES (?, ?, ?, ?, ?)`)
        .run(approval.id, approval.status, approval.createdAt, approval.expiresAt, JSON.stringify(approval)),
    );
  }

  async get(id: string): Promise<Approval | undefined> {
    const row = this.#lease.run('approval get failed', () => this.#lease.db.prepare(`SELECT doc FROM approvals WHERE id = ?`).get(id) as { doc: string } | undefined);
    return row === undefined ? undefined : (JSON.parse(row.doc) as Approval);
  }

  async list(filter: ApprovalFilter = {}): Promise<Approval[]> {
    const rows = this.#lease.run('approval list failed', () =>
      this.#lease.db
        .prepare(`SELECT doc FROM approvals WHERE (@status IS NULL OR status = @status) ORDER BY created_at DESC, id DESC LIMIT @limit`)
        .all({ status: filter.status ?? null, limit: filter.limit ?? 100 }) as { doc: string }[],
    );
    return rows.map((row) => JSON.parse(row.doc) as Approval);
  }

  async update(next: Approval, expected: Approval['status']): Promise<boolean> {
    const result = this.#lease.run('approval update failed', () =>
      this.#lease.db.prepare(`UPDATE approvals SET status = ?, doc = ? WHERE id = ? AND status = ?`).run(next.status, JSON.stringify(next), next.id, expected),
    );
    return result.changes > 0;
  }

  async expire(now: number): Promise<Approval[]> {
    return this.#lease.run('approval expiry failed', () => {
      const rows = this.#lease.db.prepare(`SELECT doc FROM approvals WHERE status = 'pending' AND expires_at <= ?`).all(now) as { doc: string }[];
      const expired: Approval[] = [];
      const update = this.#lease.db.prepare(`UPDATE approvals SET status = 'expired', doc = ? WHERE id = ? AND status = 'pending'`);
      for (const row of rows) {
        const approval: Approval = { ...(JSON.parse(row.doc) as Approval), status: 'expired' };
        if (update.run(JSON.stringify(approval), approval.id).changes > 0) expired.push(approval);
      }
      return expired;
    });
  }

  async close(): Promise<void> {
    this.#lease.close();
  }
}

export class SqliteGrantStore implements GrantStore {
  readonly #lease: SqliteLease;

  constructor(connection: SqliteConnection) {
    this.#lease = new SqliteLease(connection);
  }

  async create(grant: Grant): Promise<void> {
    this.#lease.run('grant create failed', () =>
      this.#lease.db.prepare(`INSERT INTO grants (id, created_at, expires_at, revoked_at, doc) VALUES (?, ?, ?, NULL, ?)`).run(grant.id, grant.createdAt, grant.expiresAt, JSON.stringify(grant)),
    );
  }

  async get(id: string): Promise<Grant | undefined> {
    const row = this.#lease.run('grant get failed', () => this.#lease.db.prepare(`SELECT doc FROM grants WHERE id = ?`).get(id) as { doc: string } | undefined);
    return row === undefined ? undefined : (JSON.parse(row.doc) as Grant);
  }

  async list(filter: { readonly activeAt?: number; readonly limit?: number } = {}): Promise<Grant[]> {
    const rows = this.#lease.run('grant list failed', () =>
      this.#lease.db
        .prepare(`SELECT doc FROM grants WHERE (@at IS NULL OR (revoked_at IS NULL AND expires_at > @at)) ORDER BY created_at DESC, id DESC LIMIT @limit`)
        .all({ at: filter.activeAt ?? null, limit: filter.limit ?? 100 }) as { doc: string }[],
    );
    return rows.map((row) => JSON.parse(row.doc) as Grant);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    return this.#lease.run('grant revoke failed', () => {
      const row = this.#lease.db.prepare(`SELECT doc FROM grants WHERE id = ? AND revoked_at IS NULL`).get(id) as { doc: string } | undefined;
      if (row === undefined) return false;
      const grant: Grant = { ...(JSON.parse(row.doc) as Grant), revokedAt: at };
      return this.#lease.db.prepare(`UPDATE grants SET revoked_at = ?, doc = ? WHERE id = ? AND revoked_at IS NULL`).run(at, JSON.stringify(grant), id).changes > 0;
    });
  }

  async close(): Promise<void> {
    this.#lease.close();
  }
}
