/**
 * An authenticator turns one kind of credential into a Principal. API tokens are one; users with a
 * session cookie, OIDC JWTs and the built-in authorization server's access tokens plug in beside it.
 */
import type { Principal } from '../core/principal.ts';

/** Why a credential was refused (goes into the 401 and the UNAUTHENTICATED error's data). */
export class CredentialRefused extends Error {
  override readonly name = 'CredentialRefused';
}

/** What the request tells an authenticator beyond the credential. */
export interface CredentialContext {
  /** The hub's origin for this request (`--public-url`, else the one the request was made to): the built-in authorization server's issuer there, and `<origin>/mcp` its tokens' audience. */
  readonly origin?: string;
  /**
   * The URL of the endpoint called (`<origin>/rpc`, `<origin>/mcp`): a token issued for one resource
   * (RFC 8707 audience) is accepted only there (RFC 9068 §4).
   */
  readonly resource?: string;
  /** True when the credential came from the session cookie (a session id is a credential nowhere else). */
  readonly fromCookie?: boolean;
}

export interface Authenticator {
  /**
   * The principal of a bearer credential; undefined when the credential is not of this kind (the
   * next authenticator tries). Throws {@link CredentialRefused} for one of its kind that is invalid,
   * expired or revoked.
   */
  authenticate(bearer: string, context?: CredentialContext): Promise<Principal | undefined>;
}
