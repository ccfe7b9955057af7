/** OAuthStore on SQLite: the `oauth_entries` table of migration 7. */
import type Database from 'better-sqlite3';
import { HubError } from '../../core/errors.ts';
import type { OAuthEntry, OAuthLookup, OAuthStore } from '../../core/ports/oauth-store.ts';
import { storeError } from '../shared/store-error.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

interface EntryRow {
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

const COLUMNS = 'payload, grant_id, uid, user_code, expires_at, consumed_at';
const LOOKUP_COLUMN: Readonly<Record<OAuthLookup, string>> = { uid: 'uid', userCode: 'user_code' };

export class SqliteOAuthStore implements OAuthStore {
  readonly #connection: SqliteConnection;
  readonly #db: Database.Database;
  #closed = false;

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
    this.#db = connection.acquire();
  }

  async upsert(model: string, id: string, entry: OAuthEntry): Promise<void> {
    this.#run('oauth record write failed', () =>
      this.#db
        .prepare(`INSERT OR REPLACE INTO oauth_entries (model, id, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(model, id, ...values(entry)),
    );
  }

  async insertIfAbsent(model: string, id: string, entry: OAuthEntry): Promise<boolean> {
    return this.#run('oauth record write failed', () =>
      this.#db.prepare(`INSERT OR IGNORE INTO oauth_entries (model, id, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(model, id, ...values(entry)),
    ).changes > 0;
  }

  async find(model: string, id: string): Promise<OAuthEntry | undefined> {
    const row = this.#run('oauth record lookup failed', () => this.#db.prepare(`SELECT ${COLUMNS} FROM oauth_entries WHERE model = ? AND id = ?`).get(model, id) as EntryRow | undefined);
    return row === undefined ? undefined : fromRow(row);
  }

  async findBy(model: string, lookup: OAuthLookup, value: string): Promise<OAuthEntry | undefined> {
    const row = this.#run('oauth record lookup failed', () =>
      this.#db.prepare(`SELECT ${COLUMNS} FROM oauth_entries WHERE model = ? AND ${LOOKUP_COLUMN[lookup]} = ? LIMIT 1`).get(model, value) as EntryRow | undefined,
    );
    return row === undefined ? undefined : fromRow(row);
  }

  async consume(model: string, id: string, at: number): Promise<void> {
    this.#run('oauth record write failed', () => this.#db.prepare(`UPDATE oauth_entries SET consumed_at = ? WHERE model = ? AND id = ?`).run(at, model, id));
  }

  async destroy(model: string, id: string): Promise<void> {
    this.#run('oauth record delete failed', () => this.#db.prepare(`DELETE FROM oauth_entries WHERE model = ? AND id = ?`).run(model, id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.#run('oauth grant revoke failed', () => this.#db.prepare(`DELETE FROM oauth_entries WHERE grant_id = ?`).run(grantId));
  }

  async deleteExpired(now: number): Promise<number> {
    return this.#run('oauth purge failed', () => this.#db.prepare(`DELETE FROM oauth_entries WHERE expires_at IS NOT NULL AND expires_at <= ?`).run(now)).changes;
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

function values(entry: OAuthEntry): [string, string | null, string | null, string | null, number | null, number | null] {
  return [JSON.stringify(entry.payload), entry.grantId ?? null, entry.uid ?? null, entry.userCode ?? null, entry.expiresAt, entry.consumedAt ?? null];
}

function fromRow(row: EntryRow): OAuthEntry {
  return {
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    ...(row.grant_id !== null && { grantId: row.grant_id }),
    ...(row.uid !== null && { uid: row.uid }),
    ...(row.user_code !== null && { userCode: row.user_code }),
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
  };
}
