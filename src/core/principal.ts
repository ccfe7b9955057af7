/** Who calls the hub: a principal with a role. People, programs, LLM clients and devices are all principals. */

/** Roles in rising order: each one may do everything the ones before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** How the principal proved who it is. `local`: a loopback caller of a hub that has no credentials. */
export type PrincipalKind = 'token' | 'user' | 'oidc' | 'oauth' | 'device' | 'local';

/**
 * An authenticated caller. Authenticators (API tokens today; users, OIDC, the built-in authorization
 * server later) each turn one kind of credential into a Principal; the dispatcher only reads `role`.
 */
export interface Principal {
  /** Stable id for the audit log: `token:<id>`, `user:<name>`, `device:<client id>`, `local`. */
  readonly id: string;
  readonly kind: PrincipalKind;
  /** A device principal has no role: what it may call is the method's device access, not a role. */
  readonly role: Role | undefined;
  /** OAuth scopes granted (MCP); a role implies its own ({@link scopesOf}). */
  readonly scopes?: readonly string[];
  /** Display name (a token's --name, a user's name). */
  readonly name?: string;
}

/** MCP/OAuth scopes, one per role, no catch-all: `iot:read` ⊂ `iot:write` ⊂ `iot:admin` by role. */
export const ROLE_SCOPE: Readonly<Record<Role, string>> = { viewer: 'iot:read', operator: 'iot:write', admin: 'iot:admin' };

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** True when `held` is `needed` or above it. */
export function roleAtLeast(held: Role | undefined, needed: Role): boolean {
  return held !== undefined && ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** The scopes a role implies: its own and those of the roles below it. */
export function scopesOf(role: Role): string[] {
  return ROLES.slice(0, ROLES.indexOf(role) + 1).map((r) => ROLE_SCOPE[r]);
}

/** The highest role the OAuth scopes grant (`iot:read` viewer, `iot:write` operator, `iot:admin` admin); undefined: none. */
export function roleOfScopes(scopes: Iterable<string>): Role | undefined {
  const held = new Set(scopes);
  return [...ROLES].reverse().find((role) => held.has(ROLE_SCOPE[role]));
}

/** The lower of two roles (undefined, no role, is the lowest). */
export function lowerRole(a: Role | undefined, b: Role | undefined): Role | undefined {
  if (a === undefined || b === undefined) return undefined;
  return ROLES.indexOf(a) <= ROLES.indexOf(b) ? a : b;
}

/** The caller on loopback of a hub with no credentials: an admin, so the two-command quick start works. */
export const LOCAL_ADMIN: Principal = { id: 'local', kind: 'local', role: 'admin' };
