/**
 * Who is calling, for every API transport. Auth is on when the store holds a credential (a token
 * not revoked) or when `--auth required`; once on, it stays on until the hub restarts. With auth
 * off, a caller on loopback (or anyone, under `--insecure`) is the local admin; with auth on, every
 * caller needs a credential (docs/security.md).
 */
import { LOCAL_ADMIN, type Principal } from '../core/principal.ts';
import type { TokenStore } from '../core/ports/token-store.ts';
import { isLoopbackAddress } from './host-names.ts';
import { CredentialRefused, type Authenticator, type CredentialContext } from './authenticator.ts';

export const AUTH_MODES = ['auto', 'required'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface AuthGateOptions {
  readonly authenticators: readonly Authenticator[];
  readonly credentials: Pick<TokenStore, 'hasCredentials'>;
  readonly mode: AuthMode;
  /** --insecure: with auth off, remote callers are the local admin too. */
  readonly insecure: boolean;
}

export type AuthOutcome = { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly reason: string; readonly invalidToken: boolean };

export class AuthGate {
  readonly #o: AuthGateOptions;
  #on: boolean;
  #closed = false;

  constructor(options: AuthGateOptions) {
    this.#o = options;
    this.#on = options.mode === 'required';
  }

  /** True when callers need credentials. Read from the store until it is true (a token created by the CLI while the hub runs turns it on). */
  async active(): Promise<boolean> {
    if (!this.#on && !this.#closed && (await this.#o.credentials.hasCredentials())) this.#on = true;
    return this.#on;
  }

  /** The hub is closing (its store with it): from now on the last known state answers. */
  close(): void {
    this.#closed = true;
  }

  /** The caller's principal from its bearer credential (if any), the address it came from and the origin it called. */
  async authenticate(bearer: string | undefined, remoteAddress: string | undefined, context: CredentialContext = {}): Promise<AuthOutcome> {
    if (bearer !== undefined) {
      try {
        for (const authenticator of this.#o.authenticators) {
          const principal = await authenticator.authenticate(bearer, context);
          if (principal !== undefined) return { ok: true, principal };
        }
      } catch (error) {
        if (error instanceof CredentialRefused) return { ok: false, reason: error.message, invalidToken: true };
        throw error;
      }
      return { ok: false, reason: 'unknown credential', invalidToken: true };
    }
    if (await this.active()) return { ok: false, reason: 'credentials required', invalidToken: false };
    if (this.#o.insecure || isLoopbackAddress(remoteAddress)) return { ok: true, principal: LOCAL_ADMIN };
    return { ok: false, reason: 'credentials required: the hub has none configured and only loopback callers are trusted', invalidToken: false };
  }
}
