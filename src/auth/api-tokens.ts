/**
 * API tokens: 256 random bits, shown once, stored as SHA-256. A slow password hash (scrypt, argon2)
 * defends guessable secrets against offline guessing; a 256-bit random token cannot be guessed, so
 * one SHA-256 is enough and keeps every request's check to microseconds (docs/security.md).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../core/principal.ts';
import type { ApiTokenRecord, TokenStore } from '../core/ports/token-store.ts';

/** Every token starts with this, so secret scanners and people recognise one. */
export const TOKEN_PREFIX = 'llmiot_';

/** Lower-case hex SHA-256 of a token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** What `token create` prints, once. */
export interface CreatedToken {
  readonly id: string;
  readonly token: string;
  readonly role: Role;
  readonly name: string | null;
  readonly expires_at: string | null;
}

export interface CreateTokenOptions {
  readonly role: Role;
  readonly name?: string;
  /** Lifetime in ms; none: the token lasts until revoked. */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/** Mint a token, store its hash, return the secret (the only time it exists outside its holder). */
export async function createApiToken(store: TokenStore, options: CreateTokenOptions): Promise<CreatedToken> {
  const now = (options.now ?? Date.now)();
  const id = randomBytes(6).toString('hex');
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const record: ApiTokenRecord = {
    id,
    name: options.name ?? null,
    role: options.role,
    hash: hashToken(token),
    createdAt: now,
    expiresAt: options.ttlMs === undefined ? null : now + options.ttlMs,
    revokedAt: null,
  };
  await store.addToken(record);
  return { id, token, role: record.role, name: record.name, expires_at: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString() };
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30d`, `12h`, `90m`, `45s`, `2w` to ms; undefined when it is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})([smhdw])$/.exec(text.trim());
  if (match === null) return undefined;
  const amount = Number(match[1]);
  return amount > 0 ? amount * (UNIT_MS[match[2] as string] as number) : undefined;
}
