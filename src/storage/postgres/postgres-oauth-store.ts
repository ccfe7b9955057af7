/** OAuthStore on PostgreSQL: `<schema>.oauth_entries` (upgrade 7). */
import type pg from 'pg';
import type { OAuthEntry, OAuthLookup, OAuthStore } from '../../core/ports/oauth-store.ts';
import { OAUTH_COLUMNS, OAUTH_LOOKUP_COLUMN, oauthEntry, oauthValues, type OAuthRow } from '../shared/oauth-row.ts';
import type { PostgresConnection } from './postgres-connection.ts';
import { PostgresLease } from './postgres-lease.ts';

export class PostgresOAuthStore implements OAuthStore {
  readonly #lease: PostgresLease;
  readonly #pool: pg.Pool;
  readonly #table: string;

  constructor(connection: PostgresConnection) {
    this.#lease = new PostgresLease(connection);
    this.#pool = this.#lease.pool;
    this.#table = `${connection.schema}.oauth_entries`;
  }

  async upsert(model: string, id: string, entry: OAuthEntry): Promise<void> {
    await this.#lease.run('oauth record write failed', () =>
      this.#pool.query(
        `INSERT INTO ${this.#table} (model, id, ${OAUTH_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, uid = EXCLUDED.uid,
           user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at, consumed_at = EXCLUDED.consumed_at`,
        [model, id, ...oauthValues(entry)],
      ),
    );
  }

  async insertIfAbsent(model: string, id: string, entry: OAuthEntry): Promise<boolean> {
    const result = await this.#lease.run('oauth record write failed', () =>
      this.#pool.query(`INSERT INTO ${this.#table} (model, id, ${OAUTH_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (model, id) DO NOTHING`, [model, id, ...oauthValues(entry)]),
    );
    return (result.rowCount ?? 0) > 0;
  }

  async find(model: string, id: string): Promise<OAuthEntry | undefined> {
    const result = await this.#lease.run('oauth record lookup failed', () => this.#pool.query<OAuthRow>(`SELECT ${OAUTH_COLUMNS} FROM ${this.#table} WHERE model = $1 AND id = $2`, [model, id]));
    const row = result.rows[0];
    return row === undefined ? undefined : oauthEntry(row);
  }

  async findBy(model: string, lookup: OAuthLookup, value: string): Promise<OAuthEntry | undefined> {
    const result = await this.#lease.run('oauth record lookup failed', () =>
      this.#pool.query<OAuthRow>(`SELECT ${OAUTH_COLUMNS} FROM ${this.#table} WHERE model = $1 AND ${OAUTH_LOOKUP_COLUMN[lookup]} = $2 LIMIT 1`, [model, value]),
    );
    const row = result.rows[0];
    return row === undefined ? undefined : oauthEntry(row);
  }

  async consume(model: string, id: string, at: number): Promise<void> {
    await this.#lease.run('oauth record write failed', () => this.#pool.query(`UPDATE ${this.#table} SET consumed_at = $1 WHERE model = $2 AND id = $3`, [at, model, id]));
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.#lease.run('oauth record delete failed', () => this.#pool.query(`DELETE FROM ${this.#table} WHERE model = $1 AND id = $2`, [model, id]));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#lease.run('oauth grant revoke failed', () => this.#pool.query(`DELETE FROM ${this.#table} WHERE grant_id = $1`, [grantId]));
  }

  async deleteExpired(now: number): Promise<number> {
    const result = await this.#lease.run('oauth purge failed', () => this.#pool.query(`DELETE FROM ${this.#table} WHERE expires_at IS NOT NULL AND expires_at <= $1`, [now]));
    return result.rowCount ?? 0;
  }

  close(): Promise<void> {
    return this.#lease.close();
  }
}
