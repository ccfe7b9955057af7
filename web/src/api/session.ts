// Who is using the dashboard: a logged-in user (session cookie), or the hub's local admin when the hub runs without API credentials on loopback.
import { RpcCallError, rpc, setCsrfToken, csrfHeaders } from './rpc-client.ts';
import type { Role } from './types.ts';

export interface Session {
  readonly user: string;
  readonly role: Role;
  /** true: no login (a hub without users or tokens, called on loopback: the caller is its admin). */
  readonly local: boolean;
  readonly expiresAt?: string;
}

interface SessionBody {
  readonly user: string;
  readonly role: Role | null;
  readonly csrf_token: string;
  readonly expires_at: string;
}

const fromBody = (body: SessionBody): Session => {
  setCsrfToken(body.csrf_token);
  return { user: body.user, role: body.role ?? 'viewer', local: false, expiresAt: body.expires_at };
};

/** The current session, or undefined when the hub wants a login. */
export async function loadSession(): Promise<Session | undefined> {
  const response = await fetch('/auth/session', { credentials: 'same-origin', cache: 'no-store' });
  if (response.ok) return fromBody((await response.json()) as SessionBody);
  setCsrfToken(undefined);
  // No session: a hub without credentials admits loopback callers as its admin (docs/security.md).
  try {
    await rpc('device.summary');
    return { user: 'local', role: 'admin', local: true };
  } catch (error) {
    if (error instanceof RpcCallError && (error.httpStatus === 401 || error.httpStatus === 403)) return undefined;
    throw error;
  }
}

/** POST /auth/login; resolves the session or rejects with the hub's message. */
export async function login(name: string, password: string): Promise<Session> {
  const response = await fetch('/auth/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  const body = (await response.json().catch(() => ({}))) as Partial<SessionBody> & { message?: string };
  if (!response.ok) throw new Error(body.message ?? `login failed (HTTP ${response.status})`);
  return fromBody(body as SessionBody);
}

export async function logout(): Promise<void> {
  await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin', headers: csrfHeaders() });
  setCsrfToken(undefined);
}
