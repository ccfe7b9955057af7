/** CredentialStore on PostgreSQL: `<schema>.device_credentials` (upgrade 4). */
import type pg from 'pg';
import type { CredentialStore, DeviceCredential } from '../../core/ports/credential-store.ts';
import { credentialFromRow, type CredentialRow } from '../shared/account-rows.ts';
import type { PostgresConnection } from './postgres-connection.ts';
import { PostgresLease } from './postgres-lease.ts';

export class PostgresCredentialStore implements CredentialStore {
  readonly #lease: PostgresLease;
  readonly #pool: pg.Pool;
  readonly #table: string;

  constructor(connection: PostgresConnection) {
    this.#lease = new PostgresLease(connection);
    this.#pool = this.#lease.pool;
    this.#table = `${connection.schema}.device_credentials`;
  }

  async get(hardwareId: string): Promise<DeviceCredential | undefined> {
    return this.#lease.run('credential read failed', async () => {
      const result = await this.#pool.query<CredentialRow>(`SELECT * FROM ${this.#table} WHERE hardware_id = $1`, [hardwareId]);
      const row = result.rows[0];
      return row === undefined ? undefined : credentialFromRow(row);
    });
  }

  async put(credential: DeviceCredential): Promise<void> {
    await this.#lease.run('credential write failed', () =>
      this.#pool.query(
        `INSERT INTO ${this.#table} (hardware_id, state, hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (hardware_id) DO UPDATE SET state = EXCLUDED.state, hash = EXCLUDED.hash, updated_at = EXCLUDED.updated_at`,
        [credential.hardwareId, credential.state, credential.hash, credential.createdAt, credential.updatedAt],
      ),
    );
  }

  async list(): Promise<DeviceCredential[]> {
    return this.#lease.run('credential list failed', async () => {
      const result = await this.#pool.query<CredentialRow>(`SELECT * FROM ${this.#table} ORDER BY hardware_id`);
      return result.rows.map(credentialFromRow);
    });
  }

  close(): Promise<void> {
    return this.#lease.close();
  }
}
