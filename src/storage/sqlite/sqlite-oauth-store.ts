/** OAuthStore on SQLite: the `oauth_entries` table of migration 7. */
import type Database from 'better-sqlite3';
import type { OAuthEntry, OAuthLookup, OAuthStore } from '../../core/ports/oauth-store.ts';
import { OAUTH_COLUMNS, OAUTH_LOOKUP_COLUMN, oauthEntry, oauthValues, type OAuthRow } from '../shared/oauth-row.ts';
import type { SqliteConnection } from './sqlite-connection.ts';
import { SqliteLease } from './sqlite-lease.ts';

export class SqliteOAuthStore implements OAuthStore {
  readonly #lease: SqliteLease;
  readonly #db: Database.Database;

  constructor(connection: SqliteConnection) {
    this.#lease = new SqliteLease(connection);
    this.#db = this.#lease.db;
  }

  async upsert(model: string, id: string, entry: OAuthEntry): Promise<void> {
    this.#lease.run('oauth record write failed', () =>
      this.#db
        .prepare(`INSERT OR REPLACE INTO oauth_entries (model, id, ${OAUTH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(model, id, ...oauthValues(entry)),
    );
  }

  async insertIfAbsent(model: string, id: string, entry: OAuthEntry): Promise<boolean> {
    return this.#lease.run('oauth record write failed', () =>
      this.#db.prepare(`INSERT OR IGNORE INTO oauth_entries (model, id, ${OAUTH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(model, id, ...oauthValues(entry)),
    ).changes > 0;
  }

  async find(model: string, id: string): Promise<OAuthEntry | undefined> {
    const row = this.#lease.run('oauth record lookup failed', () => this.#db.prepare(`SELECT ${OAUTH_COLUMNS} FROM oauth_entries WHERE model = ? AND id = ?`).get(model, id) as OAuthRow | undefined);
    return row === undefined ? undefined : oauthEntry(row);
  }

  async findBy(model: string, lookup: OAuthLookup, value: string): Promise<OAuthEntry | undefined> {
    const row = this.#lease.run('oauth record lookup failed', () =>
      this.#db.prepare(`SELECT ${OAUTH_COLUMNS} FROM oauth_entries WHERE model = ? AND ${OAUTH_LOOKUP_COLUMN[lookup]} = ? LIMIT 1`).get(model, value) as OAuthRow | undefined,
    );
    return row === undefined ? undefined : oauthEntry(row);
  }

  async consume(model: string, id: string, at: number): Promise<void> {
    this.#lease.run('oauth record write failed', () => this.#db.prepare(`UPDATE oauth_entries SET consumed_at = ? WHERE model = ? AND id = ?`).run(at, model, id));
  }

  async destroy(model: string, id: string): Promise<void> {
    this.#lease.run('oauth record delete failed', () => this.#db.prepare(`DELETE FROM oauth_entries WHERE model = ? AND id = ?`).run(model, id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.#lease.run('oauth grant revoke failed', () => this.#db.prepare(`DELETE FROM oauth_entries WHERE grant_id = ?`).run(grantId));
  }

  async deleteExpired(now: number): Promise<number> {
    return this.#lease.run('oauth purge failed', () => this.#db.prepare(`DELETE FROM oauth_entries WHERE expires_at IS NOT NULL AND expires_at <= ?`).run(now)).changes;
  }

  async close(): Promise<void> {
    this.#lease.close();
  }
}
