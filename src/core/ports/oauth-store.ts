/**
 * OAuthStore: what the built-in OAuth authorization server keeps (docs/security.md): registered
 * clients, grants, authorization codes, refresh tokens, login sessions and interactions, and its own
 * signing keys. Records are opaque JSON payloads keyed by model and id, as oidc-provider's adapter
 * contract has them; the lookups it needs (by grant, by interaction uid, by user code) are columns.
 */

/** One stored record of a model (`Client`, `Grant`, `RefreshToken`, `Session`, …). */
export interface OAuthEntry {
  readonly payload: Readonly<Record<string, unknown>>;
  /** The grant a token or code belongs to: `revokeByGrantId` drops them all. */
  readonly grantId?: string | undefined;
  /** A session's uid (findByUid). */
  readonly uid?: string | undefined;
  /** A device-flow user code (findByUserCode). */
  readonly userCode?: string | undefined;
  /** ms since epoch after which the record is gone; null: never (clients, keys). */
  readonly expiresAt: number | null;
  /** s since epoch when a one-time record (an authorization code, a rotated refresh token) was used. */
  readonly consumedAt?: number | null;
}

export type OAuthLookup = 'uid' | 'userCode';

export interface OAuthStore {
  /** Insert or replace the record `model`/`id`. */
  upsert(model: string, id: string, entry: OAuthEntry): Promise<void>;
  /** Insert the record unless one exists; true when this call inserted it (hub instances racing to create the keys). */
  insertIfAbsent(model: string, id: string, entry: OAuthEntry): Promise<boolean>;
  /** The record, expired or not (the caller decides). */
  find(model: string, id: string): Promise<OAuthEntry | undefined>;
  /** The record of `model` whose `uid` or `userCode` column is `value`. */
  findBy(model: string, lookup: OAuthLookup, value: string): Promise<OAuthEntry | undefined>;
  /** Mark a one-time record used at `at` (s since epoch). */
  consume(model: string, id: string, at: number): Promise<void>;
  destroy(model: string, id: string): Promise<void>;
  /** Delete every record of the grant (its codes and tokens). */
  revokeByGrantId(grantId: string): Promise<void>;
  /** Delete the records expired before `now` (ms); resolves how many. */
  deleteExpired(now: number): Promise<number>;
  close(): Promise<void>;
}
