/** ApprovalStore and GrantStore on PostgreSQL: `<schema>.approvals` and `<schema>.grants` (upgrade 7), each row a jsonb document with its indexed fields beside it. */
import type pg from 'pg';
import type { Approval, ApprovalFilter } from '../../core/approval.ts';
import { HubError } from '../../core/errors.ts';
import type { Grant } from '../../core/grant.ts';
import type { ApprovalStore } from '../../core/ports/approval-store.ts';
import type { GrantStore } from '../../core/ports/grant-store.ts';
import { storeError } from '../shared/store-error.ts';
import type { PostgresConnection } from './postgres-connection.ts';

class PostgresDocuments {
  readonly #connection: PostgresConnection;
  readonly pool: pg.Pool;
  readonly schema: string;
  #closed = false;

  constructor(connection: PostgresConnection) {
    this.#connection = connection;
    this.pool = connection.acquire();
    this.schema = connection.schema;
  }

  async run<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new HubError('STORE_ERROR', `${what}: the store is closed`);
    try {
      return await work();
    } catch (error) {
      throw storeError(what, error);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#connection.release();
  }
}

export class PostgresApprovalStore implements ApprovalStore {
  readonly #docs: PostgresDocuments;
  readonly #table: string;

  constructor(connection: PostgresConnection) {
    this.#docs = new PostgresDocuments(connection);
    this.#table = `${connection.schema}.approvals`;
  }

  async create(approval: Approval): Promise<void> {
    await this.#docs.run('approval create failed', () =>
      this.#docs.pool.query(`INSERT INTO ${this.#table} (id, status, created_at, expires_at, doc) VALUES ($1, $2, $3, $4, $5)`, [
        approval.id,
        approval.status,
        approval.createdAt,
        approval.expiresAt,
        JSON.stringify(approval),
      ]),
    );
  }

  async get(id: string): Promise<Approval | undefined> {
    const result = await this.#docs.run('approval get failed', () => this.#docs.pool.query<{ doc: Approval }>(`SELECT doc FROM ${this.#table} WHERE id = $1`, [id]));
    return result.rows[0]?.doc;
  }

  async list(filter: ApprovalFilter = {}): Promise<Approval[]> {
    const result = await this.#docs.run('approval list failed', () =>
      this.#docs.pool.query<{ doc: Approval }>(
        `SELECT doc FROM ${this.#table} WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at DESC, id DESC LIMIT $2`,
        [filter.status ?? null, filter.limit ?? 100],
      ),
    );
    return result.rows.map((row) => row.doc);
  }

  async update(next: Approval, expected: Approval['status']): Promise<boolean> {
    const result = await this.#docs.run('approval update failed', () =>
      this.#docs.pool.query(`UPDATE ${this.#table} SET status = $1, doc = $2 WHERE id = $3 AND status = $4`, [next.status, JSON.stringify(next), next.id, expected]),
    );
    return (result.rowCount ?? 0) > 0;
  }

  async expire(now: number): Promise<Approval[]> {
    const result = await this.#docs.run('approval expiry failed', () =>
      this.#docs.pool.query<{ doc: Approval }>(
        `UPDATE ${this.#table} SET status = 'expired', doc = jsonb_set(doc, '{status}', '"expired"')
         WHERE status = 'pending' AND expires_at <= $1 RETURNING doc`,
        [now],
      ),
    );
    return result.rows.map((row) => row.doc);
  }

  async close(): Promise<void> {
    await this.#docs.close();
  }
}

export class PostgresGrantStore implements GrantStore {
  readonly #docs: PostgresDocuments;
  readonly #table: string;

  constructor(connection: PostgresConnection) {
    this.#docs = new PostgresDocuments(connection);
    this.#table = `${connection.schema}.grants`;
  }

  async create(grant: Grant): Promise<void> {
    await this.#docs.run('grant create failed', () =>
      this.#docs.pool.query(`INSERT INTO ${this.#table} (id, created_at, expires_at, revoked_at, doc) VALUES ($1, $2, $3, NULL, $4)`, [
        grant.id,
        grant.createdAt,
        grant.expiresAt,
        JSON.stringify(grant),
      ]),
    );
  }

  async get(id: string): Promise<Grant | undefined> {
    const result = await this.#docs.run('grant get failed', () => this.#docs.pool.query<{ doc: Grant }>(`SELECT doc FROM ${this.#table} WHERE id = $1`, [id]));
    return result.rows[0]?.doc;
  }

  async list(filter: { readonly activeAt?: number; readonly limit?: number } = {}): Promise<Grant[]> {
    const result = await this.#docs.run('grant list failed', () =>
      this.#docs.pool.query<{ doc: Grant }>(
        `SELECT doc FROM ${this.#table} WHERE ($1::bigint IS NULL OR (revoked_at IS NULL AND expires_at > $1)) ORDER BY created_at DESC, id DESC LIMIT $2`,
        [filter.activeAt ?? null, filter.limit ?? 100],
      ),
    );
    return result.rows.map((row) => row.doc);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const result = await this.#docs.run('grant revoke failed', () =>
      this.#docs.pool.query(
        `UPDATE ${this.#table} SET revoked_at = $1, doc = jsonb_set(doc, '{revokedAt}', to_jsonb($1::bigint)) WHERE id = $2 AND revoked_at IS NULL`,
        [at, id],
      ),
    );
    return (result.rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {
    await this.#docs.close();
  }
}
