/** TokenStore on SQLite: the `api_tokens` table of migration 5. */
import type Database from 'better-sqlite3';
import type { ApiTokenRecord, TokenStore } from '../../core/ports/token-store.ts';
import { tokenFromRow, type TokenRow } from '../shared/account-rows.ts';
import type { SqliteConnection } from './sqlite-connection.ts';
import { SqliteLease } from './sqlite-lease.ts';

export class SqliteTokenStore implements TokenStore {
  readonly #lease: SqliteLease;
  readonly #db: Database.Database;

  constructor(connection: SqliteConnection) {
    this.#lease = new SqliteLease(connection);
    this.#db = this.#lease.db;
  }

  async addToken(record: ApiTokenRecord): Promise<void> {
    this.#lease.run('token add failed', () =>
      this.#db
        .prepare(`INSERT INTO api_tokens (id, name, role, hash, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(record.id, record.name, record.role, record.hash, record.createdAt, record.expiresAt, record.revokedAt),
    );
  }

  async listTokens(): Promise<ApiTokenRecord[]> {
    return this.#lease.run('token list failed', () => (this.#db.prepare(`SELECT * FROM api_tokens ORDER BY created_at, id`).all() as TokenRow[]).map(tokenFromRow));
  }

  async tokenByHash(hash: string): Promise<ApiTokenRecord | undefined> {
    const row = this.#lease.run('token lookup failed', () => this.#db.prepare(`SELECT * FROM api_tokens WHERE hash = ?`).get(hash) as TokenRow | undefined);
    return row === undefined ? undefined : tokenFromRow(row);
  }

  async revokeToken(id: string, at: number): Promise<boolean> {
    const info = this.#lease.run('token revoke failed', () => this.#db.prepare(`UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`).run(at, id));
    return info.changes > 0;
  }

  async hasCredentials(): Promise<boolean> {
    return this.#lease.run('token lookup failed', () => this.#db.prepare(`SELECT 1 FROM api_tokens WHERE revoked_at IS NULL LIMIT 1`).get() !== undefined);
  }

  async close(): Promise<void> {
    this.#lease.close();
  }
}
