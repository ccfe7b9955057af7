/**
 * What hub instances sharing one PostgreSQL schema coordinate through (docs/deployment.md, "Several
 * hubs"): member leases on the database's clock, the instance waiting for each command, devices
 * read back by id, and LISTEN/NOTIFY on one channel per schema.
 */
import type pg from 'pg';
import type { Device, JsonObject } from '../../core/device.ts';
import type { SessionStore } from '../../core/ports/session-store.ts';
import { deviceFromRow, type DeviceRow } from './postgres-registry-rows.ts';
import type { PostgresConnection } from './postgres-connection.ts';

/** A live member as the database sees it. */
export interface ClusterMemberRow {
  readonly instance: string;
  readonly startedAt: number;
  /** The member has live telemetry subscribers (data.subscribe, MCP resources): peers fan telemetry out to it. */
  readonly watching: boolean;
}

/** Command routes older than this are deleted by the heartbeat (a command never waits that long). */
const ROUTE_RETENTION_MS = 24 * 3_600_000;

export class PostgresClusterStore implements SessionStore {
  readonly #connection: PostgresConnection;
  readonly #pool: pg.Pool;
  readonly #schema: string;
  /** The NOTIFY channel of this schema (schemas share a database, so the name carries the schema). */
  readonly channel: string;
  #closed = false;

  /** The database URL (without `?schema`), for the dedicated LISTEN client. */
  readonly url: string;

  constructor(connection: PostgresConnection, url: string) {
    this.url = url;
    this.#connection = connection;
    this.#pool = connection.acquire();
    this.#schema = connection.schema;
    this.channel = `llmiot_${connection.schema.slice(1, -1)}`.slice(0, 63).toLowerCase();
  }

  /** Insert or renew this instance's lease (`leaseMs` on the database clock); returns the live members, own row included. */
  async heartbeat(instance: string, startedAt: number, leaseMs: number, watching: boolean): Promise<ClusterMemberRow[]> {
    await this.#pool.query(
      `INSERT INTO ${this.#schema}.cluster_members (instance, started_at, expires_at, watching)
       VALUES ($1, $2, now() + $3 * interval '1 millisecond', $4)
       ON CONFLICT (instance) DO UPDATE SET expires_at = EXCLUDED.expires_at, started_at = EXCLUDED.started_at, watching = EXCLUDED.watching`,
      [instance, startedAt, leaseMs, watching],
    );
    return this.members();
  }

  async members(): Promise<ClusterMemberRow[]> {
    const result = await this.#pool.query<{ instance: string; started_at: number; watching: boolean }>(
      `SELECT instance, started_at, watching FROM ${this.#schema}.cluster_members WHERE expires_at > now() ORDER BY instance`,
    );
    return result.rows.map((r) => ({ instance: r.instance, startedAt: r.started_at, watching: r.watching }));
  }

  /** Leave at once (a clean stop), so peers need not wait for the lease. */
  async leave(instance: string): Promise<void> {
    await this.#pool.query(`DELETE FROM ${this.#schema}.cluster_members WHERE instance = $1`, [instance]);
  }

  /**
   * Members whose lease ran out without a clean leave (kill -9, lost host): their broker sessions
   * are adopted by a survivor (src/cluster/session-adopter.ts), which then forgets the row.
   */
  async expiredMembers(): Promise<string[]> {
    const result = await this.#pool.query<{ instance: string }>(`SELECT instance FROM ${this.#schema}.cluster_members WHERE expires_at <= now() ORDER BY instance`);
    return result.rows.map((r) => r.instance);
  }

  /** Forget an expired member once its session was adopted (a member that came back meanwhile keeps its row). */
  async forgetExpired(instance: string): Promise<void> {
    await this.#pool.query(`DELETE FROM ${this.#schema}.cluster_members WHERE instance = $1 AND expires_at <= now()`, [instance]);
  }

  /** Forget leases long expired and routes of long-finished commands. */
  async sweep(now: number): Promise<void> {
    await this.#pool.query(`DELETE FROM ${this.#schema}.cluster_members WHERE expires_at < now() - interval '1 hour'`);
    await this.#pool.query(`DELETE FROM ${this.#schema}.command_routes WHERE created_at < $1`, [now - ROUTE_RETENTION_MS]);
  }

  /** Record which instance waits for a command (its answer may reach another instance). */
  async routeCommand(commandId: string, instance: string, createdAt: number): Promise<void> {
    await this.#pool.query(`INSERT INTO ${this.#schema}.command_routes (command_id, instance, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
      commandId,
      instance,
      createdAt,
    ]);
  }

  /** The instance waiting for a command, if it is still pending (not finished in the command log). */
  async waitingInstance(commandId: string): Promise<string | undefined> {
    const result = await this.#pool.query<{ instance: string }>(
      `SELECT r.instance FROM ${this.#schema}.command_routes r JOIN ${this.#schema}.commands c ON c.id = r.command_id
       WHERE r.command_id = $1 AND c.state IN ('pending', 'sent')`,
      [commandId],
    );
    return result.rows[0]?.instance;
  }

  /** Devices by id, or every device when `ids` is undefined. */
  async devices(ids?: readonly string[]): Promise<Device[]> {
    const result =
      ids === undefined
        ? await this.#pool.query<DeviceRow>(`SELECT * FROM ${this.#schema}.devices`)
        : await this.#pool.query<DeviceRow>(`SELECT * FROM ${this.#schema}.devices WHERE id = ANY($1)`, [ids]);
    return result.rows.map(deviceFromRow);
  }

  /** A device by hardware id. */
  async deviceByHardwareId(hardwareId: string): Promise<Device | undefined> {
    const result = await this.#pool.query<DeviceRow>(`SELECT * FROM ${this.#schema}.devices WHERE hardware_id = $1 LIMIT 1`, [hardwareId]);
    const row = result.rows[0];
    return row === undefined ? undefined : deviceFromRow(row);
  }

  async save(protocol: string, key: string, state: JsonObject, updatedAt: number): Promise<void> {
    await this.#pool.query(
      `INSERT INTO ${this.#schema}.protocol_sessions (protocol, key, state, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (protocol, key) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
      [protocol, key, JSON.stringify(state), updatedAt],
    );
  }

  async load(protocol: string, key: string): Promise<JsonObject | undefined> {
    const result = await this.#pool.query<{ state: JsonObject }>(`SELECT state FROM ${this.#schema}.protocol_sessions WHERE protocol = $1 AND key = $2`, [protocol, key]);
    return result.rows[0]?.state;
  }

  async remove(protocol: string, key: string): Promise<void> {
    await this.#pool.query(`DELETE FROM ${this.#schema}.protocol_sessions WHERE protocol = $1 AND key = $2`, [protocol, key]);
  }

  /** NOTIFY every listener of the schema's channel (payload under PostgreSQL's 8000-byte limit). */
  async notify(payload: string): Promise<void> {
    await this.#pool.query('SELECT pg_notify($1, $2)', [this.channel, payload]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#connection.release();
  }
}
