/**
 * Browser sessions of users: a login checks the password and opens a session with a random id (the
 * cookie) and a CSRF token (the synchronizer token pattern: the page reads it from /auth/session and
 * sends it back as `X-CSRF-Token`; a cross-site page can do neither). Sessions live in memory: a
 * restart logs everyone out, which is the safe direction. Each ends at its absolute lifetime or after
 * an idle time, at logout, or when its user is removed or disabled (checked on every request).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { scopesOf, type Principal, type Role } from '../core/principal.ts';
import type { UserRecord, UserStore } from '../core/ports/user-store.ts';
import { CredentialRefused, type Authenticator } from './authenticator.ts';
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle.ts';
import { checkPassword } from './users.ts';

/** Every session id starts with this, so authenticators of other credentials pass it on. */
export const SESSION_PREFIX = 'llmiotsess_';

export interface UserSession {
  readonly id: string;
  readonly csrfToken: string;
  readonly name: string;
  readonly createdAt: number;
  lastSeenAt: number;
}

export interface UserSessionsOptions {
  readonly users: UserStore;
  /** Absolute lifetime of a session; default 12 h. */
  readonly ttlMs?: number;
  /** A session unused this long ends; default 30 min. */
  readonly idleMs?: number;
  readonly throttle?: Omit<LoginThrottleOptions, 'now'>;
  /** Told of every failed or throttled login (the hub logs it, throttled per address). */
  readonly onFailure?: (event: { name: string; address: string; reason: 'bad_credentials' | 'throttled' }) => void;
  readonly now?: () => number;
}

/** A refused password check: wrong name or password, or throttled. */
export type PasswordRefused = { readonly ok: false; readonly throttled: false } | { readonly ok: false; readonly throttled: true; readonly retryAfterMs: number };

export type PasswordOutcome = { readonly ok: true; readonly user: UserRecord } | PasswordRefused;

export type LoginOutcome =
  | { readonly ok: true; readonly session: UserSession; readonly role: Role }
  | { readonly ok: false; readonly throttled: false }
  | { readonly ok: false; readonly throttled: true; readonly retryAfterMs: number };

/** Most sessions at once; the oldest is ended first. */
const MAX_SESSIONS = 10_000;
/**
 * Most password checks running at once (each holds a libuv thread for ~0.1-0.3 s). Beyond it a login
 * is refused as throttled at once: a burst of parallel guesses can neither starve the thread pool
 * (file and DNS work share it) nor slip past the failure counts before the first failures land.
 */
const MAX_CONCURRENT_CHECKS = 2;

export class UserSessions implements Authenticator {
  readonly #users: UserStore;
  readonly #ttl: number;
  readonly #idle: number;
  readonly #now: () => number;
  readonly #throttle: LoginThrottle;
  readonly #onFailure: UserSessionsOptions['onFailure'];
  readonly #sessions = new Map<string, UserSession>();
  #failed = 0;
  #throttled = 0;
  #checking = 0;

  constructor(options: UserSessionsOptions) {
    this.#users = options.users;
    this.#ttl = options.ttlMs ?? 12 * 3_600_000;
    this.#idle = options.idleMs ?? 30 * 60_000;
    this.#now = options.now ?? Date.now;
    this.#throttle = new LoginThrottle({ ...options.throttle, now: this.#now });
    this.#onFailure = options.onFailure;
  }

  /** Absolute lifetime in ms (the cookie's Max-Age). */
  get ttlMs(): number {
    return this.#ttl;
  }

  /** Failed logins so far: wrong name or password, and refused by the throttle. */
  get failedLogins(): { readonly badCredentials: number; readonly throttled: number } {
    return { badCredentials: this.#failed, throttled: this.#throttled };
  }

  /**
   * Check a user's password under the login throttle, without opening a session: the browser login
   * and the built-in authorization server's login page share one failure count per name and address.
   */
  async checkPassword(name: string, password: string, address: string): Promise<PasswordOutcome> {
    const retryAfterMs = this.#throttle.retryAfterMs(name, address);
    if (retryAfterMs > 0) {
      this.#throttled++;
      this.#onFailure?.({ name, address, reason: 'throttled' });
      return { ok: false, throttled: true, retryAfterMs };
    }
    if (this.#checking >= MAX_CONCURRENT_CHECKS) {
      this.#throttled++;
      this.#onFailure?.({ name, address, reason: 'throttled' });
      return { ok: false, throttled: true, retryAfterMs: 1000 };
    }
    this.#checking++;
    let user;
    try {
      user = await checkPassword(this.#users, name, password);
    } finally {
      this.#checking--;
    }
    if (user === undefined) {
      this.#failed++;
      this.#throttle.failed(name, address);
      this.#onFailure?.({ name, address, reason: 'bad_credentials' });
      return { ok: false, throttled: false };
    }
    this.#throttle.succeeded(name);
    return { ok: true, user };
  }

  /** Check the password and open a session. */
  async login(name: string, password: string, address: string): Promise<LoginOutcome> {
    const checked = await this.checkPassword(name, password, address);
    if (!checked.ok) return checked;
    const now = this.#now();
    const session: UserSession = {
      id: `${SESSION_PREFIX}${randomBytes(32).toString('base64url')}`,
      csrfToken: randomBytes(32).toString('base64url'),
      name: checked.user.name,
      createdAt: now,
      lastSeenAt: now,
    };
    if (this.#sessions.size >= MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value as string);
    this.#sessions.set(session.id, session);
    return { ok: true, session, role: checked.user.role };
  }

  /** The live session of `id` (touching it), or undefined when unknown, expired or idle too long. */
  session(id: string): UserSession | undefined {
    const session = this.#sessions.get(id);
    if (session === undefined) return undefined;
    const now = this.#now();
    if (now - session.createdAt >= this.#ttl || now - session.lastSeenAt >= this.#idle) {
      this.#sessions.delete(id);
      return undefined;
    }
    session.lastSeenAt = now;
    return session;
  }

  /** When the session ends at the latest (absolute lifetime), in ms since epoch. */
  expiresAt(session: UserSession): number {
    return session.createdAt + this.#ttl;
  }

  logout(id: string): boolean {
    return this.#sessions.delete(id);
  }

  /** True when `header` is the CSRF token of the live session `id` (constant-time comparison). */
  csrfMatches(id: string, header: string | undefined): boolean {
    const session = this.session(id);
    if (session === undefined || header === undefined) return false;
    const expected = Buffer.from(session.csrfToken);
    const given = Buffer.from(header);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  /** A session id as a credential: the user's principal with the role the store holds now. */
  async authenticate(credential: string): Promise<Principal | undefined> {
    if (!credential.startsWith(SESSION_PREFIX)) return undefined;
    const session = this.session(credential);
    if (session === undefined) throw new CredentialRefused('session expired or logged out');
    const user = await this.#users.userByName(session.name);
    if (user === undefined || user.disabledAt !== null) {
      this.#sessions.delete(credential);
      throw new CredentialRefused(`user ${session.name} was removed or disabled`);
    }
    return { id: `user:${user.name}`, kind: 'user', role: user.role, scopes: scopesOf(user.role), name: user.name };
  }
}
