/** The role an OpenID Connect access token grants: from a configurable role claim and the OAuth `scope`, the highest wins. */
import { ROLE_SCOPE, ROLES, isRole, type Role } from '../core/principal.ts';

/** Default role claim: a custom claim the issuer adds (a Keycloak mapper, an Auth0 action). */
export const DEFAULT_ROLE_CLAIM = 'llmiot_role';

/**
 * The claim `name` of `payload`: the top-level claim of that exact name first (Auth0's namespaced
 * claims are URLs with dots), else a dotted path into nested objects (Keycloak's `realm_access.roles`).
 */
export function claimAt(payload: Readonly<Record<string, unknown>>, name: string): unknown {
  if (name in payload) return payload[name];
  let value: unknown = payload;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Strings of a claim that is a string (space-separated) or an array of strings; other values count as none. */
function words(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter((w) => w !== '');
  if (Array.isArray(value)) return value.filter((w): w is string => typeof w === 'string');
  return [];
}

/**
 * The highest role granted by `roleClaim` (viewer, operator or admin; a string or a list, other
 * values ignored) and by the scopes in `scope` (RFC 8693 §4.2: space-separated) or `scp` (a list, as
 * some issuers send): iot:read → viewer, iot:write → operator, iot:admin → admin. Undefined: none.
 */
export function roleFromClaims(payload: Readonly<Record<string, unknown>>, roleClaim: string): Role | undefined {
  const granted = new Set<Role>(words(claimAt(payload, roleClaim)).filter(isRole));
  const scopes = new Set([...words(payload['scope']), ...words(payload['scp'])]);
  for (const role of ROLES) if (scopes.has(ROLE_SCOPE[role])) granted.add(role);
  return [...ROLES].reverse().find((role) => granted.has(role));
}
