/**
 * The HTTP face of auth: Host/Origin checks, bearer credentials, the 401/403 challenges (RFC 6750
 * §3, with RFC 9728 `resource_metadata`), the protected-resource metadata document, and CORS.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthGate } from '../auth/auth-gate.ts';
import { MCP_PATH } from '../auth/mcp-path.ts';
import { baseUrl } from '../auth/request-origin.ts';
import { RequestGuard } from '../auth/request-guard.ts';
import { TrustedProxies } from '../auth/trusted-proxies.ts';
import { CSRF_HEADER, isSafeMethod, sessionCookieOf } from '../auth/session-cookie.ts';
import type { UserSessions } from '../auth/user-sessions.ts';
import { ERROR_CATALOGUE } from '../core/errors.ts';
import { ROLE_SCOPE, ROLES, roleAtLeast, type Principal, type Role } from '../core/principal.ts';

/** RFC 9728 §3: the well-known path of the protected-resource metadata. */
export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

export interface HttpSecurity {
  readonly guard: RequestGuard;
  readonly gate: AuthGate;
  /** Browser sessions of users (the session cookie); none: cookies are ignored. */
  readonly sessions?: UserSessions;
  /** --trusted-proxy: whose X-Forwarded-For names the client; none: the client is the TCP peer. */
  readonly proxies?: TrustedProxies;
}

/** No --trusted-proxy: X-Forwarded-For is never believed (a loopback peer that sends one is not local, see TrustedProxies). */
const NO_PROXIES = new TrustedProxies();

/** The client's address (login throttle, loopback admin, logs, audit): the TCP peer's, or the one a trusted proxy forwarded; undefined when unknown. */
export function clientAddress(req: IncomingMessage, security: HttpSecurity): string | undefined {
  return (security.proxies ?? NO_PROXIES).clientAddress(req);
}

/** No credentials, loopback callers are the local admin, only the hub's own names and origin: what a bare HTTP server gets. */
export function loopbackOnlySecurity(): HttpSecurity {
  return {
    guard: new RequestGuard(),
    gate: new AuthGate({ authenticators: [], credentials: { hasCredentials: async () => false }, mode: 'auto', insecure: false }),
  };
}

/** `Authorization: Bearer <token>` (RFC 6750 §2.1). */
export function bearerOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Prefix of the WebSocket subprotocol that carries a token from browsers, which cannot set headers on an upgrade. */
export const BEARER_SUBPROTOCOL = 'bearer.';

/** A bearer token offered as a `Sec-WebSocket-Protocol` entry `bearer.<token>`. */
export function bearerSubprotocol(req: IncomingMessage): string | undefined {
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  return offered.find((p) => p.startsWith(BEARER_SUBPROTOCOL))?.slice(BEARER_SUBPROTOCOL.length);
}

export { baseUrl };

/**
 * RFC 9728 §2: the metadata of the resource at `resourcePath` (the MCP endpoint) of the hub at `origin`.
 * @param authorizationServers issuers whose tokens the hub accepts (`--auth-issuer`, the built-in server).
 */
export function resourceMetadata(origin: string, resourcePath: string, authorizationServers: readonly string[] = []): object {
  return {
    resource: `${origin}${resourcePath}`,
    // MCP clients that only speak OAuth learn here where to get a token (MCP authorization §Authorization Server Discovery).
    authorization_servers: authorizationServers,
    scopes_supported: ROLES.map((r) => ROLE_SCOPE[r]),
    bearer_methods_supported: ['header'],
    resource_name: 'llm-iot hub',
    resource_documentation: 'https://github.com/llm-iot/llm-iot/blob/main/docs/security.md',
  };
}


/**
 * The URL of the protected-resource metadata of `/mcp` at `origin`, for its challenges: the well-known
 * path with the resource's path appended (RFC 9728 §3.1: `<origin>/mcp` →
 * `<origin>/.well-known/oauth-protected-resource/mcp`), the first place an MCP client looks too when a
 * challenge names none (MCP 2025-11-25 authorization §Protected Resource Metadata Discovery).
 * Only `/mcp`'s: the document describes `<origin>/mcp`, and a client checks that its `resource` is the
 * URL it called (RFC 9728 §3.3), so a challenge from /rpc, /ws or /export naming it would point an
 * OAuth client at a resource it must refuse. Those routes' challenges name no metadata.
 */
export const resourceMetadataUrl = (origin: string): string => `${origin}${RESOURCE_METADATA_PATH}${MCP_PATH}`;

/**
 * The `WWW-Authenticate: Bearer` challenge (RFC 6750 §3): where the resource metadata is (RFC 9728
 * §5.1; `metadata` undefined: nowhere, for a route that is no OAuth protected resource), the scope the request needs (MCP 2025-11-25 authorization §Scope Selection: a client asks
 * the authorization server for it; §Scope Challenge: the step-up after a 403), and the error, if any.
 * The description keeps to what RFC 6750 §3 allows in it (printable ASCII but `"` and `\`): a user
 * name in a reason must not make the header invalid.
 */
export function bearerChallenge(metadata: string | undefined, scope: string, error?: { readonly code: 'invalid_token' | 'insufficient_scope'; readonly description?: string }): string {
  const params = [
    ...(error === undefined ? [] : [`error="${error.code}"`]),
    ...(error?.description === undefined ? [] : [`error_description="${error.description.replaceAll('"', "'").replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?')}"`]),
    `scope="${scope}"`,
    ...(metadata === undefined ? [] : [`resource_metadata="${metadata}"`]),
  ];
  return `Bearer ${params.join(', ')}`;
}

/**
 * The scope a 401 asks a client to request: the needed role's and every one above it, least first
 * (`iot:read iot:write iot:admin` for /mcp). Not the needed one alone: an MCP client requests exactly
 * the challenge's scope (MCP 2025-11-25 authorization §Scope Selection) and registers with it, and
 * the authorization server keeps a registered client to its registration's scope, so a challenge of
 * `iot:read` would bind every OAuth client to read-only for good. The person narrows it at the consent
 * page, which never grants more than their role.
 */
export function challengeScope(need: Role): string {
  return ROLES.filter((role) => roleAtLeast(role, need)).map((role) => ROLE_SCOPE[role]).join(' ');
}

/**
 * Send a 401 with the RFC 6750 / RFC 9728 challenge (`metadata`: {@link resourceMetadataUrl} on /mcp,
 * else undefined; `need`: the least role the request needs) and a JSON-RPC error body.
 */
export function sendUnauthenticated(metadata: string | undefined, res: ServerResponse, reason: string, invalidToken: boolean, need: Role = 'viewer'): void {
  res.setHeader('WWW-Authenticate', bearerChallenge(metadata, challengeScope(need), invalidToken ? { code: 'invalid_token', description: reason } : undefined));
  sendError(res, 401, ERROR_CATALOGUE.UNAUTHENTICATED.rpc, `Unauthenticated: ${reason}`, { reason });
}

/**
 * Send a 403 insufficient_scope naming the scope the call needs (RFC 6750 §3.1). `id`: the JSON-RPC
 * request the body answers (an MCP tools/call read before the refusal); null when none was read.
 */
export function sendInsufficientScope(metadata: string | undefined, res: ServerResponse, principal: Principal, needed: Role, what: string, id: string | number | null = null): void {
  const scope = ROLE_SCOPE[needed];
  res.setHeader('WWW-Authenticate', bearerChallenge(metadata, scope, { code: 'insufficient_scope' }));
  sendError(
    res,
    403,
    ERROR_CATALOGUE.FORBIDDEN.rpc,
    `Forbidden: ${what} needs the ${needed} role (scope ${scope}); ${principal.id} has ${principal.role ?? 'none'}`,
    { required_role: needed, required_scope: scope, role: principal.role ?? null },
    id,
  );
}

/** Send a 403 for a request refused by the Host/Origin check. */
export function sendForbiddenRequest(res: ServerResponse, reason: string): void {
  sendError(res, 403, ERROR_CATALOGUE.INVALID_REQUEST.rpc, `Forbidden: ${reason}`);
}

/**
 * Admit a request to a route needing `need`: Host/Origin, then credentials, then role. Resolves the
 * principal, or undefined after answering 401/403. `oauthResource`: the route is the protected
 * resource the RFC 9728 metadata describes (/mcp), so its challenges name the metadata.
 */
export async function admit(req: IncomingMessage, res: ServerResponse, security: HttpSecurity, need: Role, oauthResource = false): Promise<Principal | undefined> {
  const rejection = security.guard.rejection(req);
  if (rejection !== undefined) {
    sendForbiddenRequest(res, rejection);
    return undefined;
  }
  const bearer = bearerOf(req);
  const session = bearer === undefined ? liveSessionOf(req, security) : undefined;
  const origin = security.guard.origin(req);
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  const metadata = oauthResource ? resourceMetadataUrl(origin) : undefined;
  const outcome = await security.gate.authenticate(bearer ?? session, clientAddress(req, security), { origin, resource: `${origin}${path}`, fromCookie: session !== undefined });
  if (!outcome.ok) {
    sendUnauthenticated(metadata, res, outcome.reason, outcome.invalidToken, need);
    return undefined;
  }
  // A browser attaches the cookie by itself: a state-changing request must also prove it comes from a page that read the CSRF token.
  if (session !== undefined && !isSafeMethod(req.method) && !security.sessions?.csrfMatches(session, headerOf(req, CSRF_HEADER))) {
    // Like a refused Origin, a request problem (INVALID_REQUEST), not a role below the method's (FORBIDDEN).
    sendForbiddenRequest(res, 'a request authenticated by the session cookie needs the X-CSRF-Token header from GET /auth/session');
    return undefined;
  }
  if (outcome.principal.kind === 'device' || !roleAtLeast(outcome.principal.role, need)) {
    sendInsufficientScope(metadata, res, outcome.principal, need, `${req.method ?? 'GET'} ${path}`);
    return undefined;
  }
  return outcome.principal;
}

/**
 * The session id of the request's session cookie when it names a live session; a stale cookie
 * (expired, logged out, hub restarted) counts as no credential, as if the browser had sent none.
 */
export function liveSessionOf(req: IncomingMessage, security: HttpSecurity): string | undefined {
  const id = security.sessions === undefined ? undefined : sessionCookieOf(req);
  return id !== undefined && security.sessions?.session(id) !== undefined ? id : undefined;
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** CORS (Fetch standard): the headers for a configured cross-origin caller; a preflight is answered here. */
export function applyCors(req: IncomingMessage, res: ServerResponse, security: HttpSecurity): 'preflight-answered' | 'continue' {
  const origin = security.guard.corsOrigin(req);
  res.setHeader('Vary', 'Origin');
  if (req.method === 'OPTIONS') {
    if (origin === undefined) {
      sendForbiddenRequest(res, `Origin "${req.headers.origin ?? ''}" may not call this hub cross-origin (add it with --allowed-origins)`);
      return 'preflight-answered';
    }
    res.writeHead(204, {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': 'GET, POST, DELETE',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-CSRF-Token, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID',
      'Access-Control-Expose-Headers': 'Mcp-Session-Id, WWW-Authenticate',
      'Access-Control-Max-Age': '600',
    });
    res.end();
    return 'preflight-answered';
  }
  if (origin !== undefined) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', 'Mcp-Session-Id, WWW-Authenticate');
  }
  return 'continue';
}

// JSON-RPC 2.0 §5: id null when no request id is known (the body was not read, or its id is invalid).
function sendError(res: ServerResponse, status: number, code: number, message: string, data?: unknown, id: string | number | null = null): void {
  const text = JSON.stringify({ jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } });
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
