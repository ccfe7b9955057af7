/** Wrap a driver failure as HubError STORE_ERROR ("telemetry write failed: <reason>"), for one call or a whole export. */
import { HubError } from '../../core/errors.ts';
import type { TelemetryPoint } from '../../core/telemetry.ts';

/** A HubError passes through; anything else becomes STORE_ERROR `${what}: ${reason}` with the original as `cause`. */
export function storeError(what: string, cause: unknown): HubError {
  if (cause instanceof HubError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const error = new HubError('STORE_ERROR', `${what}: ${reason}`);
  error.cause = cause;
  return error;
}

/** Driver failures during an export surface as STORE_ERROR like every other operation. */
export async function* guardExport(points: AsyncGenerator<TelemetryPoint>): AsyncGenerator<TelemetryPoint> {
  try {
    yield* points;
  } catch (error) {
    throw storeError('telemetry export failed', error);
  }
}
