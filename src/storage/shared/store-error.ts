/** Wrap a driver failure as HubError STORE_ERROR ("telemetry write failed: <reason>"). */
import { HubError } from '../../core/errors.ts';

/** A HubError passes through; anything else becomes STORE_ERROR `${what}: ${reason}` with the original as `cause`. */
export function storeError(what: string, cause: unknown): HubError {
  if (cause instanceof HubError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const error = new HubError('STORE_ERROR', `${what}: ${reason}`);
  error.cause = cause;
  return error;
}
