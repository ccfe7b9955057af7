/** Role check of one call: the method's role against the caller's, the same for every transport. */
import { HubError } from '../core/errors.ts';
import { roleAtLeast } from '../core/principal.ts';
import { requiredRole, type CallContext, type MethodDefinition } from './method.ts';

/** Transports that reach the hub from outside: a call on them without a principal is refused. */
const REMOTE_TRANSPORTS = new Set<CallContext['transport']>(['http', 'websocket', 'mcp']);

/**
 * Throw UNAUTHENTICATED or FORBIDDEN unless the caller may call `definition`. In-process callers
 * (no principal, transport `internal`) are trusted: they are the hub itself.
 */
export function authorize(definition: MethodDefinition, context: CallContext): void {
  const principal = context.principal;
  if (principal === undefined) {
    if (REMOTE_TRANSPORTS.has(context.transport)) {
      throw new HubError('UNAUTHENTICATED', `Unauthenticated: ${definition.name} needs credentials`, { reason: 'no credentials' });
    }
    return;
  }
  // A device reaches what the method's device access allows (device identity), not a role.
  if (principal.kind === 'device') return;
  const needed = requiredRole(definition);
  if (!roleAtLeast(principal.role, needed)) {
    throw new HubError('FORBIDDEN', `Forbidden: ${definition.name} needs the ${needed} role; ${principal.id} has ${principal.role ?? 'none'}`, {
      method: definition.name,
      required_role: needed,
      role: principal.role ?? null,
    });
  }
}
