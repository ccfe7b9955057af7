/** RegistryStore on SQLite: devices and the command log, JSON documents kept as JSON text. */
import type Database from 'better-sqlite3';
import type { CommandRecord } from '../../core/command.ts';
import type { Device } from '../../core/device.ts';
import { HubError } from '../../core/errors.ts';
import type { CommandFilter, RegistryStore } from '../../core/ports/registry-store.ts';
import type { SqliteConnection } from './sqlite-connection.ts';
import {
  COMMAND_COLUMNS,
  commandFromRow,
  commandToRow,
  DEVICE_COLUMNS,
  deviceFromRow,
  deviceToRow,
  type CommandRow,
  type DeviceRow,
} from './sqlite-registry-rows.ts';
import { storeError } from '../shared/store-error.ts';

const DEFAULT_COMMAND_LIMIT = 100;

function upsertSql(table: string, columns: readonly string[]): string {
  const names = columns.join(', ');
  const values = columns.map((c) => `@${c}`).join(', ');
  const updates = columns.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`).join(', ');
  return `INSERT INTO ${table} (${names}) VALUES (${values}) ON CONFLICT (id) DO UPDATE SET ${updates}`;
}

/** Devices and commands in the SQLite file shared with the telemetry store. */
export class SqliteRegistryStore implements RegistryStore {
  readonly #connection: SqliteConnection;
  readonly #db: Database.Database;
  readonly #saveDevice: Database.Statement<[DeviceRow]>;
  readonly #loadDevices: Database.Statement<[], DeviceRow>;
  readonly #deleteDevice: Database.Statement<[string]>;
  readonly #saveCommand: Database.Statement<[CommandRow]>;
  readonly #getCommand: Database.Statement<[string], CommandRow>;
  readonly #listStatements = new Map<string, Database.Statement<[Record<string, string | number>], CommandRow>>();
  #closed = false;

  /** Use `openSqliteStores()`; the store acquires `connection` and releases it on close. */
  constructor(connection: SqliteConnection) {
    this.#connection = connection;
    const db = connection.acquire();
    this.#db = db;
    this.#saveDevice = db.prepare(upsertSql('devices', DEVICE_COLUMNS));
    this.#loadDevices = db.prepare('SELECT * FROM devices ORDER BY registered_at, id');
    this.#deleteDevice = db.prepare('DELETE FROM devices WHERE id = ?');
    this.#saveCommand = db.prepare(upsertSql('commands', COMMAND_COLUMNS));
    this.#getCommand = db.prepare('SELECT * FROM commands WHERE id = ?');
  }

  async loadDevices(): Promise<Device[]> {
    this.#assertOpen('device load failed');
    try {
      return this.#loadDevices.all().map(deviceFromRow);
    } catch (error) {
      throw storeError('device load failed', error);
    }
  }

  async saveDevice(device: Device): Promise<void> {
    this.#assertOpen('device save failed');
    try {
      this.#saveDevice.run(deviceToRow(device));
    } catch (error) {
      throw storeError(`device save failed: ${device.id}`, error);
    }
  }

  async deleteDevice(id: string): Promise<void> {
    this.#assertOpen('device delete failed');
    try {
      this.#deleteDevice.run(id);
    } catch (error) {
      throw storeError(`device delete failed: ${id}`, error);
    }
  }

  async saveCommand(command: CommandRecord): Promise<void> {
    this.#assertOpen('command save failed');
    try {
      this.#saveCommand.run(commandToRow(command));
    } catch (error) {
      throw storeError(`command save failed: ${command.id}`, error);
    }
  }

  async getCommand(id: string): Promise<CommandRecord | undefined> {
    this.#assertOpen('command get failed');
    try {
      const row = this.#getCommand.get(id);
      return row === undefined ? undefined : commandFromRow(row);
    } catch (error) {
      throw storeError(`command get failed: ${id}`, error);
    }
  }

  /** Newest first (created_at, then id, descending); every filter field narrows the list. */
  async listCommands(filter: CommandFilter = {}): Promise<CommandRecord[]> {
    this.#assertOpen('command list failed');
    const limit = filter.limit ?? DEFAULT_COMMAND_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new HubError('STORE_ERROR', `command list failed: limit must be a non-negative integer, got ${limit}`);
    }
    const where: string[] = [];
    const params: Record<string, string | number> = { limit };
    const narrow = (condition: string, name: string, value: string | number | undefined): void => {
      if (value === undefined) return;
      where.push(condition);
      params[name] = value;
    };
    narrow('device_id = @deviceId', 'deviceId', filter.deviceId);
    narrow('state = @state', 'state', filter.state);
    narrow('method = @method', 'method', filter.method);
    narrow('created_at >= @since', 'since', filter.since);
    const sql = `SELECT * FROM commands ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT @limit`;
    try {
      let statement = this.#listStatements.get(sql);
      if (statement === undefined) {
        statement = this.#db.prepare(sql);
        this.#listStatements.set(sql, statement);
      }
      return statement.all(params).map(commandFromRow);
    } catch (error) {
      throw storeError('command list failed', error);
    }
  }

  /** Idempotent; the shared connection closes with its last store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#connection.release();
  }

  #assertOpen(what: string): void {
    if (this.#closed) throw new HubError('STORE_ERROR', `${what}: the store is closed`);
  }
}
