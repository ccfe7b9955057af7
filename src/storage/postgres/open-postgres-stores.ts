/** Open the PostgreSQL store: telemetry and registry sharing one pg Pool and one schema. */
import { PostgresTokenStore } from './postgres-token-store.ts';
import { PostgresUserStore } from './postgres-user-store.ts';
import { PostgresApprovalStore, PostgresGrantStore } from './postgres-approval-store.ts';
import { PostgresOAuthStore } from './postgres-oauth-store.ts';
import { PostgresAuditStore } from './postgres-audit-store.ts';
import { PostgresConnection } from './postgres-connection.ts';
import { PostgresCredentialStore } from './postgres-credential-store.ts';
import { PostgresRegistryStore } from './postgres-registry-store.ts';
import { PostgresTelemetryStore } from './postgres-telemetry-store.ts';

/** Both PostgreSQL stores; `close()` closes both (ending the pool); calling it twice is harmless. */
export interface PostgresStores {
  readonly telemetry: PostgresTelemetryStore;
  readonly registry: PostgresRegistryStore;
  readonly audit: PostgresAuditStore;
  readonly tokens: PostgresTokenStore;
  readonly users: PostgresUserStore;
  readonly credentials: PostgresCredentialStore;
  readonly approvals: PostgresApprovalStore;
  readonly grants: PostgresGrantStore;
  readonly oauth: PostgresOAuthStore;
  /** True when the points table is a TimescaleDB hypertable. */
  readonly timescale: boolean;
  close(): Promise<void>;
}

/** Options of openPostgresStores. */
export interface PostgresStoreOptions {
  /** Schema holding the tables, created if missing; default `public`. Letters, digits and `_` only. */
  readonly schema?: string;
}

/**
 * Connect to `url` and create or migrate the tables in `options.schema`; the points table becomes a
 * hypertable when the timescaledb extension is available. Rejects with HubError STORE_ERROR.
 */
export async function openPostgresStores(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStores> {
  const connection = await PostgresConnection.open(url, options.schema);
  const telemetry = new PostgresTelemetryStore(connection);
  const registry = new PostgresRegistryStore(connection);
  const audit = new PostgresAuditStore(connection);
  const tokens = new PostgresTokenStore(connection);
  const users = new PostgresUserStore(connection);
  const credentials = new PostgresCredentialStore(connection);
  const approvals = new PostgresApprovalStore(connection);
  const grants = new PostgresGrantStore(connection);
  const oauth = new PostgresOAuthStore(connection);
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
    timescale: connection.timescale,
    async close() {
      await Promise.all([telemetry.close(), registry.close(), audit.close(), tokens.close(), users.close(), credentials.close(), approvals.close(), grants.close(), oauth.close()]);
    },
  };
}
