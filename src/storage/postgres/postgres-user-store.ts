/** UserStore on PostgreSQL: `<schema>.users` (upgrade 6). */
import type pg from 'pg';
import { HubError } from '../../core/errors.ts';
import type { Role } from '../../core/principal.ts';
import type { UserRecord, UserStore } from '../../core/ports/user-store.ts';
import { userFromRow, type UserRow } from '../shared/account-rows.ts';
import { storeError } from '../shared/store-error.ts';
import type { PostgresConnection } from './postgres-connection.ts';

export class PostgresUserStore implements UserStore {
  readonly #connection: PostgresConnection;
  readonly #pool: pg.Pool;
  readonly #table: string;
  #closed = false;

  constructor(connection: PostgresConnection) {
    this.#connection = connection;
    this.#pool = connection.acquire();
    this.#table = `${connection.schema}.users`;
  }

  async addUser(record: UserRecord): Promise<void> {
    await this.#run('user add failed', () =>
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
    const result = await this.#run('user list failed', () => this.#pool.query<UserRow>(`SELECT * FROM ${this.#table} ORDER BY created_at, name`));
    return result.rows.map(userFromRow);
  }

  async userByName(name: string): Promise<UserRecord | undefined> {
    const result = await this.#run('user lookup failed', () => this.#pool.query<UserRow>(`SELECT * FROM ${this.#table} WHERE name = $1`, [name]));
    const row = result.rows[0];
    return row === undefined ? undefined : userFromRow(row);
  }

  async setPasswordHash(name: string, passwordHash: string): Promise<boolean> {
    const result = await this.#run('user password change failed', () => this.#pool.query(`UPDATE ${this.#table} SET password_hash = $1 WHERE name = $2`, [passwordHash, name]));
    return (result.rowCount ?? 0) > 0;
  }

  async removeUser(name: string): Promise<boolean> {
    const result = await this.#run('user remove failed', () => this.#pool.query(`DELETE FROM ${this.#table} WHERE name = $1`, [name]));
    return (result.rowCount ?? 0) > 0;
  }

  async hasUsers(): Promise<boolean> {
    const result = await this.#run('user lookup failed', () => this.#pool.query(`SELECT 1 FROM ${this.#table} WHERE disabled_at IS NULL LIMIT 1`));
    return (result.rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#connection.release();
  }

  async #run<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new HubError('STORE_ERROR', `${what}: the store is closed`);
    try {
      return await work();
    } catch (error) {
      throw storeError(what, error);
    }
  }
}
