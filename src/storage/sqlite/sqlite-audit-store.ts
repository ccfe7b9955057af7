/** AuditStore on SQLite: one row per LLM-initiated action, arguments as JSON text. */
import type Database from 'better-sqlite3';
import type { AuditEntry, AuditFilter } from '../../core/audit.ts';
import type { Role } from '../../core/principal.ts';
import type { AuditStore } from '../../core/ports/audit-store.ts';
import type { SqliteConnection } from './sqlite-connection.ts';
import { SqliteLease } from './sqlite-lease.ts';

interface AuditRow {
  id: string;
  at: number;
  principal: string;
  role: string | null;
  client: string | null;
  via: string;
  tool: string;
  method: string | null;
  arguments: string;
  decision: string;
  outcome: string;
  error: string | null;
  device_ids: string;
  chain_id: string | null;
  links: string | null;
}

export class SqliteAuditStore implements AuditStore {
  readonly #lease: SqliteLease;
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[AuditRow]>;

  constructor(connection: SqliteConnection) {
    this.#lease = new SqliteLease(connection);
    const db = this.#lease.db;
    this.#db = db;
    // Its own table, created on first use: the audit log is an addition the registry schema does not depend on.
    db.exec(`CREATE TABLE IF NOT EXISTS audit_log (
      id TEXT PRIMARY KEY, at INTEGER NOT NULL, principal TEXT NOT NULL, via TEXT NOT NULL, tool TEXT NOT NULL,
      arguments TEXT NOT NULL, decision TEXT NOT NULL, outcome TEXT NOT NULL, error TEXT, device_ids TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at, id);`);
    // The principal's role and client (docs/security.md), added to logs written before they existed.
    const columns = new Set((db.prepare(`PRAGMA table_info(audit_log)`).all() as { name: string }[]).map((c) => c.name));
    if (!columns.has('role')) db.exec(`ALTER TABLE audit_log ADD COLUMN role TEXT`);
    if (!columns.has('client')) db.exec(`ALTER TABLE audit_log ADD COLUMN client TEXT`);
    // The audit chain (docs/llm.md): the chain id, and the approval, grant and commands an entry links to.
    if (!columns.has('chain_id')) db.exec(`ALTER TABLE audit_log ADD COLUMN chain_id TEXT; CREATE INDEX IF NOT EXISTS audit_log_chain ON audit_log (chain_id)`);
    if (!columns.has('links')) db.exec(`ALTER TABLE audit_log ADD COLUMN links TEXT`);
    // The JSON-RPC method a call ran (docs/api.md, audit.list): the same for a verb tool and a JSON-RPC call.
    if (!columns.has('method')) db.exec(`ALTER TABLE audit_log ADD COLUMN method TEXT`);
    this.#insert = db.prepare(
      `INSERT INTO audit_log (id, at, principal, role, client, via, tool, method, arguments, decision, outcome, error, device_ids, chain_id, links)
       VALUES (@id, @at, @principal, @role, @client, @via, @tool, @method, @arguments, @decision, @outcome, @error, @device_ids, @chain_id, @links)`,
    );
  }

  async append(entry: AuditEntry): Promise<void> {
    this.#lease.run('audit append failed', () =>
      this.#insert.run({
        id: entry.id,
        at: entry.at,
        principal: entry.principal,
        role: entry.role ?? null,
        client: entry.client ?? null,
        via: entry.via,
        tool: entry.tool,
        method: entry.method ?? null,
        arguments: JSON.stringify(entry.arguments),
        decision: entry.decision,
        outcome: entry.outcome,
        error: entry.error === undefined ? null : JSON.stringify(entry.error),
        device_ids: JSON.stringify(entry.deviceIds),
        chain_id: entry.chainId ?? null,
        links: linksOf(entry),
      }),
    );
  }

  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    return this.#lease.run('audit list failed', () => {
      const rows = this.#db
        .prepare(
          `SELECT * FROM audit_log WHERE (@since IS NULL OR at >= @since) AND (@tool IS NULL OR tool = @tool OR tool = replace(@tool, '.', '_') OR method = @tool OR replace(method, '.', '_') = @tool)
             AND (@method IS NULL OR method = @method OR (method IS NULL AND tool = replace(@method, '.', '_')))
             AND (@principal IS NULL OR principal = @principal) AND (@outcome IS NULL OR outcome = @outcome)
             AND (@chain IS NULL OR chain_id = @chain)
           ORDER BY at DESC, id DESC LIMIT @limit`,
        )
        .all({
          since: filter.since ?? null,
          tool: filter.tool ?? null,
          method: filter.method ?? null,
          principal: filter.principal ?? null,
          outcome: filter.outcome ?? null,
          chain: filter.chainId ?? null,
          limit: filter.limit ?? 100,
        }) as AuditRow[];
      return rows.map(fromRow);
    });
  }

  async close(): Promise<void> {
    this.#lease.close();
  }
}

function fromRow(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    principal: row.principal,
    ...(row.role !== null && { role: row.role as Role }),
    ...(row.client !== null && { client: row.client }),
    via: row.via as AuditEntry['via'],
    tool: row.tool,
    ...(row.method !== null && { method: row.method }),
    arguments: JSON.parse(row.arguments) as Record<string, unknown>,
    decision: row.decision as AuditEntry['decision'],
    outcome: row.outcome as AuditEntry['outcome'],
    ...(row.error !== null && { error: JSON.parse(row.error) as { code: number; message: string } }),
    deviceIds: JSON.parse(row.device_ids) as string[],
    ...(row.chain_id !== null && { chainId: row.chain_id }),
    ...(row.links !== null && (JSON.parse(row.links) as AuditLinks)),
  };
}

type AuditLinks = Pick<AuditEntry, 'approvalId' | 'grantId' | 'commandIds'>;

/** The approval, grant and commands an entry links to, as JSON (null when none). */
function linksOf(entry: AuditEntry): string | null {
  const links: AuditLinks = {
    ...(entry.approvalId !== undefined && { approvalId: entry.approvalId }),
    ...(entry.grantId !== undefined && { grantId: entry.grantId }),
    ...(entry.commandIds !== undefined && entry.commandIds.length > 0 && { commandIds: entry.commandIds }),
  };
  return Object.keys(links).length === 0 ? null : JSON.stringify(links);
}
