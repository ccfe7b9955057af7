/** The `oauth_entries` row of the SQLite and PostgreSQL OAuthStores, and its conversion to and from an OAuthEntry. */
import type { OAuthEntry, OAuthLookup } from '../../core/ports/oauth-store.ts';

export interface OAuthRow {
  /** JSON text (SQLite) or the parsed jsonb (PostgreSQL). */
  payload: string | Record<string, unknown>;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

/** The columns after (model, id), in the order {@link oauthValues} gives them. */
export const OAUTH_COLUMNS = 'payload, grant_id, uid, user_code, expires_at, consumed_at';
export const OAUTH_LOOKUP_COLUMN: Readonly<Record<OAuthLookup, string>> = { uid: 'uid', userCode: 'user_code' };

export function oauthValues(entry: OAuthEntry): [string, string | null, string | null, string | null, number | null, number | null] {
  return [JSON.stringify(entry.payload), entry.grantId ?? null, entry.uid ?? null, entry.userCode ?? null, entry.expiresAt, entry.consumedAt ?? null];
}

export function oauthEntry(row: OAuthRow): OAuthEntry {
  return {
    payload: typeof row.payload === 'string' ? (JSON.parse(row.payload) as Record<string, unknown>) : row.payload,
    ...(row.grant_id !== null && { grantId: row.grant_id }),
    ...(row.uid !== null && { uid: row.uid }),
    ...(row.user_code !== null && { userCode: row.user_code }),
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
  };
}
