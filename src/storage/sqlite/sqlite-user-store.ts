/** UserStore on SQLite: the `users` table of migration 6. */
import type Database from 'better-sqlite3';
import type { UserRecord, UserStore } from '../../core/ports/user-store.ts';
import { userFromRow, type UserRow } from '../shared/account-rows.ts';
import type { SqliteConnection } from './sqlite-connection.ts';
import { SqliteLease } from './sqlite-lease.ts';

export class SqliteUserStore implements UserStore {
  readonly #lease: SqliteLease;
  readonly #db: Database.Database;

  constructor(connection: SqliteConnection) {
    this.#lease = new SqliteLease(connection);
    this.#db = this.#lease.db;
  }

  async addUser(record: UserRecord): Promise<void> {
    this.#lease.run('user add failed', () =>
      this.#db
        .prepare(`INSERT INTO users (name, role, password_hash, created_at, disabled_at) VALUES (?, ?, ?, ?, ?)`)
        .run(record.name, record.role, record.passwordHash, record.createdAt, record.disabledAt),
    );
  }

  async listUsers(): Promise<UserRecord[]> {
    return this.#lease.run('user list failed', () => (this.#db.prepare(`SELECT * FROM users ORDER BY created_at, name`).all() as UserRow[]).map(userFromRow));
  }

  async userByName(name: string): Promise<UserRecord | undefined> {
    const row = this.#lease.run('user lookup failed', () => this.#db.prepare(`SELECT * FROM users WHERE name = ?`).get(name) as UserRow | undefined);
    return row === undefined ? undefined : userFromRow(row);
  }

  async setPasswordHash(name: string, passwordHash: string): Promise<boolean> {
    return this.#lease.run('user password change failed', () => this.#db.prepare(`UPDATE users SET password_hash = ? WHERE name = ?`).run(passwordHash, name)).changes > 0;
  }

  async removeUser(name: string): Promise<boolean> {
    return this.#lease.run('user remove failed', () => this.#db.prepare(`DELETE FROM users WHERE name = ?`).run(name)).changes > 0;
  }

  async hasUsers(): Promise<boolean> {
    return this.#lease.run('user lookup failed', () => this.#db.prepare(`SELECT 1 FROM users WHERE disabled_at IS NULL LIMIT 1`).get() !== undefined);
  }

  async close(): Promise<void> {
    this.#lease.close();
  }
}
