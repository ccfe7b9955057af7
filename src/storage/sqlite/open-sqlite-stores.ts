/** Open the embedded store: telemetry and registry sharing one SQLite connection to `<dataDir>/hub.db`. */
import { SqliteConnection } from './sqlite-connection.ts';
import { SqliteRegistryStore } from './sqlite-registry-store.ts';
import { SqliteTelemetryStore } from './sqlite-telemetry-store.ts';

/** Both SQLite stores; `close()` closes both (and so the connection); calling it twice is harmless. */
export interface SqliteStores {
  readonly telemetry: SqliteTelemetryStore;
  readonly registry: SqliteRegistryStore;
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
  return {
    telemetry,
    registry,
    async close() {
      await telemetry.close();
      await registry.close();
    },
  };
}
