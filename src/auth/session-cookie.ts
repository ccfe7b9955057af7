/**
 * The session cookie (RFC 6265bis): HttpOnly (page scripts never see it), SameSite=Strict (a browser
 * sends it on no cross-site request at all, top-level navigations included: the hub serves an API,
 * not pages people arrive at from links, so Lax would only widen what a cross-site page can trigger),
 * Path=/, Secure whenever the hub serves HTTPS.
 */
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'llmiot_session';
/** The header a cookie-authenticated state-changing request must carry (the session's CSRF token). */
export const CSRF_HEADER = 'x-csrf-token';

/** The value of our session cookie in the request, if any. */
export function sessionCookieOf(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** `Set-Cookie` for a new session (`maxAgeMs`) or, with 0, one that deletes the cookie. */
export function sessionSetCookie(value: string, maxAgeMs: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${Math.floor(maxAgeMs / 1000)}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Methods that change nothing (RFC 9110 §9.2.1) and so need no CSRF token. */
export const isSafeMethod = (method: string | undefined): boolean => method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
