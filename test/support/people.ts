/**
 * Callers of a test hub as the trust tests need them: a person logged in from a browser (session
 * cookie and CSRF token) and API tokens of a role, each with its own /rpc.
 */
import { createApiToken } from '../../src/auth/api-tokens.ts';
import { addUser } from '../../src/auth/users.ts';
import type { Role } from '../../src/core/principal.ts';
import type { TestHub } from './test-hub.ts';

/** Tests only: a cheap hash so logins take microseconds. */
const FAST = { iterations: 1000 };
const PASSWORD = 'correct horse battery staple';

export interface RpcAnswer {
  result?: any;
  error?: { code: number; message: string; data?: any };
}

export interface Caller {
  /** The principal id the hub sees (`user:olive`, `token:…`). */
  readonly principal: string;
  /** The headers that authenticate it (cookie + CSRF token, or bearer). */
  readonly headers: Record<string, string>;
  rpc(method: string, params?: unknown): Promise<RpcAnswer>;
}

function caller(t: TestHub, principal: string, headers: Record<string, string>): Caller {
  let id = 0;
  return {
    principal,
    headers,
    async rpc(method, params = {}) {
      const response = await fetch(`${t.httpUrl}/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
      });
      return (await response.json()) as RpcAnswer;
    },
  };
}

/** Add a user of `role` and log them in as a browser does: their /rpc carries the session cookie and the CSRF token. */
export async function person(t: TestHub, name: string, role: Role): Promise<Caller> {
  await addUser(t.hub.stores.users, { name, role, password: PASSWORD, ...FAST });
  const login = await fetch(`${t.httpUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password: PASSWORD }) });
  if (login.status !== 200) throw new Error(`login of ${name} failed: ${login.status}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';', 1)[0] ?? '';
  const { csrf_token } = (await login.json()) as { csrf_token: string };
  return caller(t, `user:${name}`, { cookie, 'x-csrf-token': csrf_token });
}

/** An API token of `role` (an MCP client, a script): its /rpc carries it as a bearer. */
export async function tokenCaller(t: TestHub, role: Role): Promise<Caller> {
  const created = await createApiToken(t.hub.stores.tokens, { role });
  return caller(t, `token:${created.id}`, { authorization: `Bearer ${created.token}` });
}

/**
 * Decide an approval as a person would, in process (a browser session's principal over HTTP), for
 * tests about the LLM side; test/tools/approvals.test.ts covers the same over /rpc with a cookie.
 */
export async function decideAsPerson(t: TestHub, id: string, decision: 'approve' | 'decline' = 'approve', role: Role = 'admin') {
  return t.hub.tools.approvals.decide(id, decision, undefined, { transport: 'http', principal: { id: 'user:pat', kind: 'user', role } });
}
