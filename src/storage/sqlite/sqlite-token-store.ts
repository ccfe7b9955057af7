/** TokenStore on SQLite: the `api_tokens` table of migration 5. */
import type Database from 'better-sqlite3';
import { HubError } from '../../core/errors.ts';
import type { Role } from '../../core/principal.ts';
import type { ApiTokenRecord, TokenStore } from '../../core/ports/token-store.ts';
import { tokenFromRow, type TokenRow } from '../shared/account-rows.ts';
import { storeError } from '../shared/store-error.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

export class SqliteTokenStore implements TokenStore {
  readonly #connection: SqliteConnection;
  readonly #db: Database.Database;
  #closed = false;

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
    this.#db = connection.acquire();
  }

  async addToken(record: ApiTokenRecord): Promise<void> {
    this.#run('token add failed', () =>
      this.#db
        .prepare(`INSERT INTO api_tokens (id, name, role, hash, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(record.id, record.name, record.role, record.hash, record.createdAt, record.expiresAt, record.revokedAt),
    );
  }

  async listTokens(): Promise<ApiTokenRecord[]> {
    return this.#run('token list failed', () => (this.#db.prepare(`SELECT * FROM api_tokens ORDER BY created_at, id`).all() as TokenRow[]).map(tokenFromRow));
  }

  async tokenByHash(hash: string): Promise<ApiTokenRecord | undefined> {
    const row = this.#run('token lookup failed', () => this.#db.prepare(`SELECT * FROM api_tokens WHERE hash = ?`).get(hash) as TokenRow | undefined);
    return row === undefined ? undefined : tokenFromRow(row);
  }

  async revokeToken(id: string, at: number): Promise<boolean> {
    const info = this.#run('token revoke failed', () => this.#db.prepare(`UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`).run(at, id));
    return info.changes > 0;
  }

  async hasCredentials(): Promise<boolean> {
    return this.#run('token lookup failed', () => this.#db.prepare(`SELECT 1 FROM api_tokens WHERE revoked_at IS NULL LIMIT 1`).get() !== undefined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#connection.release();
  }

  #run<T>(what: string, step: () => T): T {
    if (this.#closed) throw new HubError('STORE_ERROR', `${what}: the store is closed`);
    try {
      return step();
    } catch (error) {
      throw storeError(what, error);
    }
  }
}
