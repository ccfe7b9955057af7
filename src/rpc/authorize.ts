/** Role check of one call: the method's role against the caller's, the same for every transport. */
import { HubError } from '../core/errors.ts';
import { roleAtLeast } from '../core/principal.ts';
import { requiredRole, type CallContext, type MethodDefinition } from './method.ts';
import type { MethodRegistry } from './method-registry.ts';

/** Transports that reach the hub from outside: a call on them without a principal is refused. */
const REMOTE_TRANSPORTS = new Set<CallContext['transport']>(['http', 'websocket', 'mcp']);

/**
 * Throw UNAUTHENTICATED or FORBIDDEN unless the caller may call `definition`. In-process callers
 * (no principal, transport `internal`) are trusted: they are the hub itself.
 */
export function authorize(definition: MethodDefinition, context: CallContext, via?: string): void {
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
    const what = via === undefined ? definition.name : `${definition.name} (run by ${via})`;
    throw new HubError('FORBIDDEN', `Forbidden: ${what} needs the ${needed} role; ${principal.id} has ${principal.role ?? 'none'}`, {
      method: definition.name,
      required_role: needed,
      role: principal.role ?? null,
    });
  }
}

/**
 * The role check of the method a call runs on the caller's behalf (`runsMethod`: batch.execute's
 * `method`), on the call's validated params: FORBIDDEN naming that method and its role when the
 * caller's role does not reach it. A name the registry does not hold is left to the handler.
 */
export function authorizeRun(definition: MethodDefinition, params: unknown, context: CallContext, registry: Pick<MethodRegistry, 'get'>): void {
  const run = methodRun(definition, params, registry);
  if (run !== undefined) authorize(run, context, definition.name);
}

/** The method a call of `definition` runs by name (`runsMethod`), if the registry holds it. */
export function methodRun(definition: MethodDefinition, params: unknown, registry: Pick<MethodRegistry, 'get'>): MethodDefinition | undefined {
  const name = definition.runsMethod?.(params);
  return name === undefined ? undefined : registry.get(name);
}
