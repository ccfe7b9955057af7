/** TokenStore: API tokens, kept as hashes only. */
import type { Role } from '../principal.ts';

/** One API token as stored: the secret itself is never kept, only its SHA-256. */
export interface ApiTokenRecord {
  readonly id: string;
  readonly name: string | null;
  readonly role: Role;
  /** Lower-case hex SHA-256 of the token text. */
  readonly hash: string;
  /** ms since epoch. */
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
}

export interface TokenStore {
  addToken(record: ApiTokenRecord): Promise<void>;
  /** Every token, revoked and expired ones too, oldest first. */
  listTokens(): Promise<ApiTokenRecord[]>;
  tokenByHash(hash: string): Promise<ApiTokenRecord | undefined>;
  /** Mark revoked at `at`; false when no such token or already revoked. */
  revokeToken(id: string, at: number): Promise<boolean>;
  /** True when at least one token has not been revoked (auth is then on: docs/security.md). */
  hasCredentials(): Promise<boolean>;
  close(): Promise<void>;
}
