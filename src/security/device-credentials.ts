/**
 * DeviceCredentials: issue, rotate, revoke and check device secrets, and pin devices admitted with
 * the fleet enrollment key. A secret is shown once (in what create/rotate return) and stored only as
 * a slow `$7$` hash; successful checks are remembered under a keyed fast hash so a reconnect storm
 * costs one PBKDF2 per device, not one per connection.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { HubError } from '../core/errors.ts';
import type { CredentialStore, DeviceCredential } from '../core/ports/credential-store.ts';
import { isTopicSafeId } from './broker-acl.ts';
import { generateSecret, hashSecret, verifySecret } from './password-hash.ts';

/** What create and rotate answer: the only time the secret is ever shown. */
export interface IssuedCredential {
  readonly hardware_id: string;
  readonly username: string;
  readonly password: string;
}

/** A credential record as listed: never the hash. */
export interface CredentialSummary {
  readonly hardware_id: string;
  readonly state: DeviceCredential['state'];
  readonly created_at: string;
  readonly updated_at: string;
}

/** The outcome of a username/password check. */
export type PasswordCheck =
  | { readonly ok: true; readonly via: 'credentials' | 'enrollment' }
  | { readonly ok: false; readonly reason: 'bad_credentials' | 'revoked' | 'bad_enrollment_key' | 'bad_username' };

export interface DeviceCredentialsOptions {
  readonly store: CredentialStore;
  /** The fleet enrollment key; without it, only devices with their own credentials (or certificates) get in. */
  readonly enrollmentKey?: string | undefined;
  readonly now?: () => number;
  /** PBKDF2 rounds of new hashes (default HASH_ITERATIONS). */
  readonly iterations?: number;
  /** Called after a device's credentials were rotated or revoked (drop its live connection). */
  readonly onChanged?: (hardwareId: string) => void;
}

/** Successful checks remembered, at most (the oldest forgotten first). */
const CACHE_LIMIT = 10_000;

export class DeviceCredentials {
  readonly #o: DeviceCredentialsOptions;
  readonly #now: () => number;
  /** A process-local key: cached entries are useless outside this process. */
  readonly #cacheKey = randomBytes(32);
  /** keyed hash of (hardware id, secret) → the stored hash it was verified against. */
  readonly #verified = new Map<string, string>();
  readonly #enrollmentKey: Buffer | undefined;

  constructor(options: DeviceCredentialsOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#enrollmentKey = options.enrollmentKey === undefined || options.enrollmentKey === '' ? undefined : this.#mac('enrollment', options.enrollmentKey);
  }

  /** Whether an enrollment key is configured. */
  get enrollmentEnabled(): boolean {
    return this.#enrollmentKey !== undefined;
  }

  /** Issue a first secret; CREDENTIALS_EXIST when the device already holds one (rotate it instead). */
  async create(hardwareId: string): Promise<IssuedCredential> {
    assertId(hardwareId);
    const current = await this.#o.store.get(hardwareId);
    if (current?.state === 'active') {
      throw new HubError('CREDENTIALS_EXIST', `credentials create failed: ${hardwareId} already has credentials (rotate or revoke them)`, { hardware_id: hardwareId });
    }
    return this.#issue(hardwareId, current);
  }

  /** Replace the secret (the old one stops working at once); CREDENTIALS_NOT_FOUND when there is no record. */
  async rotate(hardwareId: string): Promise<IssuedCredential> {
    const current = await this.#o.store.get(hardwareId);
    if (current === undefined) {
      throw new HubError('CREDENTIALS_NOT_FOUND', `credentials rotate failed: no credentials for ${hardwareId}`, { hardware_id: hardwareId });
    }
    const issued = await this.#issue(hardwareId, current);
    this.#o.onChanged?.(hardwareId);
    return issued;
  }

  /** Refuse the device from now on, whatever it presents (its secret, the enrollment key, a certificate). */
  async revoke(hardwareId: string): Promise<CredentialSummary> {
    assertId(hardwareId);
    const current = await this.#o.store.get(hardwareId);
    const now = this.#now();
    const record: DeviceCredential = { hardwareId, state: 'revoked', hash: null, createdAt: current?.createdAt ?? now, updatedAt: now };
    await this.#o.store.put(record);
    this.#forget(hardwareId);
    this.#o.onChanged?.(hardwareId);
    return summary(record);
  }

  async list(): Promise<CredentialSummary[]> {
    return (await this.#o.store.list()).map(summary);
  }

  /** The record of a device (state only matters to callers: certificates check revocation with it). */
  get(hardwareId: string): Promise<DeviceCredential | undefined> {
    return this.#o.store.get(hardwareId);
  }

  /**
   * Check a CONNECT's username (the hardware id) and password. The enrollment key admits a hardware
   * id with no record (and pins it, state `enrolled`) or one already pinned by it; never a device
   * holding its own secret or a revoked one.
   */
  async check(username: string, password: string): Promise<PasswordCheck> {
    if (!isTopicSafeId(username)) return { ok: false, reason: 'bad_username' };
    const record = await this.#o.store.get(username);
    if (record?.state === 'revoked') return { ok: false, reason: 'revoked' };
    if (record?.state === 'active' && record.hash !== null) {
      const key = this.#mac(username, password).toString('base64');
      if (this.#verified.get(key) === record.hash) return { ok: true, via: 'credentials' };
      if (!(await verifySecret(password, record.hash))) return { ok: false, reason: 'bad_credentials' };
      this.#remember(key, record.hash);
      return { ok: true, via: 'credentials' };
    }
    if (this.#enrollmentKey === undefined) return { ok: false, reason: 'bad_credentials' };
    if (!timingSafeEqual(this.#mac('enrollment', password), this.#enrollmentKey)) return { ok: false, reason: 'bad_enrollment_key' };
    if (record === undefined) {
      const now = this.#now();
      await this.#o.store.put({ hardwareId: username, state: 'enrolled', hash: null, createdAt: now, updatedAt: now });
    }
    return { ok: true, via: 'enrollment' };
  }

  async #issue(hardwareId: string, current: DeviceCredential | undefined): Promise<IssuedCredential> {
    const password = generateSecret();
    const hash = await hashSecret(password, this.#o.iterations);
    const now = this.#now();
    await this.#o.store.put({ hardwareId, state: 'active', hash, createdAt: current?.createdAt ?? now, updatedAt: now });
    this.#forget(hardwareId);
    return { hardware_id: hardwareId, username: hardwareId, password };
  }

  #mac(label: string, secret: string): Buffer {
    return createHmac('sha256', this.#cacheKey).update(label).update('\u0000').update(secret).digest();
  }

  #remember(key: string, hash: string): void {
    if (this.#verified.size >= CACHE_LIMIT) {
      const oldest = this.#verified.keys().next().value;
      if (oldest !== undefined) this.#verified.delete(oldest);
    }
    this.#verified.set(key, hash);
  }

  /** Entries are bound to the stored hash, so a rotated secret never matches; dropping them all is simplest. */
  #forget(_hardwareId: string): void {
    this.#verified.clear();
  }
}

function assertId(hardwareId: string): void {
  if (!isTopicSafeId(hardwareId)) {
    throw new HubError('INVALID_PARAMS', `credentials failed: "${hardwareId}" cannot be a device identity (no /, +, #, leading $; 1-256 characters)`);
  }
}

function summary(record: DeviceCredential): CredentialSummary {
  return {
    hardware_id: record.hardwareId,
    state: record.state,
    created_at: new Date(record.createdAt).toISOString(),
    updated_at: new Date(record.updatedAt).toISOString(),
  };
}
