/** API tokens as bearer credentials: looked up by hash, refused when expired or revoked. */
import { scopesOf, type Principal } from '../core/principal.ts';
import type { TokenStore } from '../core/ports/token-store.ts';
import { hashToken, TOKEN_PREFIX } from './api-tokens.ts';
import { CredentialRefused, type Authenticator } from './authenticator.ts';

export class TokenAuthenticator implements Authenticator {
  readonly #store: TokenStore;
  readonly #now: () => number;

  constructor(store: TokenStore, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  async authenticate(bearer: string): Promise<Principal | undefined> {
    if (!bearer.startsWith(TOKEN_PREFIX)) return undefined;
    const record = await this.#store.tokenByHash(hashToken(bearer));
    if (record === undefined) throw new CredentialRefused('unknown token');
    if (record.revokedAt !== null) throw new CredentialRefused(`token ${record.id} was revoked`);
    if (record.expiresAt !== null && record.expiresAt <= this.#now()) throw new CredentialRefused(`token ${record.id} expired`);
    return {
      id: `token:${record.id}`,
      kind: 'token',
      role: record.role,
      scopes: scopesOf(record.role),
      ...(record.name !== null && { name: record.name }),
    };
  }
}
