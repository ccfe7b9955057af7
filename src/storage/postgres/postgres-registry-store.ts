/** RegistryStore on PostgreSQL: devices and the command log, JSON documents as jsonb. */
import type pg from 'pg';
import type { CommandRecord } from '../../core/command.ts';
import type { Device } from '../../core/device.ts';
import { HubError } from '../../core/errors.ts';
import type { CommandFilter, RegistryStore } from '../../core/ports/registry-store.ts';
import type { PostgresConnection } from './postgres-connection.ts';
import { PostgresLease } from './postgres-lease.ts';
import {
  COMMAND_COLUMNS,
  commandFromRow,
  commandParams,
  DEVICE_COLUMNS,
  deviceFromRow,
  deviceParams,
  JSON_COLUMNS,
  type CommandRow,
  type DeviceRow,
} from './postgres-registry-rows.ts';

const DEFAULT_COMMAND_LIMIT = 100;
const COMMAND_SELECT = 'SELECT *, result IS NOT NULL AS has_result FROM';

function upsertSql(table: string, columns: readonly string[]): string {
  const values = columns.map((c, i) => `$${i + 1}${JSON_COLUMNS.has(c) ? '::jsonb' : ''}`).join(', ');
  const updates = columns.filter((c) => c !== 'id').map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${values}) ON CONFLICT (id) DO UPDATE SET ${updates}`;
}

/** Devices and commands in `<schema>.devices / commands`. */
export class PostgresRegistryStore implements RegistryStore {
  readonly #lease: PostgresLease;
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #saveDeviceSql: string;
  readonly #saveCommandSql: string;

  /** Use `openPostgresStores()`; the store acquires `connection` and releases it on close. */
  constructor(connection: PostgresConnection) {
    this.#lease = new PostgresLease(connection);
    this.#pool = this.#lease.pool;
    this.#schema = connection.schema;
    this.#saveDeviceSql = upsertSql(`${this.#schema}.devices`, DEVICE_COLUMNS);
    this.#saveCommandSql = upsertSql(`${this.#schema}.commands`, COMMAND_COLUMNS);
  }

  async loadDevices(): Promise<Device[]> {
    return this.#lease.run('device load failed', async () => {
      const result = await this.#pool.query<DeviceRow>(`SELECT * FROM ${this.#schema}.devices ORDER BY registered_at, id`);
      return result.rows.map(deviceFromRow);
    });
  }

  async saveDevice(device: Device): Promise<void> {
    await this.#lease.run(`device save failed: ${device.id}`, () => this.#pool.query(this.#saveDeviceSql, deviceParams(device)));
  }

  async deleteDevice(id: string): Promise<void> {
    await this.#lease.run(`device delete failed: ${id}`, () =>
      this.#pool.query(`DELETE FROM ${this.#schema}.devices WHERE id = $1`, [id]),
    );
  }

  async saveCommand(command: CommandRecord): Promise<void> {
    await this.#lease.run(`command save failed: ${command.id}`, () =>
      this.#pool.query(this.#saveCommandSql, commandParams(command)),
    );
  }

  async getCommand(id: string): Promise<CommandRecord | undefined> {
    return this.#lease.run(`command get failed: ${id}`, async () => {
      const result = await this.#pool.query<CommandRow>(`${COMMAND_SELECT} ${this.#schema}.commands WHERE id = $1`, [id]);
      const row = result.rows[0];
      return row === undefined ? undefined : commandFromRow(row);
    });
  }

  /** Newest first (created_at, then id, descending); every filter field narrows the list. */
  async listCommands(filter: CommandFilter = {}): Promise<CommandRecord[]> {
    const limit = filter.limit ?? DEFAULT_COMMAND_LIMIT;
    return this.#lease.run('command list failed', async () => {
      if (!Number.isSafeInteger(limit) || limit < 0) {
        throw new HubError('STORE_ERROR', `command list failed: limit must be a non-negative integer, got ${limit}`);
      }
      const where: string[] = [];
      const params: unknown[] = [];
      const narrow = (column: string, operator: string, value: string | number | undefined): void => {
        if (value === undefined) return;
        params.push(value);
        where.push(`${column} ${operator} $${params.length}`);
      };
      narrow('device_id', '=', filter.deviceId);
      narrow('state', '=', filter.state);
      narrow('method', '=', filter.method);
      narrow('created_at', '>=', filter.since);
      params.push(limit);
      const result = await this.#pool.query<CommandRow>(
        `${COMMAND_SELECT} ${this.#schema}.commands ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      return result.rows.map(commandFromRow);
    });
  }

  /** Idempotent; the pool ends with its last store. */
  async close(): Promise<void> {
    await this.#lease.close();
  }
}
