/**
 * Who may call the API, wired from the hub's options and stores: API tokens, users' browser
 * sessions, an external OpenID Connect issuer, and the built-in OAuth authorization server; the
 * Host/Origin guard; and the public routes that go with them (login, the RFC 9728 resource metadata,
 * the authorization server). docs/security.md describes the whole.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, type Registry } from 'prom-client';
import { AuthGate } from '../auth/auth-gate.ts';
import { MCP_PATH } from '../auth/mcp-path.ts';
import { oidcAuthenticator } from '../auth/oidc-config.ts';
import { RequestGuard } from '../auth/request-guard.ts';
import { publicOrigin } from '../auth/request-origin.ts';
import { TokenAuthenticator } from '../auth/token-authenticator.ts';
import { TrustedProxies } from '../auth/trusted-proxies.ts';
import { UserSessions } from '../auth/user-sessions.ts';
import type { HubConfig } from '../config/options.ts';
import type { Logger } from '../log/logger.ts';
import { ThrottledLog } from '../log/throttled-log.ts';
import { AuthorizationServer } from '../oauth/authorization-server.ts';
import type { Stores } from '../storage/open-stores.ts';
import { authRoutes } from './auth-routes.ts';
import type { HttpRoute, RouteCaller } from './http-server.ts';
import { RESOURCE_METADATA_PATH, resourceMetadata, type HttpSecurity } from './http-security.ts';

export interface ApiAuth {
  readonly gate: AuthGate;
  readonly security: HttpSecurity;
  /** The built-in authorization server, unless `--oauth-server off`. */
  readonly authorizationServer: AuthorizationServer | undefined;
  /** Login, resource metadata and authorization-server routes to mount. */
  readonly routes: readonly HttpRoute[];
  close(): void;
}

export interface ApiAuthOptions {
  readonly config: HubConfig;
  readonly stores: Pick<Stores, 'tokens' | 'users' | 'oauth'>;
  readonly logger: Logger;
  /** Where the login-failure counter is registered (/metrics). */
  readonly metrics: Registry;
  readonly now: () => number;
}

export function createApiAuth({ config, stores, logger, metrics, now }: ApiAuthOptions): ApiAuth {
  const loginLog = new ThrottledLog({ logger, now });
  const loginFailures = new Counter({
    name: 'llmiot_login_failures_total',
    help: 'Refused logins (POST /auth/login and the OAuth login page), by reason: bad_credentials or throttled (docs/security.md).',
    labelNames: ['reason'] as const,
    registers: [metrics],
  });
  // Both reasons from 0, so increase()/rate() see the first refusal of each.
  for (const reason of ['bad_credentials', 'throttled'] as const) loginFailures.inc({ reason }, 0);
  const sessions = new UserSessions({
    users: stores.users,
    ttlMs: config.sessionTtlMinutes * 60_000,
    idleMs: config.sessionIdleMinutes * 60_000,
    now,
    onFailure: ({ name, address, reason }) => {
      loginFailures.inc({ reason });
      loginLog.warn(address, { user: name, address, reason }, `login refused: ${reason}`);
    },
  });
  // --public-url: the hub's name behind a reverse proxy, in every URL it hands out (docs/deployment.md).
  const ownOrigin = publicOrigin(config.publicUrl);
  const guard = new RequestGuard({
    allowedHosts: list(config.allowedHosts),
    allowedOrigins: list(config.allowedOrigins),
    boundHosts: [config.httpHost],
    ...(ownOrigin !== undefined && { publicOrigin: ownOrigin }),
  });
  const authorizationServer = config.oauthServer === 'off' ? undefined : new AuthorizationServer({
    store: stores.oauth,
    users: stores.users,
    sessions,
    guard,
    logger,
    accessTokenTtlS: positive('--oauth-token-ttl', config.oauthTokenTtl),
    refreshTokenTtlS: positive('--oauth-refresh-ttl', config.oauthRefreshTtlDays) * 86_400,
    sessionTtlS: config.sessionTtlMinutes * 60,
    now,
  });
  const oidc = oidcAuthenticator(config, now);
  if (oidc !== undefined && config.authApiAudience === undefined) {
    // Said at start, as the 401s say it: scripts that used the issuer's tokens on /rpc need --auth-api-audience now (docs/security.md).
    logger.info({ issuer: config.authIssuer }, 'tokens of --auth-issuer are accepted on /mcp only; set --auth-api-audience to accept them on /rpc, /ws, /export and /metrics');
  }
  const gate = new AuthGate({
    // API tokens (llmiot_…), session ids (llmiotsess_…), then JWTs: the built-in server's (issuer = the
    // origin called) before an external issuer's.
    authenticators: [
      new TokenAuthenticator(stores.tokens, now),
      sessions,
      ...(authorizationServer === undefined ? [] : [authorizationServer.authenticator()]),
      ...(oidc === undefined ? [] : [oidc]),
    ],
    // A token or a user turns auth on.
    credentials: { hasCredentials: async () => (await stores.tokens.hasCredentials()) || (await stores.users.hasUsers()) },
    // An issuer is a source of credentials the store cannot see: auth is on from the start.
    mode: oidc === undefined ? config.auth : 'required',
    insecure: config.insecure,
  });
  const security: HttpSecurity = { gate, sessions, guard, proxies: new TrustedProxies(list(config.trustedProxy)) };
  // RFC 9728 §2: the issuers whose tokens /mcp accepts. A configured --auth-issuer first (MCP clients
  // use the first one), then the built-in server at the hub's origin (--public-url, else the one called).
  const issuersFor = (req: IncomingMessage): string[] => [
    ...(config.authIssuer === undefined ? [] : [config.authIssuer]),
    ...(authorizationServer === undefined ? [] : [authorizationServer.issuerFor(req)]),
  ];
  const resourceMetadataPath = `${RESOURCE_METADATA_PATH}${MCP_PATH}`;
  const routes: HttpRoute[] = [
    ...authRoutes(sessions, guard),
    // RFC 9728 §3.1: the metadata of <origin>/mcp lives at the well-known path with /mcp appended; /mcp's
    // challenges name it. The root document is the same, resource <origin>/mcp included: MCP clients that
    // find no resource_metadata fall back to the root for the MCP server's URL (MCP 2025-11-25 authorization
    // §Protected Resource Metadata Discovery) and ask for a token for that `resource` (RFC 8707), which must
    // be /mcp, the only resource the hub's tokens are for. The origin itself is no protected resource: a
    // strict RFC 9728 §3.3 client asking about it rightly finds a document that is not its.
    ...[RESOURCE_METADATA_PATH, resourceMetadataPath].map((path) => ({
      method: 'GET',
      path,
      access: 'public' as const,
      handler: (req: IncomingMessage, res: ServerResponse) => {
        // Any origin may read it (CORS *), but its URLs are built from the Host: only the hub's own names
        // get an answer, as on the authorization server's metadata, or a rebinding page could hand a
        // client its own resource and authorization server.
        const rejection = guard.hostRejection(req);
        if (rejection !== undefined) {
          const refused = JSON.stringify({ error: 'invalid_request', error_description: `Forbidden: ${rejection}` });
          res.writeHead(403, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(refused) });
          return void res.end(refused);
        }
        const text = JSON.stringify(resourceMetadata(guard.origin(req), MCP_PATH, issuersFor(req)));
        res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
        res.end(text);
      },
    })),
    ...(authorizationServer === undefined ? [] : authorizationServer.paths.map((path) => ({ method: '*', path, access: 'public' as const, handler: (req: IncomingMessage, res: ServerResponse, caller: RouteCaller) => authorizationServer.serve(req, res, caller.client) }))),
  ];
  return {
    gate,
    security,
    authorizationServer,
    routes,
    close: () => {
      gate.close();
      authorizationServer?.close();
    },
  };
}

/** A comma-separated option as a list. */
function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
}

function positive(flag: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} ${value}: must be a whole number above 0`);
  return value;
}
