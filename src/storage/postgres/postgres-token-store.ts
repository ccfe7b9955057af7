/** TokenStore on PostgreSQL: `<schema>.api_tokens` (upgrade 5). */
import type pg from 'pg';
import type { ApiTokenRecord, TokenStore } from '../../core/ports/token-store.ts';
import { tokenFromRow, type TokenRow } from '../shared/account-rows.ts';
import type { PostgresConnection } from './postgres-connection.ts';
import { PostgresLease } from './postgres-lease.ts';

export class PostgresTokenStore implements TokenStore {
  readonly #lease: PostgresLease;
  readonly #pool: pg.Pool;
  readonly #table: string;

  constructor(connection: PostgresConnection) {
    this.#lease = new PostgresLease(connection);
    this.#pool = this.#lease.pool;
    this.#table = `${connection.schema}.api_tokens`;
  }

  async addToken(record: ApiTokenRecord): Promise<void> {
    await this.#lease.run('token add failed', () =>
      this.#pool.query(`INSERT INTO ${this.#table} (id, name, role, hash, created_at, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
        record.id,
        record.name,
        record.role,
        record.hash,
        record.createdAt,
        record.expiresAt,
        record.revokedAt,
      ]),
    );
  }

  async listTokens(): Promise<ApiTokenRecord[]> {
    const result = await this.#lease.run('token list failed', () => this.#pool.query<TokenRow>(`SELECT * FROM ${this.#table} ORDER BY created_at, id`));
    return result.rows.map(tokenFromRow);
  }

  async tokenByHash(hash: string): Promise<ApiTokenRecord | undefined> {
    const result = await this.#lease.run('token lookup failed', () => this.#pool.query<TokenRow>(`SELECT * FROM ${this.#table} WHERE hash = $1`, [hash]));
    const row = result.rows[0];
    return row === undefined ? undefined : tokenFromRow(row);
  }

  async revokeToken(id: string, at: number): Promise<boolean> {
    const result = await this.#lease.run('token revoke failed', () =>
      this.#pool.query(`UPDATE ${this.#table} SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, [at, id]),
    );
    return (result.rowCount ?? 0) > 0;
  }

  async hasCredentials(): Promise<boolean> {
    const result = await this.#lease.run('token lookup failed', () => this.#pool.query(`SELECT 1 FROM ${this.#table} WHERE revoked_at IS NULL LIMIT 1`));
    return (result.rowCount ?? 0) > 0;
  }

  close(): Promise<void> {
    return this.#lease.close();
  }
}
