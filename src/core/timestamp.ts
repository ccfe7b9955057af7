/**
 * Timestamps as the hub stores them: integer milliseconds since the epoch inside a sane window.
 * Devices send seconds (Python `time.time()`), fractional milliseconds or garbage; this is the one
 * place that decides which is which, so the stores only ever see integers they can hold.
 */

/** Earliest accepted time: 1970-01-01T00:00:00Z. */
export const MIN_TIMESTAMP_MS = 0;
/** Latest accepted time: 9999-12-31T23:59:59.999Z (RFC 3339 cannot say more; every store and `Date` can hold it). */
export const MAX_TIMESTAMP_MS = 253_402_300_799_999;
/** Numbers below this are seconds since the epoch (1e11 s is the year 5138; 1e11 ms is 1973-03-03). */
export const SECONDS_BELOW = 1e11;

/**
 * Normalise a numeric time: seconds become milliseconds, fractions are rounded to the nearest
 * millisecond. Undefined when not finite or outside [{@link MIN_TIMESTAMP_MS}, {@link MAX_TIMESTAMP_MS}].
 */
export function normalizeTimestamp(value: number): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  const ms = Math.round(Math.abs(value) < SECONDS_BELOW ? value * 1000 : value);
  return ms >= MIN_TIMESTAMP_MS && ms <= MAX_TIMESTAMP_MS ? ms : undefined;
}

/** True for an integer millisecond time inside the window (what the pipeline lets through). */
export function isStorableTimestamp(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms >= MIN_TIMESTAMP_MS && ms <= MAX_TIMESTAMP_MS;
}
