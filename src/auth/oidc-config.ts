/** The OpenID Connect authenticator the hub options ask for, if any (`--auth-issuer` and friends). */
import type { HubConfig } from '../config/options.ts';
import { OidcAuthenticator } from './oidc-authenticator.ts';

/** Undefined without `--auth-issuer`; throws (the hub does not start) on an issuer without audience, a non-https URL, or `--auth-api-audience` without an issuer. */
export function oidcAuthenticator(
  config: Pick<HubConfig, 'authIssuer' | 'authAudience' | 'authApiAudience' | 'authRoleClaim' | 'authJwksUrl'>,
  now: () => number,
): OidcAuthenticator | undefined {
  const apiAudience = list(config.authApiAudience);
  if (config.authIssuer === undefined) {
    if (apiAudience.length > 0) throw new Error('--auth-api-audience needs --auth-issuer: it names the audiences of that issuer\'s tokens the API accepts');
    return undefined;
  }
  return new OidcAuthenticator({
    issuer: config.authIssuer,
    audience: list(config.authAudience),
    apiAudience,
    roleClaim: config.authRoleClaim,
    ...(config.authJwksUrl !== undefined && { jwksUrl: config.authJwksUrl }),
    now,
  });
}

/** A comma-separated option as a list. */
function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '');
}
