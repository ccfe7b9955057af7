/** UserStore on SQLite: the `users` table of migration 6. */
import type Database from 'better-sqlite3';
import { HubError } from '../../core/errors.ts';
import type { Role } from '../../core/principal.ts';
import type { UserRecord, UserStore } from '../../core/ports/user-store.ts';
import { userFromRow, type UserRow } from '../shared/account-rows.ts';
import { storeError } from '../shared/store-error.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

export class SqliteUserStore implements UserStore {
  readonly #connection: SqliteConnection;
  readonly #db: Database.Database;
  #closed = false;

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
    this.#db = connection.acquire();
  }

  async addUser(record: UserRecord): Promise<void> {
    this.#run('user add failed', () =>
      this.#db
        .prepare(`INSERT INTO users (name, role, password_hash, created_at, disabled_at) VALUES (?, ?, ?, ?, ?)`)
        .run(record.name, record.role, record.passwordHash, record.createdAt, record.disabledAt),
    );
  }

  async listUsers(): Promise<UserRecord[]> {
    return this.#run('user list failed', () => (this.#db.prepare(`SELECT * FROM users ORDER BY created_at, name`).all() as UserRow[]).map(userFromRow));
  }

  async userByName(name: string): Promise<UserRecord | undefined> {
    const row = this.#run('user lookup failed', () => this.#db.prepare(`SELECT * FROM users WHERE name = ?`).get(name) as UserRow | undefined);
    return row === undefined ? undefined : userFromRow(row);
  }

  async setPasswordHash(name: string, passwordHash: string): Promise<boolean> {
    return this.#run('user password change failed', () => this.#db.prepare(`UPDATE users SET password_hash = ? WHERE name = ?`).run(passwordHash, name)).changes > 0;
  }

  async removeUser(name: string): Promise<boolean> {
    return this.#run('user remove failed', () => this.#db.prepare(`DELETE FROM users WHERE name = ?`).run(name)).changes > 0;
  }

  async hasUsers(): Promise<boolean> {
    return this.#run('user lookup failed', () => this.#db.prepare(`SELECT 1 FROM users WHERE disabled_at IS NULL LIMIT 1`).get() !== undefined);
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
