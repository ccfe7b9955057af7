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

/** Every store but telemetry, all on the connection of this thread (telemetry may run in a worker with its own). */
type ConnectionStores = Omit<SqliteStores, 'telemetry' | 'close'>;

function openConnectionStores(connection: SqliteConnection): ConnectionStores {
  return {
    registry: new SqliteRegistryStore(connection),
    audit: new SqliteAuditStore(connection),
    tokens: new SqliteTokenStore(connection),
    users: new SqliteUserStore(connection),
    credentials: new SqliteCredentialStore(connection),
    approvals: new SqliteApprovalStore(connection),
    grants: new SqliteGrantStore(connection),
    oauth: new SqliteOAuthStore(connection),
  };
}

/** Close one after another, in the order they were opened; the first failure stops the rest. */
async function closeConnectionStores(stores: ConnectionStores): Promise<void> {
  for (const store of Object.values(stores)) await store.close();
}

/** Telemetry and the rest as SqliteStores; `close()` closes telemetry first. */
function withTelemetry(telemetry: SqliteTelemetryStore | ThreadedTelemetryStore, stores: ConnectionStores): SqliteStores {
  return {
    telemetry,
    ...stores,
    async close() {
      await telemetry.close();
      await closeConnectionStores(stores);
    },
  };
}

/**
 * Open (creating if missing) `<dataDir>/hub.db` in WAL mode and migrate it; `dataDir` `:memory:`
 * gives a private in-memory database. Throws HubError STORE_ERROR when the file cannot be opened.
 */
export function openSqliteStores(dataDir: string): SqliteStores {
  const connection = SqliteConnection.open(dataDir);
  const telemetry = new SqliteTelemetryStore(connection);
  return withTelemetry(telemetry, openConnectionStores(connection));
}

/**
 * The hub's embedded store: the registry on this thread, telemetry in a worker thread with its own
 * connection to the same WAL file, so inserts and aggregation queries never stall device traffic.
 * An in-memory database cannot be shared between threads and stays on this thread.
 */
export async function openThreadedSqliteStores(dataDir: string): Promise<SqliteStores> {
  if (dataDir === SQLITE_MEMORY) return openSqliteStores(dataDir);
  const connection = SqliteConnection.open(dataDir);
  const stores = openConnectionStores(connection);
  let telemetry: ThreadedTelemetryStore;
  try {
    telemetry = await ThreadedTelemetryStore.open(dataDir);
  } catch (error) {
    await closeConnectionStores(stores);
    throw error;
  }
  return withTelemetry(telemetry, stores);
}
