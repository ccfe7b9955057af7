/** The OpenID Connect authenticator the hub options ask for, if any (`--auth-issuer` and friends). */
import type { HubConfig } from '../config/options.ts';
import { OidcAuthenticator } from './oidc-authenticator.ts';

/** Undefined without `--auth-issuer`; throws (the hub does not start) on an issuer without audience or a non-https URL. */
export function oidcAuthenticator(
  config: Pick<HubConfig, 'authIssuer' | 'authAudience' | 'authRoleClaim' | 'authJwksUrl'>,
  now: () => number,
): OidcAuthenticator | undefined {
  if (config.authIssuer === undefined) return undefined;
  const audience = (config.authAudience ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '');
  return new OidcAuthenticator({
    issuer: config.authIssuer,
    audience,
    roleClaim: config.authRoleClaim,
    ...(config.authJwksUrl !== undefined && { jwksUrl: config.authJwksUrl }),
    now,
  });
}
