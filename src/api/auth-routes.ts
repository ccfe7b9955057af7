/**
 * POST /auth/login, POST /auth/logout, GET /auth/session: users' browser sessions (docs/security.md,
 * "Users and the browser"). Public routes (no credential needed to log in) that still check Host and
 * Origin, so a cross-site form cannot log a browser in or out (login CSRF).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CSRF_HEADER, sessionCookieOf, sessionSetCookie } from '../auth/session-cookie.ts';
import type { UserSessions } from '../auth/user-sessions.ts';
import type { RequestGuard } from '../auth/request-guard.ts';
import type { HttpRoute, RouteCaller } from './http-server.ts';

/** A login body is a name and a password: anything longer is not one. */
const MAX_LOGIN_BODY = 4096;

export function authRoutes(sessions: UserSessions, guard: RequestGuard): HttpRoute[] {
  const guarded =
    (handler: (req: IncomingMessage, res: ServerResponse, caller: RouteCaller) => Promise<void>) =>
    async (req: IncomingMessage, res: ServerResponse, caller: RouteCaller): Promise<void> => {
      const rejection = guard.rejection(req);
      if (rejection !== undefined) {
        req.resume();
        return send(res, 403, { error: 'forbidden', message: `Forbidden: ${rejection}` });
      }
      return handler(req, res, caller);
    };
  return [
    { method: 'POST', path: '/auth/login', access: 'public', handler: guarded((req, res, caller) => login(req, res, sessions, caller.client)) },
    {
      method: 'POST',
      path: '/auth/logout',
      access: 'public',
      handler: guarded(async (req, res) => {
        req.resume();
        const id = sessionCookieOf(req);
        const header = req.headers[CSRF_HEADER];
        if (id !== undefined && sessions.session(id) !== undefined) {
          if (!sessions.csrfMatches(id, Array.isArray(header) ? header[0] : header)) {
            return send(res, 403, { error: 'forbidden', message: 'Forbidden: logout needs the X-CSRF-Token header from GET /auth/session' });
          }
          sessions.logout(id);
        }
        res.setHeader('Set-Cookie', sessionSetCookie('', 0, isHttps(req)));
        send(res, 200, { logged_out: true });
      }),
    },
    {
      method: 'GET',
      path: '/auth/session',
      access: 'public',
      handler: guarded(async (req, res) => {
        const id = sessionCookieOf(req);
        const session = id === undefined ? undefined : sessions.session(id);
        if (id === undefined || session === undefined) return send(res, 401, { error: 'unauthenticated', message: 'no session: POST /auth/login' });
        let principal;
        try {
          principal = await sessions.authenticate(id, { fromCookie: true });
        } catch {
          return send(res, 401, { error: 'unauthenticated', message: 'no session: POST /auth/login' });
        }
        send(res, 200, { user: session.name, role: principal?.role ?? null, csrf_token: session.csrfToken, expires_at: new Date(sessions.expiresAt(session)).toISOString() });
      }),
    },
  ];
}

async function login(req: IncomingMessage, res: ServerResponse, sessions: UserSessions, client: string | undefined): Promise<void> {
  const credentials = await readLogin(req);
  if (typeof credentials === 'string') {
    if (!req.complete) {
      res.setHeader('Connection', 'close');
      res.once('finish', () => req.socket.destroySoon());
    }
    return send(res, 400, { error: 'invalid_request', message: credentials });
  }
  const outcome = await sessions.login(credentials.name, credentials.password, client ?? 'unknown');
  if (!outcome.ok) {
    if (outcome.throttled) {
      res.setHeader('Retry-After', String(Math.ceil(outcome.retryAfterMs / 1000)));
      return send(res, 429, { error: 'too_many_attempts', message: 'Too many failed logins: try again later' });
    }
    // One answer for an unknown name and a wrong password: the response names no valid user.
    return send(res, 401, { error: 'invalid_credentials', message: 'Wrong user name or password' });
  }
  const { session, role } = outcome;
  res.setHeader('Set-Cookie', sessionSetCookie(session.id, sessions.ttlMs, isHttps(req)));
  send(res, 200, { user: session.name, role, csrf_token: session.csrfToken, expires_at: new Date(sessions.expiresAt(session)).toISOString() });
}

/** `{name, password}` from a JSON or an HTML form body, or why the body is refused. */
async function readLogin(req: IncomingMessage): Promise<{ name: string; password: string } | string> {
  const type = (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase();
  const body = await new Promise<Buffer | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_LOGIN_BODY) return void chunks.push(chunk);
      // Stop reading: the caller answers and the connection closes rather than drain the rest.
      req.pause();
      resolve(undefined);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
  if (body === undefined) return `login body larger than ${MAX_LOGIN_BODY} bytes`;
  const text = body.toString('utf8');
  let name: unknown;
  let password: unknown;
  if (type === 'application/json') {
    try {
      ({ name, password } = JSON.parse(text) as { name?: unknown; password?: unknown });
    } catch {
      return 'login body is not JSON';
    }
  } else if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(text);
    name = form.get('name') ?? undefined;
    password = form.get('password') ?? undefined;
  } else return 'login needs Content-Type application/json or application/x-www-form-urlencoded';
  if (typeof name !== 'string' || typeof password !== 'string') return 'login needs "name" and "password" strings';
  return { name, password };
}

const isHttps = (req: IncomingMessage): boolean => (req.socket as { encrypted?: boolean }).encrypted === true;

function send(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}
