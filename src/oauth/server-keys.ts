/**
 * The built-in authorization server's secrets: a signing key for its tokens (RS256) and a key for
 * its cookies. Generated once, on the first start, and kept in the store (not regenerated at each
 * start: tokens and login sessions survive a restart; hub instances on one PostgreSQL share them).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { OAuthStore } from '../core/ports/oauth-store.ts';

/** The model and id the keys are stored under, beside oidc-provider's own records. */
const MODEL = 'HubServerKeys';
const ID = 'current';

/** Algorithm of the signing key: RS256 is the one every OAuth client and JWT library verifies. */
export const SIGNING_ALG = 'RS256';

export interface ServerKeys {
  /** Private JWKs (with kid, alg, use) for oidc-provider's `jwks`. */
  readonly signing: readonly JWK[];
  /** Keys that sign oidc-provider's cookies. */
  readonly cookies: readonly string[];
}

/** The stored keys, created on first use. Two instances racing: the first insert wins and both read it. */
export async function loadServerKeys(store: OAuthStore): Promise<ServerKeys> {
  const stored = await store.find(MODEL, ID);
  if (stored !== undefined) return parse(stored.payload);
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { modulusLength: 2048, extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: SIGNING_ALG, use: 'sig' };
  const fresh: ServerKeys = { signing: [jwk], cookies: [randomBytes(32).toString('base64url')] };
  await store.insertIfAbsent(MODEL, ID, { payload: { ...fresh }, expiresAt: null });
  const winner = await store.find(MODEL, ID);
  if (winner === undefined) throw new Error('OAuth server keys: stored, then not found');
  return parse(winner.payload);
}

/** Public halves of the signing keys (the JWKS the hub verifies its own tokens with). */
export function publicKeys(keys: ServerKeys): JWK[] {
  const PUBLIC = new Set(['kty', 'n', 'e', 'crv', 'x', 'y', 'kid', 'alg', 'use']);
  return keys.signing.map((jwk) => Object.fromEntries(Object.entries(jwk).filter(([name]) => PUBLIC.has(name))) as JWK);
}

function parse(payload: Readonly<Record<string, unknown>>): ServerKeys {
  const { signing, cookies } = payload as { signing?: unknown; cookies?: unknown };
  if (!Array.isArray(signing) || signing.length === 0 || !Array.isArray(cookies) || cookies.length === 0) {
    throw new Error('OAuth server keys in the store are malformed');
  }
  return { signing: signing as JWK[], cookies: cookies as string[] };
}
