/** CredentialStore: how devices prove who they are (a hashed secret, an enrollment, a revocation). */

/**
 * - `active`: the device holds its own secret (`hash`);
 * - `enrolled`: admitted with the fleet enrollment key and pinned, no secret of its own yet;
 * - `revoked`: refused, whatever it presents, until an operator issues new credentials.
 */
export type CredentialState = 'active' | 'enrolled' | 'revoked';

/** One device's credential record. The username is the hardware id. */
export interface DeviceCredential {
  readonly hardwareId: string;
  readonly state: CredentialState;
  /** Mosquitto `$7$` PBKDF2-SHA512 hash of the secret; null unless `active`. */
  readonly hash: string | null;
  /** ms since the epoch. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface CredentialStore {
  get(hardwareId: string): Promise<DeviceCredential | undefined>;
  /** Insert or replace the record of `credential.hardwareId`. */
  put(credential: DeviceCredential): Promise<void>;
  /** Every record, by hardware id. */
  list(): Promise<DeviceCredential[]>;
  close(): Promise<void>;
}
