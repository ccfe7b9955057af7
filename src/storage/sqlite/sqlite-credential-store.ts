/** CredentialStore on SQLite: the `device_credentials` table (migration 4). */
import type Database from 'better-sqlite3';
import { HubError } from '../../core/errors.ts';
import type { CredentialState, CredentialStore, DeviceCredential } from '../../core/ports/credential-store.ts';
import type { SqliteConnection } from './sqlite-connection.ts';
import { credentialFromRow, type CredentialRow } from '../shared/account-rows.ts';
import { storeError } from '../shared/store-error.ts';

export class SqliteCredentialStore implements CredentialStore {
  readonly #connection: SqliteConnection;
  readonly #get: Database.Statement<[string]>;
  readonly #put: Database.Statement<[CredentialRow]>;
  readonly #list: Database.Statement<[]>;
  #closed = false;

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
    const db = connection.acquire();
    this.#get = db.prepare('SELECT * FROM device_credentials WHERE hardware_id = ?');
    this.#put = db.prepare(
      `INSERT INTO device_credentials (hardware_id, state, hash, created_at, updated_at)
       VALUES (@hardware_id, @state, @hash, @created_at, @updated_at)
       ON CONFLICT (hardware_id) DO UPDATE SET state = excluded.state, hash = excluded.hash, updated_at = excluded.updated_at`,
    );
    this.#list = db.prepare('SELECT * FROM device_credentials ORDER BY hardware_id');
  }

  async get(hardwareId: string): Promise<DeviceCredential | undefined> {
    this.#assertOpen('credential read failed');
    try {
      const row = this.#get.get(hardwareId) as CredentialRow | undefined;
      return row === undefined ? undefined : credentialFromRow(row);
    } catch (error) {
      throw storeError('credential read failed', error);
    }
  }

  async put(credential: DeviceCredential): Promise<void> {
    this.#assertOpen('credential write failed');
    try {
      this.#put.run({
        hardware_id: credential.hardwareId,
        state: credential.state,
        hash: credential.hash,
        created_at: credential.createdAt,
        updated_at: credential.updatedAt,
      });
    } catch (error) {
      throw storeError('credential write failed', error);
    }
  }

  async list(): Promise<DeviceCredential[]> {
    this.#assertOpen('credential list failed');
    try {
      return (this.#list.all() as CredentialRow[]).map(credentialFromRow);
    } catch (error) {
      throw storeError('credential list failed', error);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#connection.release();
  }

  #assertOpen(what: string): void {
    if (this.#closed) throw new HubError('STORE_ERROR', `${what}: the store is closed`);
  }
}
