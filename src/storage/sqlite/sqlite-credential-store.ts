/** CredentialStore on SQLite: the `device_credentials` table (migration 4). */
import type Database from 'better-sqlite3';
import type { CredentialStore, DeviceCredential } from '../../core/ports/credential-store.ts';
import type { SqliteConnection } from './sqlite-connection.ts';
import { credentialFromRow, type CredentialRow } from '../shared/account-rows.ts';
import { SqliteLease } from './sqlite-lease.ts';

export class SqliteCredentialStore implements CredentialStore {
  readonly #lease: SqliteLease;
  readonly #get: Database.Statement<[string]>;
  readonly #put: Database.Statement<[CredentialRow]>;
  readonly #list: Database.Statement<[]>;

  constructor(connection: SqliteConnection) {
    this.#lease = new SqliteLease(connection);
    const db = this.#lease.db;
    this.#get = db.prepare('SELECT * FROM device_credentials WHERE hardware_id = ?');
    this.#put = db.prepare(
      `INSERT INTO device_credentials (hardware_id, state, hash, created_at, updated_at)
       VALUES (@hardware_id, @state, @hash, @created_at, @updated_at)
       ON CONFLICT (hardware_id) DO UPDATE SET state = excluded.state, hash = excluded.hash, updated_at = excluded.updated_at`,
    );
    this.#list = db.prepare('SELECT * FROM device_credentials ORDER BY hardware_id');
  }

  async get(hardwareId: string): Promise<DeviceCredential | undefined> {
    return this.#lease.run('credential read failed', () => {
      const row = this.#get.get(hardwareId) as CredentialRow | undefined;
      return row === undefined ? undefined : credentialFromRow(row);
    });
  }

  async put(credential: DeviceCredential): Promise<void> {
    this.#lease.run('credential write failed', () =>
      this.#put.run({
        hardware_id: credential.hardwareId,
        state: credential.state,
        hash: credential.hash,
        created_at: credential.createdAt,
        updated_at: credential.updatedAt,
      }),
    );
  }

  async list(): Promise<DeviceCredential[]> {
    return this.#lease.run('credential list failed', () => (this.#list.all() as CredentialRow[]).map(credentialFromRow));
  }

  async close(): Promise<void> {
    this.#lease.close();
  }
}
