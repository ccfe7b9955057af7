/** The PostgreSQL (+TimescaleDB) backend of TelemetryStore and RegistryStore. */
export { openPostgresStores, type PostgresStoreOptions, type PostgresStores } from './open-postgres-stores.ts';
export { PostgresConnection } from './postgres-connection.ts';
export { PostgresRegistryStore } from './postgres-registry-store.ts';
export { PostgresTelemetryStore } from './postgres-telemetry-store.ts';
