/** The embedded SQLite backend of TelemetryStore and RegistryStore. */
export { openSqliteStores, openThreadedSqliteStores, type SqliteStores } from './open-sqlite-stores.ts';
export { SQLITE_FILE_NAME, SQLITE_MEMORY, SqliteConnection } from './sqlite-connection.ts';
export { SQLITE_SCHEMA_VERSION } from './sqlite-migrations.ts';
export { SqliteRegistryStore } from './sqlite-registry-store.ts';
export { SqliteTelemetryStore } from './sqlite-telemetry-store.ts';
