/**
 * The hub's built-in OAuth 2.1 authorization server (oidc-provider), mounted in its HTTP server:
 * metadata at /.well-known/oauth-authorization-server and /.well-known/openid-configuration, the
 * endpoints under /oauth, the login and consent pages under /oauth/interaction. Its issuer is
 * `--public-url` when set (behind a TLS-terminating reverse proxy), else the origin the client reached
 * the hub at (one provider per origin, all sharing the store and keys), so the resource metadata a
 * client read at https://hub.example.com/mcp names https://hub.example.com.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { OAuthStore } from '../core/ports/oauth-store.ts';
import type { UserStore } from '../core/ports/user-store.ts';
import type { RequestGuard } from '../auth/request-guard.ts';
import type { UserSessions } from '../auth/user-sessions.ts';
import type { Logger } from '../log/logger.ts';
import { AccessTokenAuthenticator } from './access-token-authenticator.ts';
import { serveInteraction } from './interactions.ts';
import { createProvider, INTERACTION_PREFIX, OAUTH_PREFIX } from './provider-config.ts';
import { loadServerKeys, publicKeys, type ServerKeys } from './server-keys.ts';

/** RFC 8414 §3 and OpenID Connect Discovery §4: where clients read the server's metadata. */
export const AUTHORIZATION_SERVER_METADATA_PATH = '/.well-known/oauth-authorization-server';
const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';
/** Origins (issuers) served at once; a hub has a handful of names. */
const MAX_ISSUERS = 32;
const PURGE_INTERVAL_MS = 3_600_000;

export interface AuthorizationServerOptions {
  readonly store: OAuthStore;
  readonly users: UserStore;
  /** The users' login (password check and shared throttle). */
  readonly sessions: UserSessions;
  readonly guard: RequestGuard;
  readonly logger: Logger;
  /** Access token lifetime, s (default 600). */
  readonly accessTokenTtlS?: number;
  /** Refresh token and consent lifetime, s (default 14 days). */
  readonly refreshTokenTtlS?: number;
  /** The server's own login session, s (default 12 h). */
  readonly sessionTtlS?: number;
  readonly now?: () => number;
}

export class AuthorizationServer {
  readonly #o: AuthorizationServerOptions;
  readonly #providers = new Map<string, Promise<Provider>>();
  readonly #purge: ReturnType<typeof setInterval>;
  #keys: Promise<ServerKeys> | undefined;

  constructor(options: AuthorizationServerOptions) {
    this.#o = options;
    this.#purge = setInterval(() => {
      options.store.deleteExpired((options.now ?? Date.now)()).catch((error: unknown) => options.logger.warn({ err: error }, 'OAuth store purge failed'));
    }, PURGE_INTERVAL_MS);
    this.#purge.unref();
  }

  /** The issuer a request made to this hub gets: `--public-url`, else the request's origin. */
  issuerFor(req: IncomingMessage): string {
    return this.#o.guard.origin(req);
  }

  /** Validates this server's access tokens on the API (the resource-server side). */
  authenticator(): AccessTokenAuthenticator {
    return new AccessTokenAuthenticator({
      keys: async () => publicKeys(await this.#serverKeys()),
      users: this.#o.users,
      ...(this.#o.now !== undefined && { now: this.#o.now }),
    });
  }

  /** Paths to mount as public routes, any method: each request checks the Host (the issuer comes from it); the pages also the Origin. */
  readonly paths: readonly string[] = [`${OAUTH_PREFIX}/*`, AUTHORIZATION_SERVER_METADATA_PATH, OPENID_CONFIGURATION_PATH];

  close(): void {
    clearInterval(this.#purge);
  }

  /**
   * Serve a request to one of {@link paths}.
   * @param client the client's address (behind a `--trusted-proxy`, the one it forwarded; undefined when
   *   unknown, never replaced by the socket's, which is the proxy's): the login throttle counts it.
   */
  async serve(req: IncomingMessage, res: ServerResponse, client: string | undefined): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const pageRequest = path.startsWith(INTERACTION_PREFIX);
    // The token endpoint and the metadata may be called from any origin (CORS is oidc-provider's);
    // the pages only from the hub's own (a cross-site form cannot log a browser in).
    const rejection = pageRequest ? this.#o.guard.rejection(req) : this.#o.guard.hostRejection(req);
    if (rejection !== undefined) {
      req.resume();
      const text = JSON.stringify({ error: 'invalid_request', error_description: `Forbidden: ${rejection}` });
      res.writeHead(403, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      return void res.end(text);
    }
    const issuer = this.issuerFor(req);
    if (issuer === this.#o.guard.publicOrigin) speakAs(req, issuer);
    const provider = await this.#provider(issuer);
    if (pageRequest) {
      const keys = await this.#serverKeys();
      return serveInteraction(req, res, provider, { users: this.#o.users, sessions: this.#o.sessions, csrfKey: keys.cookies[0] ?? '', client });
    }
    // RFC 8414 metadata is the OpenID configuration document (a superset); one document, two paths.
    if (path === AUTHORIZATION_SERVER_METADATA_PATH) req.url = `${OPENID_CONFIGURATION_PATH}${(req.url ?? '').slice(path.length)}`;
    provider.callback()(req, res);
  }

  #serverKeys(): Promise<ServerKeys> {
    this.#keys ??= loadServerKeys(this.#o.store).catch((error: unknown) => {
      this.#keys = undefined;
      throw error;
    });
    return this.#keys;
  }

  #provider(issuer: string): Promise<Provider> {
    let provider = this.#providers.get(issuer);
    if (provider === undefined) {
      if (this.#providers.size >= MAX_ISSUERS) this.#providers.delete(this.#providers.keys().next().value as string);
      provider = this.#serverKeys().then((keys) => this.#create(issuer, keys));
      provider.catch(() => this.#providers.delete(issuer));
      this.#providers.set(issuer, provider);
    }
    return provider;
  }

  async #create(issuer: string, keys: ServerKeys): Promise<Provider> {
    const { logger } = this.#o;
    const provider = await createProvider(issuer, {
      store: this.#o.store,
      users: this.#o.users,
      keys,
      accessTokenTtlS: this.#o.accessTokenTtlS ?? 600,
      refreshTokenTtlS: this.#o.refreshTokenTtlS ?? 14 * 86_400,
      sessionTtlS: this.#o.sessionTtlS ?? 12 * 3_600,
      now: this.#o.now ?? Date.now,
    });
    // Koa (under oidc-provider) builds every endpoint URL and the cookies' Secure flag from the request's
    // scheme and host, which behind a TLS-terminating proxy say http:// and maybe the upstream address.
    // Its `proxy` mode reads them from X-Forwarded-Proto/-Host instead; for the public URL's provider
    // those headers are the hub's own (speakAs overwrites what the client sent), never a client's claim.
    if (issuer === this.#o.guard.publicOrigin) provider.proxy = true;
    provider.on('server_error', (_ctx, error) => logger.error({ err: error, issuer }, 'OAuth server error'));
    for (const event of ['authorization.error', 'grant.error', 'registration_create.error', 'revocation.error']) {
      provider.on(event, (_ctx, error) => logger.debug({ err: error, issuer, event }, 'OAuth request refused'));
    }
    logger.info({ issuer }, 'OAuth authorization server ready');
    return provider;
  }
}

/**
 * Make the request name `origin` (`--public-url`) the way Koa's proxy mode reads it, replacing any
 * X-Forwarded-* the client or proxy sent: the scheme and host come from configuration only.
 */
function speakAs(req: IncomingMessage, origin: string): void {
  const { protocol, host } = new URL(origin);
  req.headers['x-forwarded-proto'] = protocol.slice(0, -1);
  req.headers['x-forwarded-host'] = host;
  // Koa's proxy mode would also take the client's address from X-Forwarded-For: keep the socket's.
  delete req.headers['x-forwarded-for'];
}
