/**
 * A store's hold on the shared SQLite connection: its database while open, store errors with the
 * operation named, and one release at close. The account, credential, audit, OAuth, approval and grant
 * stores share it (PostgresLease is its PostgreSQL counterpart).
 */
import type Database from 'better-sqlite3';
import { HubError } from '../../core/errors.ts';
import { storeError } from '../shared/store-error.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

export class SqliteLease {
  readonly db: Database.Database;
  readonly #connection: SqliteConnection;
  #closed = false;

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
    this.db = connection.acquire();
  }

  /** Run a statement; a failure becomes STORE_ERROR naming `what`; after close it is refused. */
  run<T>(what: string, step: () => T): T {
    if (this.#closed) throw new HubError('STORE_ERROR', `${what}: the store is closed`);
    try {
      return step();
    } catch (error) {
      throw storeError(what, error);
    }
  }

  /** Release the connection once; later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connection.release();
  }
}
