/** Guard a TelemetryQuery before it reaches SQL (backend-neutral; the PostgreSQL store uses it too). */
import { HubError } from '../../core/errors.ts';
import type { TelemetryQuery } from '../../core/telemetry.ts';

/**
 * Throw STORE_ERROR for what the SQL cannot express: non-finite bounds, an interval that is not a
 * positive integer, a negative or fractional limit. The RPC edge validates first; this guards direct callers.
 */
export function checkQuery(query: Omit<TelemetryQuery, 'aggregation'>): void {
  const bad = (why: string): HubError => new HubError('STORE_ERROR', `telemetry query failed: ${why}`);
  if (!Number.isFinite(query.start) || !Number.isFinite(query.end)) throw bad('start and end must be finite ms');
  const { intervalMs, limit } = query;
  if (intervalMs !== undefined && !(Number.isSafeInteger(intervalMs) && intervalMs > 0)) {
    throw bad(`intervalMs must be a positive integer, got ${intervalMs}`);
  }
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) {
    throw bad(`limit must be a non-negative integer, got ${limit}`);
  }
}
