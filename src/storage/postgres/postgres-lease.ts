/**
 * A store's hold on the shared PostgreSQL connection: its pool while open, store errors with the
 * operation named, and one release at close. The registry, account, credential, OAuth, approval and
 * grant stores share it.
 */
import type pg from 'pg';
import { HubError } from '../../core/errors.ts';
import { storeError } from '../shared/store-error.ts';
import type { PostgresConnection } from './postgres-connection.ts';

export class PostgresLease {
  readonly pool: pg.Pool;
  readonly #connection: PostgresConnection;
  #closed = false;

  constructor(connection: PostgresConnection) {
    this.#connection = connection;
    this.pool = connection.acquire();
  }

  /** Run a query; a failure becomes STORE_ERROR naming `what`; after close it is refused. */
  async run<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new HubError('STORE_ERROR', `${what}: the store is closed`);
    try {
      return await work();
    } catch (error) {
      throw storeError(what, error);
    }
  }

  /** Release the connection once; later calls do nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#connection.release();
  }
}
