/**
 * Rows of the account tables both SQL backends share (`api_tokens`, `users`, `device_credentials`),
 * and their mapping to the core records. Timestamps go through Number(): PostgreSQL BIGINT columns
 * may come back as text, SQLite's as numbers.
 */
import type { CredentialState, DeviceCredential } from '../../core/ports/credential-store.ts';
import type { ApiTokenRecord } from '../../core/ports/token-store.ts';
import type { UserRecord } from '../../core/ports/user-store.ts';
import type { Role } from '../../core/principal.ts';

export interface TokenRow {
  id: string;
  name: string | null;
  role: string;
  hash: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

export interface UserRow {
  name: string;
  role: string;
  password_hash: string;
  created_at: number;
  disabled_at: number | null;
}

export interface CredentialRow {
  hardware_id: string;
  state: string;
  hash: string | null;
  created_at: number;
  updated_at: number;
}

const optionalTime = (value: number | null): number | null => (value === null ? null : Number(value));

export function tokenFromRow(row: TokenRow): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    hash: row.hash,
    createdAt: Number(row.created_at),
    expiresAt: optionalTime(row.expires_at),
    revokedAt: optionalTime(row.revoked_at),
  };
}

export function userFromRow(row: UserRow): UserRecord {
  return { name: row.name, role: row.role as Role, passwordHash: row.password_hash, createdAt: Number(row.created_at), disabledAt: optionalTime(row.disabled_at) };
}

export function credentialFromRow(row: CredentialRow): DeviceCredential {
  return { hardwareId: row.hardware_id, state: row.state as CredentialState, hash: row.hash, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}
