/**
 * The oidc-provider configuration of the hub's built-in authorization server (OAuth 2.1 as MCP
 * 2025-11-25 authorization asks): authorization code with PKCE S256 for every client, dynamic client
 * registration (RFC 7591), refresh tokens (rotated for public clients), and short-lived JWT access
 * tokens whose audience is the hub's /mcp URL (RFC 8707 resource indicators), with the scopes that map
 * to the roles. Accounts are the hub's users; the login and consent pages are the hub's own.
 */
import type Provider from 'oidc-provider';
import type { Account, ClientRecord, KoaContextLike, ResourceServerInfo } from 'oidc-provider';
import { MCP_PATH } from '../auth/mcp-path.ts';
import { ROLE_SCOPE, ROLES } from '../core/principal.ts';
import type { OAuthStore } from '../core/ports/oauth-store.ts';
import type { UserStore } from '../core/ports/user-store.ts';
import { errorPage } from './pages.ts';
import { SIGNING_ALG, type ServerKeys } from './server-keys.ts';
import { storeAdapter } from './store-adapter.ts';

/** Where the server's endpoints live, under the issuer (its discovery document is at the issuer's well-known paths). */
export const OAUTH_PREFIX = '/oauth';
export const INTERACTION_PREFIX = `${OAUTH_PREFIX}/interaction/`;
/** The scopes of the roles, lowest first; no catch-all. */
export const RESOURCE_SCOPES = ROLES.map((role) => ROLE_SCOPE[role]);

export interface ProviderSettings {
  readonly store: OAuthStore;
  readonly users: UserStore;
  readonly keys: ServerKeys;
  /** Access token lifetime, s. */
  readonly accessTokenTtlS: number;
  /** Refresh token (and grant) lifetime, s. */
  readonly refreshTokenTtlS: number;
  /** The authorization server's own login session (skips the login page for the next client), s. */
  readonly sessionTtlS: number;
  readonly now: () => number;
}

/**
 * A provider whose issuer is `issuer` (an origin: scheme, host and port, no path). oidc-provider is
 * loaded at the first OAuth request, not when the hub starts: commands and hubs that never serve one
 * do not pay for it (nor see its warning on Node 20, which it does not list as supported).
 */
export async function createProvider(issuer: string, settings: ProviderSettings): Promise<Provider> {
  const { default: Provider, errors } = await import('oidc-provider');
  const resource = `${issuer}${MCP_PATH}`;
  const { users, accessTokenTtlS } = settings;
  const provider = new Provider(issuer, {
    adapter: storeAdapter(settings.store, settings.now),
    jwks: { keys: settings.keys.signing },
    cookies: { keys: [...settings.keys.cookies] },
    scopes: ['openid', 'offline_access', ...RESOURCE_SCOPES],
    claims: { openid: ['sub'] },
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      id_token_signed_response_alg: SIGNING_ALG,
    },
    features: {
      devInteractions: { enabled: false },
      // RFC 7591: anyone may register a client (chat apps' connectors do so on first use); what a client
      // may do is decided by the user at the consent page, and every client uses PKCE.
      registration: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: KoaContextLike, indicator: string): ResourceServerInfo => {
          // RFC 8707 §2: a resource this server does not serve is invalid_target; tokens are only ever for this hub.
          if (indicator !== resource) throw new errors.InvalidTarget(`this server issues tokens for ${resource} only`);
          return { scope: RESOURCE_SCOPES.join(' '), audience: resource, accessTokenTTL: accessTokenTtlS, accessTokenFormat: 'jwt', jwt: { sign: { alg: SIGNING_ALG } } };
        },
      },
    },
    // Refresh tokens for every client allowed the grant, not only for `offline_access` (MCP clients rarely ask it).
    issueRefreshToken: async (_ctx: KoaContextLike, client: ClientRecord) => client.grantTypeAllowed('refresh_token'),
    // Tokens outlive the browser's login session at the server: an MCP client refreshes for days.
    expiresWithSession: async () => false,
    // A removed or disabled user is no account: their refresh tokens stop working (invalid_grant).
    findAccount: async (_ctx: KoaContextLike, sub: string): Promise<Account | undefined> => {
      const user = await users.userByName(sub);
      if (user === undefined || user.disabledAt !== null) return undefined;
      return { accountId: user.name, claims: async () => ({ sub: user.name }) };
    },
    interactions: { url: (_ctx: KoaContextLike, interaction: { uid: string }) => `${INTERACTION_PREFIX}${interaction.uid}` },
    routes: {
      authorization: `${OAUTH_PREFIX}/authorize`,
      token: `${OAUTH_PREFIX}/token`,
      registration: `${OAUTH_PREFIX}/register`,
      jwks: `${OAUTH_PREFIX}/jwks`,
      revocation: `${OAUTH_PREFIX}/revoke`,
      end_session: `${OAUTH_PREFIX}/logout`,
      userinfo: `${OAUTH_PREFIX}/userinfo`,
      introspection: `${OAUTH_PREFIX}/introspect`,
      pushed_authorization_request: `${OAUTH_PREFIX}/par`,
      code_verification: `${OAUTH_PREFIX}/device`,
      device_authorization: `${OAUTH_PREFIX}/device/auth`,
      backchannel_authentication: `${OAUTH_PREFIX}/backchannel`,
      challenge: `${OAUTH_PREFIX}/challenge`,
      credential: `${OAUTH_PREFIX}/credential`,
    },
    ttl: {
      AccessToken: accessTokenTtlS,
      AuthorizationCode: 60,
      IdToken: accessTokenTtlS,
      Interaction: 600,
      RefreshToken: settings.refreshTokenTtlS,
      Grant: settings.refreshTokenTtlS,
      Session: settings.sessionTtlS,
    },
    // CORS for browser-based public clients (the MCP inspector): the origins of their own redirect URIs.
    clientBasedCORS: (_ctx: KoaContextLike, origin: string, client: ClientRecord) =>
      origin !== 'null' && client.clientAuthMethod === 'none' && client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin),
    renderError: async (ctx: { type: string; body: string }, out: Readonly<Record<string, string>>) => {
      ctx.type = 'html';
      ctx.body = errorPage(out['error'] ?? 'error', out['error_description'] ?? '');
    },
  });
  return provider;
}
