/** Choose and open the stores from the `--store` setting: sqlite (default), memory, or a PostgreSQL URL. */
import { HubError } from '../core/errors.ts';
import { openPostgresStores } from './postgres/open-postgres-stores.ts';
import type { ApprovalStore } from '../core/ports/approval-store.ts';
import type { AuditStore } from '../core/ports/audit-store.ts';
import type { GrantStore } from '../core/ports/grant-store.ts';
import type { CredentialStore } from '../core/ports/credential-store.ts';
import type { RegistryStore } from '../core/ports/registry-store.ts';
import { openSqliteStores, openThreadedSqliteStores } from './sqlite/open-sqlite-stores.ts';
import { SQLITE_MEMORY, SqliteConnection } from './sqlite/sqlite-connection.ts';
import { SqliteTokenStore } from './sqlite/sqlite-token-store.ts';
import { PostgresConnection } from './postgres/postgres-connection.ts';
import { PostgresTokenStore } from './postgres/postgres-token-store.ts';
import type { TelemetryStore } from '../core/ports/telemetry-store.ts';
import type { TokenStore } from '../core/ports/token-store.ts';
import type { UserStore } from '../core/ports/user-store.ts';
import type { OAuthStore } from '../core/ports/oauth-store.ts';
import { SqliteUserStore } from './sqlite/sqlite-user-store.ts';
import { PostgresUserStore } from './postgres/postgres-user-store.ts';

/** The two stores of a hub; `close()` closes both and is harmless to call twice. */
export interface Stores {
  readonly telemetry: TelemetryStore;
  readonly registry: RegistryStore;
  readonly audit: AuditStore;
  /** API tokens (hashes only); docs/security.md. */
  readonly tokens: TokenStore;
  /** Users who log in from a browser (password hashes only); docs/security.md. */
  readonly users: UserStore;
  /** Device credentials (docs/security.md). */
  readonly credentials: CredentialStore;
  /** Approvals by a person and grants for a task (docs/llm.md). */
  readonly approvals: ApprovalStore;
  readonly grants: GrantStore;
  /** The built-in OAuth authorization server's clients, grants and keys (docs/security.md). */
  readonly oauth: OAuthStore;
  close(): Promise<void>;
}

/** Where the stores live. */
export interface StoreSpec {
  /** `sqlite` (or empty: `<dataDir>/hub.db`), `memory` (in-process, lost on exit), or `postgres://…` / `postgresql://…` (optionally `?schema=name`). */
  readonly store: string;
  /** Directory of the SQLite file, created if missing. */
  readonly dataDir: string;
}

/**
 * Open only the token store of `spec` (the `llm-iot token` commands work on the hub's own store,
 * even while the hub runs). `memory` is refused: its tokens would vanish with the command.
 */
export async function openTokenStore(spec: StoreSpec): Promise<TokenStore> {
  const store = spec.store.trim();
  if (store === '' || store === 'sqlite') return new SqliteTokenStore(SqliteConnection.open(spec.dataDir));
  if (/^postgres(ql)?:\/\//i.test(store)) {
    const url = new URL(store);
    const schema = url.searchParams.get('schema');
    url.searchParams.delete('schema');
    return new PostgresTokenStore(await PostgresConnection.open(url.toString(), schema ?? undefined));
  }
  throw new HubError('STORE_ERROR', `store open failed: tokens need a lasting store (sqlite or a postgres:// URL), not "${store.includes('://') ? 'a URL' : store}"`);
}

/** Open only the user store of `spec` (the `llm-iot user` commands), as {@link openTokenStore} does for tokens. */
export async function openUserStore(spec: StoreSpec): Promise<UserStore> {
  const store = spec.store.trim();
  if (store === '' || store === 'sqlite') return new SqliteUserStore(SqliteConnection.open(spec.dataDir));
  if (/^postgres(ql)?:\/\//i.test(store)) {
    const url = new URL(store);
    const schema = url.searchParams.get('schema');
    url.searchParams.delete('schema');
    return new PostgresUserStore(await PostgresConnection.open(url.toString(), schema ?? undefined));
  }
  throw new HubError('STORE_ERROR', `store open failed: users need a lasting store (sqlite or a postgres:// URL), not "${store.includes('://') ? 'a URL' : store}"`);
}

/** Open the stores `spec` names. Rejects with HubError STORE_ERROR for an unknown kind or an unreachable store. */
export async function openStores(spec: StoreSpec): Promise<Stores> {
  const store = spec.store.trim();
  if (store === '' || store === 'sqlite') return openThreadedSqliteStores(spec.dataDir);
  if (store === 'memory') return openSqliteStores(SQLITE_MEMORY);
  if (/^postgres(ql)?:\/\//i.test(store)) {
    // `?schema=name` picks the PostgreSQL schema (default public); the driver never sees it.
    const url = new URL(store);
    const schema = url.searchParams.get('schema');
    url.searchParams.delete('schema');
    return openPostgresStores(url.toString(), schema === null ? {} : { schema });
  }
  // Only the scheme of a URL: the rest may carry a password.
  const shown = store.includes('://') ? `${store.slice(0, store.indexOf('://'))}://…` : store;
  throw new HubError(
    'STORE_ERROR',
    `store open failed: unknown store "${shown}" (expected sqlite, memory, or a postgres:// URL)`,
  );
}
