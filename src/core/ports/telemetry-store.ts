/** TelemetryStore: where telemetry points are committed and queried. SQLite (embedded) or PostgreSQL. */
import type { SeriesResult, TelemetryPoint, TelemetryQuery } from '../telemetry.ts';

export interface TelemetryStore {
  /** Commit one batch atomically; resolves once durable (or rejects and nothing of the batch is stored). */
  write(points: readonly TelemetryPoint[]): Promise<void>;
  /** Raw or aggregated series over a time range; one SeriesResult per (device, measurement) that has data. */
  query(query: TelemetryQuery): Promise<SeriesResult[]>;
  /** Newest non-historical point of each (device, measurement); filters are optional. */
  latest(filter?: { deviceIds?: readonly string[]; measurements?: readonly string[] }): Promise<TelemetryPoint[]>;
  /** Stream raw points in (ts, device, measurement) order without loading the range into memory. */
  export(query: Omit<TelemetryQuery, 'aggregation' | 'intervalMs'>): AsyncIterable<TelemetryPoint>;
  /** Number of stored points (for stats and benchmarks). */
  count(): Promise<number>;
  close(): Promise<void>;
}
