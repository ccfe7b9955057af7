/** AuditStore on PostgreSQL: `<schema>.audit_log`, arguments as jsonb. */
import type pg from 'pg';
import type { AuditEntry, AuditFilter } from '../../core/audit.ts';
import { HubError } from '../../core/errors.ts';
import type { Role } from '../../core/principal.ts';
import type { AuditStore } from '../../core/ports/audit-store.ts';
import { storeError } from '../shared/store-error.ts';
import type { PostgresConnection } from './postgres-connection.ts';

interface AuditRow {
  id: string;
  at: string;
  principal: string;
  role: Role | null;
  client: string | null;
  via: AuditEntry['via'];
  tool: string;
  method: string | null;
  arguments: Record<string, unknown>;
  decision: AuditEntry['decision'];
  outcome: AuditEntry['outcome'];
  error: { code: number; message: string } | null;
  device_ids: string[];
  chain_id: string | null;
  links: Pick<AuditEntry, 'approvalId' | 'grantId' | 'commandIds'> | null;
}

export class PostgresAuditStore implements AuditStore {
  readonly #connection: PostgresConnection;
  readonly #pool: pg.Pool;
  readonly #table: string;
  readonly #ready: Promise<unknown>;
  #closed = false;

  constructor(connection: PostgresConnection) {
    this.#connection = connection;
    this.#pool = connection.acquire();
    this.#table = `${connection.schema}.audit_log`;
    // Its own table, created on first use: the audit log is an addition the registry schema does not depend on.
    this.#ready = this.#pool
      .query(
        `CREATE TABLE IF NOT EXISTS ${this.#table} (id text PRIMARY KEY, at bigint NOT NULL, principal text NOT NULL,
         via text NOT NULL, tool text NOT NULL, arguments jsonb NOT NULL, decision text NOT NULL, outcome text NOT NULL,
         error jsonb, device_ids jsonb NOT NULL);
         CREATE INDEX IF NOT EXISTS audit_log_at ON ${this.#table} (at, id);
         ALTER TABLE ${this.#table} ADD COLUMN IF NOT EXISTS role text, ADD COLUMN IF NOT EXISTS client text,
           ADD COLUMN IF NOT EXISTS chain_id text, ADD COLUMN IF NOT EXISTS links jsonb, ADD COLUMN IF NOT EXISTS method text;
         CREATE INDEX IF NOT EXISTS audit_log_chain ON ${this.#table} (chain_id)`,
      )
      .catch((error: unknown) => error);
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.#run('audit append failed', () =>
      this.#pool.query(
        `INSERT INTO ${this.#table} (id, at, principal, via, tool, arguments, decision, outcome, error, device_ids, role, client, chain_id, links, method)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $13, $14::jsonb, $15)`,
        [
          entry.id,
          entry.at,
          entry.principal,
          entry.via,
          entry.tool,
          JSON.stringify(entry.arguments),
          entry.decision,
          entry.outcome,
          entry.error === undefined ? null : JSON.stringify(entry.error),
          JSON.stringify(entry.deviceIds),
          entry.role ?? null,
          entry.client ?? null,
          entry.chainId ?? null,
          linksOf(entry),
          entry.method ?? null,
        ],
      ),
    );
  }

  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    return this.#run('audit list failed', async () => {
      const result = await this.#pool.query<AuditRow>(
        `SELECT * FROM ${this.#table} WHERE ($1::bigint IS NULL OR at >= $1) AND ($2::text IS NULL OR tool = $2 OR tool = replace($2, '.', '_') OR method = $2 OR replace(method, '.', '_') = $2)
           AND ($3::text IS NULL OR principal = $3) AND ($4::text IS NULL OR outcome = $4)
           AND ($6::text IS NULL OR chain_id = $6)
           AND ($7::text IS NULL OR method = $7 OR (method IS NULL AND tool = replace($7, '.', '_')))
         ORDER BY at DESC, id DESC LIMIT $5`,
        [filter.since ?? null, filter.tool ?? null, filter.principal ?? null, filter.outcome ?? null, filter.limit ?? 100, filter.chainId ?? null, filter.method ?? null],
      );
      return result.rows.map((row) => ({
        id: row.id,
        at: Number(row.at),
        principal: row.principal,
        ...(row.role !== null && { role: row.role }),
        ...(row.client !== null && { client: row.client }),
        via: row.via,
        tool: row.tool,
        ...(row.method !== null && { method: row.method }),
        arguments: row.arguments,
        decision: row.decision,
        outcome: row.outcome,
        ...(row.error !== null && { error: row.error }),
        deviceIds: row.device_ids,
        ...(row.chain_id !== null && { chainId: row.chain_id }),
        ...row.links,
      }));
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#ready;
    await this.#connection.release();
  }

  async #run<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new HubError('STORE_ERROR', `${what}: the store is closed`);
    const failure = await this.#ready;
    if (failure instanceof Error) throw storeError(what, failure);
    try {
      return await work();
    } catch (error) {
      throw storeError(what, error);
    }
  }
}

/** The approval, grant and commands an entry links to, as JSON (null when none). */
function linksOf(entry: AuditEntry): string | null {
  const links = {
    ...(entry.approvalId !== undefined && { approvalId: entry.approvalId }),
    ...(entry.grantId !== undefined && { grantId: entry.grantId }),
    ...(entry.commandIds !== undefined && entry.commandIds.length > 0 && { commandIds: entry.commandIds }),
  };
  return Object.keys(links).length === 0 ? null : JSON.stringify(links);
}
