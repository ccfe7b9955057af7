/** UserStore on PostgreSQL: `<schema>.users` (upgrade 6). */
import type pg from 'pg';
import type { UserRecord, UserStore } from '../../core/ports/user-store.ts';
import { userFromRow, type UserRow } from '../shared/account-rows.ts';
import type { PostgresConnection } from './postgres-connection.ts';
import { PostgresLease } from './postgres-lease.ts';

export class PostgresUserStore implements UserStore {
  readonly #lease: PostgresLease;
  readonly #pool: pg.Pool;
  readonly #table: string;

  constructor(connection: PostgresConnection) {
    this.#lease = new PostgresLease(connection);
    this.#pool = this.#lease.pool;
    this.#table = `${connection.schema}.users`;
  }

  async addUser(record: UserRecord): Promise<void> {
    await this.#lease.run('user add failed', () =>
      this.#pool.query(`INSERT INTO ${this.#table} (name, role, password_hash, created_at, disabled_at) VALUES ($1, $2, $3, $4, $5)`, [
        record.name,
        record.role,
        record.passwordHash,
        record.createdAt,
        record.disabledAt,
      ]),
    );
  }

  async listUsers(): Promise<UserRecord[]> {
    const result = await this.#lease.run('user list failed', () => this.#pool.query<UserRow>(`SELECT * FROM ${this.#table} ORDER BY created_at, name`));
    return result.rows.map(userFromRow);
  }

  async userByName(name: string): Promise<UserRecord | undefined> {
    const result = await this.#lease.run('user lookup failed', () => this.#pool.query<UserRow>(`SELECT * FROM ${this.#table} WHERE name = $1`, [name]));
    const row = result.rows[0];
    return row === undefined ? undefined : userFromRow(row);
  }

  async setPasswordHash(name: string, passwordHash: string): Promise<boolean> {
    const result = await this.#lease.run('user password change failed', () => this.#pool.query(`UPDATE ${this.#table} SET password_hash = $1 WHERE name = $2`, [passwordHash, name]));
    return (result.rowCount ?? 0) > 0;
  }

  async removeUser(name: string): Promise<boolean> {
    const result = await this.#lease.run('user remove failed', () => this.#pool.query(`DELETE FROM ${this.#table} WHERE name = $1`, [name]));
    return (result.rowCount ?? 0) > 0;
  }

  async hasUsers(): Promise<boolean> {
    const result = await this.#lease.run('user lookup failed', () => this.#pool.query(`SELECT 1 FROM ${this.#table} WHERE disabled_at IS NULL LIMIT 1`));
    return (result.rowCount ?? 0) > 0;
  }

  close(): Promise<void> {
    return this.#lease.close();
  }
}
