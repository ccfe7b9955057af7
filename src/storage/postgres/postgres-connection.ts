/** One pg Pool shared by the PostgreSQL telemetry and registry stores, ended when its last user closes. */
import pg from 'pg';
import { HubError } from '../../core/errors.ts';
import { storeError } from '../shared/store-error.ts';
import { migratePostgres } from './postgres-migrations.ts';

const INT8_OID = 20;
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** A reference-counted pool bound to one schema; each store acquires it once and releases it on close. */
export class PostgresConnection {
  readonly pool: pg.Pool;
  /** The schema, quoted for use in SQL (`"public"`). */
  readonly schema: string;
  /** True when the points table is a TimescaleDB hypertable. */
  readonly timescale: boolean;
  #users = 0;
  #ended = false;

  private constructor(pool: pg.Pool, schema: string, timescale: boolean) {
    this.pool = pool;
    this.schema = schema;
    this.timescale = timescale;
  }

  /** Connect, create the schema and tables if missing (hypertable when TimescaleDB is available). */
  static async open(url: string, schemaName = 'public'): Promise<PostgresConnection> {
    if (!SCHEMA_NAME.test(schemaName)) {
      throw new HubError('STORE_ERROR', `store open failed: invalid PostgreSQL schema name "${schemaName}"`);
    }
    const types = new pg.TypeOverrides();
    // bigint (ms timestamps, counts) as numbers: every value we store fits in 2^53.
    types.setTypeParser(INT8_OID, (text: string) => Number(text));
    const pool = new pg.Pool({ connectionString: url, types, max: 10, connectionTimeoutMillis: 10_000 });
    // An idle client losing its server emits 'error' on the pool; the next query reports the failure.
    pool.on('error', () => {});
    const schema = `"${schemaName}"`;
    try {
      const timescale = await migratePostgres(pool, schema);
      return new PostgresConnection(pool, schema, timescale);
    } catch (error) {
      await pool.end().catch(() => {});
      throw storeError(`store open failed: ${redact(url)}`, error);
    }
  }

  /** Register one more user of the pool. */
  acquire(): pg.Pool {
    if (this.#ended) throw new HubError('STORE_ERROR', 'store open failed: the PostgreSQL pool is closed');
    this.#users++;
    return this.pool;
  }

  /** Drop one user; the last one ends the pool (waiting for checked-out clients). */
  async release(): Promise<void> {
    if (this.#users === 0) return;
    this.#users--;
    if (this.#users > 0 || this.#ended) return;
    this.#ended = true;
    await this.pool.end();
  }
}

/** The URL without its password, for error messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}
