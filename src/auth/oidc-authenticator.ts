/**
 * Access tokens from an external OpenID Connect issuer (Keycloak, Auth0, Entra ID, …): JWTs checked
 * against the issuer's JWKS with `jose` — signature, issuer, audience, expiry — and turned into a
 * principal whose role comes from a claim or the OAuth scopes (docs/security.md). The audience depends
 * on the endpoint called (RFC 8707 §2, RFC 9068 §4): /mcp takes tokens for `--auth-audience`, the API
 * (/rpc, /ws, /export, /metrics) tokens for `--auth-api-audience`, and none when that is not set.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { scopesOf, type Principal } from '../core/principal.ts';
import { CredentialRefused, type Authenticator, type CredentialContext } from './authenticator.ts';
import { isLoopbackName } from './host-names.ts';
import { MCP_PATH } from './mcp-path.ts';
import { DEFAULT_ROLE_CLAIM, roleFromClaims } from './oidc-claims.ts';

/**
 * Asymmetric signatures only: the keys come from a public JWKS, so an HMAC (HS*) "signed" with a
 * public key, or `none`, must never verify (RFC 8725 §3.1, §3.2).
 */
export const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];


/** Clock skew accepted on `exp`/`nbf`/`iat` between the issuer and the hub, in seconds. */
const CLOCK_TOLERANCE_S = 30;

/** A compact JWS: three base64url parts (RFC 7515 §7.1). API tokens (`llmiot_…`) never look like one. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface OidcOptions {
  /** `--auth-issuer`: must equal the tokens' `iss` and the discovery document's `issuer`. */
  readonly issuer: string;
  /** `--auth-audience`: the `aud` values /mcp accepts, one or more (this hub's /mcp URL, RFC 8707). */
  readonly audience: readonly string[];
  /** `--auth-api-audience`: the `aud` values /rpc, /ws, /export and /metrics accept; none (default): the API takes no token of this issuer. */
  readonly apiAudience?: readonly string[];
  /** `--auth-role-claim`; default {@link DEFAULT_ROLE_CLAIM}. */
  readonly roleClaim?: string;
  /** `--auth-jwks-url`; default the discovery document's `jwks_uri`. */
  readonly jwksUrl?: string;
  /** ms one discovery or JWKS request may take; default 5000. */
  readonly timeoutMs?: number;
  /** ms after a JWKS fetch before an unknown `kid` may fetch again (key rotation); default 30000 (jose's). */
  readonly jwksCooldownMs?: number;
  readonly now?: () => number;
}

export class OidcAuthenticator implements Authenticator {
  readonly #o: OidcOptions;
  #keys: Promise<JWTVerifyGetKey> | undefined;

  constructor(options: OidcOptions) {
    checkUrl('--auth-issuer', options.issuer);
    if (options.jwksUrl !== undefined) checkUrl('--auth-jwks-url', options.jwksUrl);
    if (options.audience.length === 0) throw new Error('--auth-issuer needs --auth-audience: the audience that names this hub in the tokens (its /mcp URL, RFC 8707)');
    this.#o = options;
  }

  /**
   * `context.resource` says which audience applies: `<origin>/mcp` is the MCP endpoint, anything else
   * (or nothing) the API. A token whose `aud` names only the other one is refused: a token an MCP client
   * obtained for /mcp is no credential for /rpc, and one minted for scripts on /rpc none for /mcp.
   */
  async authenticate(bearer: string, context: CredentialContext = {}): Promise<Principal | undefined> {
    if (!COMPACT_JWS.test(bearer)) return undefined;
    const mcp = context.origin !== undefined && context.resource === `${context.origin}${MCP_PATH}`;
    const accepted = mcp ? this.#o.audience : (this.#o.apiAudience ?? []);
    const flag = mcp ? '--auth-audience' : '--auth-api-audience';
    const payload = await this.#verify(bearer, accepted, flag);
    if (accepted.length === 0) {
      throw new CredentialRefused(`OIDC token refused: ${context.resource ?? 'the API'} accepts this issuer's tokens only for an audience of --auth-api-audience, and none is configured (${MCP_PATH} takes them for --auth-audience)`);
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new CredentialRefused('OIDC token has no sub');
    // A valid token that grants no role authenticates but may call nothing: a 403 naming iot:read, so an
    // OAuth client can ask the issuer for that scope (MCP authorization §Scope Challenge) instead of a 401 loop.
    const role = roleFromClaims(payload, this.#o.roleClaim ?? DEFAULT_ROLE_CLAIM);
    const name = [payload['preferred_username'], payload['email'], payload['name']].find((v): v is string => typeof v === 'string');
    return {
      id: `oidc:${payload.sub}`,
      kind: 'oidc',
      role,
      scopes: role === undefined ? [] : scopesOf(role),
      ...(name !== undefined && { name }),
    };
  }

  /** Verify `token`; `audience` empty: every check but the audience's (the caller refuses it after, with a clearer reason). */
  async #verify(token: string, audience: readonly string[], flag: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, await this.#keySet(), {
        issuer: this.#o.issuer,
        ...(audience.length > 0 && { audience: [...audience] }),
        algorithms: OIDC_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp'],
        ...(this.#o.now !== undefined && { currentDate: new Date(this.#o.now()) }),
      });
      return payload;
    } catch (error) {
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') throw new CredentialRefused(`OIDC token refused: aud does not match (${flag})`);
      throw refusal(error);
    }
  }

  /** The issuer's key set, discovered once; a failed discovery is retried by the next token. */
  #keySet(): Promise<JWTVerifyGetKey> {
    this.#keys ??= this.#discoverKeys().catch((error: unknown) => {
      this.#keys = undefined;
      throw error;
    });
    return this.#keys;
  }

  async #discoverKeys(): Promise<JWTVerifyGetKey> {
    const timeoutDuration = this.#o.timeoutMs ?? 5_000;
    const jwksUri = this.#o.jwksUrl ?? (await discoverJwksUri(this.#o.issuer, timeoutDuration));
    // jose caches the set, refetches it when a token names an unknown kid (key rotation), at most once per cooldown.
    return createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration,
      ...(this.#o.jwksCooldownMs !== undefined && { cooldownDuration: this.#o.jwksCooldownMs }),
    });
  }
}

/** OpenID Connect Discovery 1.0 §4: the `jwks_uri` of the issuer's configuration, whose `issuer` must be the one configured (§4.3). */
async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<string> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let doc: unknown;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    doc = await res.json();
  } catch (error) {
    throw new CredentialRefused(`OIDC discovery failed: ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { issuer: announced, jwks_uri: jwksUri } = (typeof doc === 'object' && doc !== null ? doc : {}) as { issuer?: unknown; jwks_uri?: unknown };
  if (announced !== issuer) throw new CredentialRefused(`OIDC discovery failed: ${url} announces issuer ${JSON.stringify(announced)}, not ${issuer}`);
  if (typeof jwksUri !== 'string') throw new CredentialRefused(`OIDC discovery failed: ${url} has no jwks_uri`);
  try {
    checkUrl(`${url}: jwks_uri`, jwksUri);
  } catch (error) {
    throw new CredentialRefused(`OIDC discovery failed: ${(error as Error).message}`);
  }
  return jwksUri;
}

/** Why jose refused a token, as the 401's error_description. */
function refusal(error: unknown): Error {
  if (error instanceof CredentialRefused) return error;
  if (error instanceof errors.JWTExpired) return new CredentialRefused('OIDC token expired');
  if (error instanceof errors.JWTClaimValidationFailed) return new CredentialRefused(`OIDC token refused: ${error.claim} ${error.reason === 'check_failed' ? 'does not match' : error.reason}`);
  if (error instanceof errors.JOSEAlgNotAllowed) return new CredentialRefused('OIDC token refused: signature algorithm not allowed');
  if (error instanceof errors.JWKSNoMatchingKey) return new CredentialRefused("OIDC token refused: no key of the issuer's JWKS matches it");
  if (error instanceof errors.JWSSignatureVerificationFailed) return new CredentialRefused('OIDC token refused: bad signature');
  if (error instanceof errors.JWKSTimeout) return new CredentialRefused("OIDC token refused: the issuer's JWKS did not answer in time");
  if (error instanceof errors.JOSEError) return new CredentialRefused(`OIDC token refused: ${error.message}`);
  if (error instanceof Error) return new CredentialRefused(`OIDC token refused: ${error.message}`);
  return new CredentialRefused('OIDC token refused');
}

/** Issuer and key URLs must be https (OIDC Discovery §4.3), except on loopback (a local issuer, tests). */
function checkUrl(what: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${what} ${value}: not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackName(url.hostname))) throw new Error(`${what} ${value}: must be https:// (http only on loopback)`);
}
