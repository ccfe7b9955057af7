/** ApprovalStore and GrantStore on PostgreSQL: `<schema>.approvals` and `<schema>.grants` (upgrade 7), each row a jsonb document with its indexed fields beside it. */
import type { Approval, ApprovalFilter } from '../../core/approval.ts';
import type { Grant } from '../../core/grant.ts';
import type { ApprovalStore } from '../../core/ports/approval-store.ts';
import type { GrantStore } from '../../core/ports/grant-store.ts';
import type { PostgresConnection } from './postgres-connection.ts';
import { PostgresLease } from './postgres-lease.ts';

export class PostgresApprovalStore implements ApprovalStore {
  readonly #lease: PostgresLease;
  readonly #table: string;

  constructor(connection: PostgresConnection) {
    this.#lease = new PostgresLease(connection);
    this.#table = `${connection.schema}.approvals`;
  }

  async create(approval: Approval): Promise<void> {
    await this.#lease.run('approval create failed', () =>
      this.#lease.pool.query(`INSERT INTO ${this.#table} (id, status, created_at, expires_at, doc) VALUES ($1, $2, $3, $4, $5)`, [
        approval.id,
        approval.status,
        approval.createdAt,
        approval.expiresAt,
        JSON.stringify(approval),
      ]),
    );
  }

  async get(id: string): Promise<Approval | undefined> {
    const result = await this.#lease.run('approval get failed', () => this.#lease.pool.query<{ doc: Approval }>(`SELECT doc FROM ${this.#table} WHERE id = $1`, [id]));
    return result.rows[0]?.doc;
  }

  async list(filter: ApprovalFilter = {}): Promise<Approval[]> {
    const result = await this.#lease.run('approval list failed', () =>
      this.#lease.pool.query<{ doc: Approval }>(
        `SELECT doc FROM ${this.#table} WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at DESC, id DESC LIMIT $2`,
        [filter.status ?? null, filter.limit ?? 100],
      ),
    );
    return result.rows.map((row) => row.doc);
  }

  async update(next: Approval, expected: Approval['status']): Promise<boolean> {
    const result = await this.#lease.run('approval update failed', () =>
      this.#lease.pool.query(`UPDATE ${this.#table} SET status = $1, doc = $2 WHERE id = $3 AND status = $4`, [next.status, JSON.stringify(next), next.id, expected]),
    );
    return (result.rowCount ?? 0) > 0;
  }

  async expire(now: number): Promise<Approval[]> {
    const result = await this.#lease.run('approval expiry failed', () =>
      this.#lease.pool.query<{ doc: Approval }>(
        `UPDATE ${this.#table} SET status = 'expired', doc = jsonb_set(doc, '{status}', '"expired"')
         WHERE status = 'pending' AND expires_at <= $1 RETURNING doc`,
        [now],
      ),
    );
    return result.rows.map((row) => row.doc);
  }

  async close(): Promise<void> {
    await this.#lease.close();
  }
}

export class PostgresGrantStore implements GrantStore {
  readonly #lease: PostgresLease;
  readonly #table: string;

  constructor(connection: PostgresConnection) {
    this.#lease = new PostgresLease(connection);
    this.#table = `${connection.schema}.grants`;
  }

  async create(grant: Grant): Promise<void> {
    await this.#lease.run('grant create failed', () =>
      this.#lease.pool.query(`INSERT INTO ${this.#table} (id, created_at, expires_at, revoked_at, doc) VALUES ($1, $2, $3, NULL, $4)`, [
        grant.id,
        grant.createdAt,
        grant.expiresAt,
        JSON.stringify(grant),
      ]),
    );
  }

  async get(id: string): Promise<Grant | undefined> {
    const result = await this.#lease.run('grant get failed', () => this.#lease.pool.query<{ doc: Grant }>(`SELECT doc FROM ${this.#table} WHERE id = $1`, [id]));
    return result.rows[0]?.doc;
  }

  async list(filter: { readonly activeAt?: number; readonly limit?: number } = {}): Promise<Grant[]> {
    const result = await this.#lease.run('grant list failed', () =>
      this.#lease.pool.query<{ doc: Grant }>(
        `SELECT doc FROM ${this.#table} WHERE ($1::bigint IS NULL OR (revoked_at IS NULL AND expires_at > $1)) ORDER BY created_at DESC, id DESC LIMIT $2`,
        [filter.activeAt ?? null, filter.limit ?? 100],
      ),
    );
    return result.rows.map((row) => row.doc);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const result = await this.#lease.run('grant revoke failed', () =>
      this.#lease.pool.query(
        `UPDATE ${this.#table} SET revoked_at = $1, doc = jsonb_set(doc, '{revokedAt}', to_jsonb($1::bigint)) WHERE id = $2 AND revoked_at IS NULL`,
        [at, id],
      ),
    );
    return (result.rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {
    await this.#lease.close();
  }
}
