/**
 * The resource-server side of the built-in authorization server: its JWT access tokens (RFC 9068)
 * checked in-process with `jose` against its own public keys — signature, `typ` at+jwt, issuer (the
 * hub's origin: --public-url, else the one the request was made to), audience (that origin's /mcp, RFC 8707), expiry — and turned into
 * a principal whose role is the lower of the user's role now and the role the granted scopes imply.
 * Only /mcp, the resource they are issued for, accepts them: on /rpc, /ws or /export a token an MCP
 * client obtained for /mcp is refused (audience confusion; RFC 9068 §4, RFC 8707 §2).
 */
import { createLocalJWKSet, decodeJwt, errors, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { lowerRole, roleOfScopes, scopesOf, type Principal } from '../core/principal.ts';
import type { UserStore } from '../core/ports/user-store.ts';
import { CredentialRefused, type Authenticator, type CredentialContext } from '../auth/authenticator.ts';
import { MCP_PATH } from '../auth/mcp-path.ts';
import { SIGNING_ALG } from './server-keys.ts';

/** A compact JWS: three base64url parts (RFC 7515 §7.1). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface AccessTokenAuthenticatorOptions {
  /** The server's public signing keys (read from the store once). */
  readonly keys: () => Promise<readonly JWK[]>;
  readonly users: UserStore;
  readonly now?: () => number;
}

export class AccessTokenAuthenticator implements Authenticator {
  readonly #o: AccessTokenAuthenticatorOptions;
  #keySet: ReturnType<typeof createLocalJWKSet> | undefined;

  constructor(options: AccessTokenAuthenticatorOptions) {
    this.#o = options;
  }

  async authenticate(bearer: string, context: CredentialContext = {}): Promise<Principal | undefined> {
    const { origin } = context;
    if (origin === undefined || !COMPACT_JWS.test(bearer) || issuerOf(bearer) !== origin) return undefined;
    const payload = await this.#verify(bearer, origin);
    const audience = `${origin}${MCP_PATH}`;
    if (context.resource !== audience) {
      throw new CredentialRefused(`access token refused: it is for ${audience} only; ${context.resource ?? 'this endpoint'} takes API tokens and the session cookie`);
    }
    const name = payload.sub;
    if (typeof name !== 'string' || name === '') throw new CredentialRefused('access token has no sub');
    const user = await this.#o.users.userByName(name);
    if (user === undefined || user.disabledAt !== null) throw new CredentialRefused(`user ${name} was removed or disabled`);
    const granted = typeof payload['scope'] === 'string' ? payload['scope'].split(' ').filter((s) => s !== '') : [];
    // Never more than the user may do now, nor more than the user let the client do.
    const role = lowerRole(user.role, roleOfScopes(granted));
    const clientId = typeof payload['client_id'] === 'string' ? payload['client_id'] : 'unknown';
    return { id: `oauth:${user.name}@${clientId}`, kind: 'oauth', role, scopes: role === undefined ? [] : scopesOf(role), name: user.name };
  }

  async #verify(token: string, origin: string): Promise<JWTPayload> {
    this.#keySet ??= createLocalJWKSet({ keys: [...(await this.#o.keys())] });
    try {
      const { payload } = await jwtVerify(token, this.#keySet, {
        issuer: origin,
        audience: `${origin}${MCP_PATH}`,
        algorithms: [SIGNING_ALG],
        // RFC 9068 §4: an access token, not an ID token (whose audience would be the client).
        typ: 'at+jwt',
        requiredClaims: ['exp'],
        ...(this.#o.now !== undefined && { currentDate: new Date(this.#o.now()) }),
      });
      return payload;
    } catch (error) {
      throw refusal(error);
    }
  }
}

/** The `iss` of a JWT, unverified: only to tell this server's tokens from an external issuer's. */
function issuerOf(token: string): string | undefined {
  try {
    const { iss } = decodeJwt(token);
    return iss;
  } catch {
    return undefined;
  }
}

function refusal(error: unknown): CredentialRefused {
  if (error instanceof errors.JWTExpired) return new CredentialRefused('access token expired');
  if (error instanceof errors.JWTClaimValidationFailed) return new CredentialRefused(`access token refused: ${error.claim} ${error.reason === 'check_failed' ? 'does not match' : error.reason}`);
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) return new CredentialRefused('access token refused: bad signature');
  if (error instanceof errors.JOSEError) return new CredentialRefused(`access token refused: ${error.message}`);
  return new CredentialRefused('access token refused');
}
