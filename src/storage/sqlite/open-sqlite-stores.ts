/** Open the embedded store: telemetry and registry sharing one SQLite connection to `<dataDir>/hub.db`. */
import { SqliteTokenStore } from './sqlite-token-store.ts';
import { SqliteUserStore } from './sqlite-user-store.ts';
import { SqliteOAuthStore } from './sqlite-oauth-store.ts';
import { SQLITE_MEMORY, SqliteConnection } from './sqlite-connection.ts';
import { SqliteApprovalStore, SqliteGrantStore } from './sqlite-approval-store.ts';
import { SqliteAuditStore } from './sqlite-audit-store.ts';
import { SqliteCredentialStore } from './sqlite-credential-store.ts';
import { SqliteRegistryStore } from './sqlite-registry-store.ts';
import { SqliteTelemetryStore } from './sqlite-telemetry-store.ts';
import { ThreadedTelemetryStore } from './threaded-telemetry-store.ts';

/** Both SQLite stores; `close()` closes both (and so the connection); calling it twice is harmless. */
export interface SqliteStores {
  readonly telemetry: SqliteTelemetryStore | ThreadedTelemetryStore;
  readonly registry: SqliteRegistryStore;
  readonly audit: SqliteAuditStore;
  readonly tokens: SqliteTokenStore;
  readonly users: SqliteUserStore;
  readonly credentials: SqliteCredentialStore;
  readonly approvals: SqliteApprovalStore;
  readonly grants: SqliteGrantStore;
  readonly oauth: SqliteOAuthStore;
  close(): Promise<void>;
}

/**
 * Open (creating if missing) `<dataDir>/hub.db` in WAL mode and migrate it; `dataDir` `:memory:`
 * gives a private in-memory database. Throws HubError STORE_ERROR when the file cannot be opened.
 */
export function openSqliteStores(dataDir: string): SqliteStores {
  const connection = SqliteConnection.open(dataDir);
  const telemetry = new SqliteTelemetryStore(connection);
  const registry = new SqliteRegistryStore(connection);
  const audit = new SqliteAuditStore(connection);
  const tokens = new SqliteTokenStore(connection);
  const users = new SqliteUserStore(connection);
  const credentials = new SqliteCredentialStore(connection);
  const approvals = new SqliteApprovalStore(connection);
  const grants = new SqliteGrantStore(connection);
  const oauth = new SqliteOAuthStore(connection);
  return {
    telemetry,
    registry,
    audit,
    tokens,
    users,
    credentials,
    approvals,
    grants,
    oauth,
    async close() {
      await telemetry.close();
      await registry.close();
      await audit.close();
      await tokens.close();
      await users.close();
      await credentials.close();
      await approvals.close();
      await grants.close();
      await oauth.close();
    },
  };
}

/**
 * The hub's embedded store: the registry on this thread, telemetry in a worker thread with its own
 * connection to the same WAL file, so inserts and aggregation queries never stall device traffic.
 * An in-memory database cannot be shared between threads and stays on this thread.
 */
export async function openThreadedSqliteStores(dataDir: string): Promise<SqliteStores> {
  if (dataDir === SQLITE_MEMORY) return openSqliteStores(dataDir);
  const connection = SqliteConnection.open(dataDir);
  const registry = new SqliteRegistryStore(connection);
  const audit = new SqliteAuditStore(connection);
  const tokens = new SqliteTokenStore(connection);
  const users = new SqliteUserStore(connection);
  const credentials = new SqliteCredentialStore(connection);
  const approvals = new SqliteApprovalStore(connection);
  const grants = new SqliteGrantStore(connection);
  const oauth = new SqliteOAuthStore(connection);
  let telemetry: ThreadedTelemetryStore;
  try {
    telemetry = await ThreadedTelemetryStore.open(dataDir);
  } catch (error) {
    await registry.close();
    await audit.close();
    await tokens.close();
    await users.close();
    await credentials.close();
    await approvals.close();
    await grants.close();
    await oauth.close();
    throw error;
  }
  return {
    telemetry,
    registry,
    audit,
    tokens,
    users,
    credentials,
    approvals,
    grants,
    oauth,
    async close() {
      await telemetry.close();
      await registry.close();
      await audit.close();
      await tokens.close();
      await users.close();
      await credentials.close();
      await approvals.close();
      await grants.close();
      await oauth.close();
    },
  };
}
