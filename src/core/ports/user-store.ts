/** UserStore: people who log in to the hub from a browser, with a slow password hash (docs/security.md). */
import type { Role } from '../principal.ts';

/** One user as stored: never the password, only its hash (`$7$…` PBKDF2-HMAC-SHA512). */
export interface UserRecord {
  readonly name: string;
  readonly role: Role;
  readonly passwordHash: string;
  /** ms since epoch. */
  readonly createdAt: number;
  readonly disabledAt: number | null;
}

export interface UserStore {
  /** Rejects when a user of that name exists. */
  addUser(record: UserRecord): Promise<void>;
  /** Every user, oldest first. */
  listUsers(): Promise<UserRecord[]>;
  userByName(name: string): Promise<UserRecord | undefined>;
  /** Replace the password hash; false when no such user. */
  setPasswordHash(name: string, passwordHash: string): Promise<boolean>;
  /** Delete the user; false when no such user. */
  removeUser(name: string): Promise<boolean>;
  /** True when at least one user is not disabled (auth is then on, as with a token). */
  hasUsers(): Promise<boolean>;
  close(): Promise<void>;
}
