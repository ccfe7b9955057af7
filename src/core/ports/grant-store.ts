/** GrantStore: grants for a task, shared by every hub instance. */
import type { Grant } from '../grant.ts';

export interface GrantStore {
  create(grant: Grant): Promise<void>;
  get(id: string): Promise<Grant | undefined>;
  /** Newest first; `activeAt`: only those neither expired nor revoked at that time. */
  list(filter?: { readonly activeAt?: number; readonly limit?: number }): Promise<Grant[]>;
  /** Set revokedAt on a grant not yet revoked; false when unknown or already revoked. */
  revoke(id: string, at: number): Promise<boolean>;
  close(): Promise<void>;
}
