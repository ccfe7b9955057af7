/**
 * Users and the browser as a browser sees them: login right and wrong, the cookie's flags, /rpc with
 * the cookie with and without the CSRF token, a viewer's role, logout, the failed-login throttle, the
 * WebSocket upgrade with the cookie, a user turning auth on; and `llm-iot user` on a data dir.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { createApiToken } from '../../src/auth/api-tokens.ts';
import { UserSessions } from '../../src/auth/user-sessions.ts';
import { addUser } from '../../src/auth/users.ts';
import { MemoryUserStore } from '../../src/storage/memory/memory-user-store.ts';
import { TEST_CERT, TEST_KEY } from '../fixtures/test-certificate.ts';
import { cliCommand } from '../support/cli-command.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

/** Tests only: a cheap hash so logins take microseconds (the hub and the CLI use 210 000 rounds). */
const FAST = { iterations: 1000 };
const PASSWORD = 'correct horse battery staple';

let now = Date.parse('2026-01-01T00:00:00Z');
let t: TestHub;
before(async () => {
  t = await startTestHub({ sessionIdleMinutes: 30, sessionTtlMinutes: 600 }, undefined, { now: () => now });
});
after(() => t.close());

const login = (name: string, password: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${t.httpUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name, password }) });
const rpc = (method: string, headers: Record<string, string>, params: unknown = {}): Promise<Response> =>
  fetch(`${t.httpUrl}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
const adminToken = async (): Promise<string> => (await createApiToken(t.hub.stores.tokens, { role: 'admin' })).token;
const cookieOf = (res: Response): string => (res.headers.get('set-cookie') ?? '').split(';', 1)[0] ?? '';

function upgrade(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${t.httpUrl.replace(/^http/, 'ws')}/ws`, { headers });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.close();
    });
    ws.once('error', () => undefined);
  });
}

describe('users and the browser', () => {
  it('a user turns auth on; a right password logs in with an HttpOnly SameSite=Strict cookie, a wrong one does not', async () => {
    assert.equal(await t.hub.auth.active(), false);
    await addUser(t.hub.stores.users, { name: 'olive', role: 'operator', password: PASSWORD, ...FAST });
    assert.equal(await t.hub.auth.active(), true);
    assert.equal((await rpc('device.list', {})).status, 401, 'loopback is no longer the local admin');

    const wrong = await login('olive', 'not the password at all');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
    const unknown = await login('nobody', PASSWORD);
    assert.equal(unknown.status, 401);
    assert.deepEqual(await unknown.json(), await (await login('olive', 'still not the password')).json(), 'an unknown name reads like a wrong password');

    const ok = await login('olive', PASSWORD);
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { user: string; role: string; csrf_token: string };
    assert.equal(body.user, 'olive');
    assert.equal(body.role, 'operator');
    const setCookie = ok.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^llmiot_session=llmiotsess_[A-Za-z0-9_-]{43}; /);
    assert.match(setCookie, /; HttpOnly/);
    assert.match(setCookie, /; SameSite=Strict/);
    assert.match(setCookie, /; Path=\//);
    assert.match(setCookie, /; Max-Age=36000/);
    assert.doesNotMatch(setCookie, /Secure/, 'plain HTTP: a Secure cookie would never come back');

    // Form logins work too (an HTML <form> without scripts).
    const form = await fetch(`${t.httpUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ name: 'olive', password: PASSWORD }) });
    assert.equal(form.status, 200);
    const huge = await fetch(`${t.httpUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'olive', password: 'x'.repeat(10_000) }) });
    assert.equal(huge.status, 400);
    assert.match(((await huge.json()) as { message: string }).message, /larger than 4096 bytes/);
    // A cross-site form may not log a browser in (login CSRF).
    assert.equal((await login('olive', PASSWORD, { origin: 'http://evil.example' })).status, 403);
  });

  it('GET /auth/session names the user and gives the CSRF token; cookie POSTs need it, bearer-less reads do not', async () => {
    const cookie = cookieOf(await login('olive', PASSWORD));
    const session = await fetch(`${t.httpUrl}/auth/session`, { headers: { cookie } });
    assert.equal(session.status, 200);
    const { user, role, csrf_token } = (await session.json()) as { user: string; role: string; csrf_token: string };
    assert.deepEqual([user, role], ['olive', 'operator']);
    assert.equal((await fetch(`${t.httpUrl}/auth/session`)).status, 401);

    const without = await rpc('device.list', { cookie });
    assert.equal(without.status, 403);
    const refusal = ((await without.json()) as { error: { code: number; message: string } }).error;
    assert.equal(refusal.code, -32600);
    assert.match(refusal.message, /X-CSRF-Token/);
    assert.equal((await rpc('device.list', { cookie, 'x-csrf-token': 'forged' })).status, 403);
    const withToken = await rpc('device.list', { cookie, 'x-csrf-token': csrf_token });
    assert.equal(withToken.status, 200);
    assert.ok(((await withToken.json()) as { result?: unknown }).result);
    // A read over GET needs no CSRF token: /metrics with the cookie alone.
    assert.equal((await fetch(`${t.httpUrl}/metrics`, { headers: { cookie } })).status, 200);
  });

  it('a viewer user reads but may not write (FORBIDDEN)', async () => {
    await addUser(t.hub.stores.users, { name: 'vera', role: 'viewer', password: PASSWORD, ...FAST });
    const res = await login('vera', PASSWORD);
    const cookie = cookieOf(res);
    const { csrf_token } = (await res.json()) as { csrf_token: string };
    const headers = { cookie, 'x-csrf-token': csrf_token };
    assert.ok(((await (await rpc('device.list', headers)).json()) as { result?: unknown }).result);
    const write = (await (await rpc('device.update', headers, { device_id: 'd1', name: 'x' })).json()) as { error?: { code: number; data?: { required_role?: string } } };
    assert.equal(write.error?.code, -32031);
    assert.equal(write.error?.data?.required_role, 'operator');
  });

  it('logout ends the session: the cookie no longer authenticates', async () => {
    const res = await login('olive', PASSWORD);
    const cookie = cookieOf(res);
    const { csrf_token } = (await res.json()) as { csrf_token: string };
    assert.equal((await fetch(`${t.httpUrl}/auth/logout`, { method: 'POST', headers: { cookie } })).status, 403, 'logout needs the CSRF token too');
    const out = await fetch(`${t.httpUrl}/auth/logout`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf_token } });
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie') ?? '', /llmiot_session=; Path=\/; Max-Age=0/);
    assert.equal((await rpc('device.list', { cookie, 'x-csrf-token': csrf_token })).status, 401);
    assert.equal((await fetch(`${t.httpUrl}/auth/session`, { headers: { cookie } })).status, 401);
  });

  it('sessions end after the idle timeout, and when the user is removed', async () => {
    const res = await login('olive', PASSWORD);
    const cookie = cookieOf(res);
    const { csrf_token } = (await res.json()) as { csrf_token: string };
    const headers = { cookie, 'x-csrf-token': csrf_token };
    now += 29 * 60_000;
    assert.equal((await rpc('device.list', headers)).status, 200, 'used within the idle time: still on');
    now += 30 * 60_000;
    assert.equal((await rpc('device.list', headers)).status, 401, 'idle 30 minutes: ended');

    await addUser(t.hub.stores.users, { name: 'gone', role: 'admin', password: PASSWORD, ...FAST });
    const g = await login('gone', PASSWORD);
    const gHeaders = { cookie: cookieOf(g), 'x-csrf-token': ((await g.json()) as { csrf_token: string }).csrf_token };
    assert.equal((await rpc('device.list', gHeaders)).status, 200);
    await t.hub.stores.users.removeUser('gone');
    assert.equal((await rpc('device.list', gHeaders)).status, 401);
  });

  it('the WebSocket upgrade accepts the session cookie from the hub\'s own origin only', async () => {
    const cookie = cookieOf(await login('olive', PASSWORD));
    assert.equal(await upgrade({}), 401);
    assert.equal(await upgrade({ cookie }), 101);
    assert.equal(await upgrade({ cookie, origin: t.httpUrl }), 101);
    assert.equal(await upgrade({ cookie, origin: 'http://evil.example' }), 403, 'cross-site WebSocket hijacking with the cookie');
  });

  it('a session id is a credential only in the cookie: as a bearer token or a WebSocket subprotocol it is refused', async () => {
    const cookie = cookieOf(await login('olive', PASSWORD));
    const id = cookie.slice(cookie.indexOf('=') + 1);
    const res = await rpc('device.list', { authorization: `Bearer ${id}` });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /invalid_token/);
    assert.equal(await upgrade({ authorization: `Bearer ${id}` }), 401);
    assert.equal(await upgrade({ 'sec-websocket-protocol': `bearer.${id}` }), 401);
  });

  it('throttles failed logins per name and per address, even for the right password, and says when to retry', async () => {
    await addUser(t.hub.stores.users, { name: 'tess', role: 'viewer', password: PASSWORD, ...FAST });
    for (let i = 0; i < 5; i++) assert.equal((await login('tess', `wrong password ${i}`)).status, 401);
    const throttled = await login('tess', PASSWORD);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('retry-after'), '900');
    // The same address trying another name is throttled too (5 failures from 127.0.0.1 already).
    assert.equal((await login('vera', PASSWORD)).status, 429);
    const metrics = await (await fetch(`${t.httpUrl}/metrics`, { headers: { authorization: `Bearer ${await adminToken()}` } })).text();
    assert.match(metrics, /llmiot_login_failures_total\{reason="throttled"\} 2/);
    now += 15 * 60_000;
    assert.equal((await login('tess', PASSWORD)).status, 200, 'the window has passed');
  });
});

describe('parallel logins', () => {
  it('run at most two password checks at once; the others are refused at once, as throttled', async () => {
    const users = new MemoryUserStore();
    await addUser(users, { name: 'pat', role: 'viewer', password: PASSWORD, ...FAST });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // A store that answers only when told: the first checks stay in flight.
    const slow = Object.assign(Object.create(users) as MemoryUserStore, { userByName: async (name: string) => (await gate, users.userByName(name)) });
    const sessions = new UserSessions({ users: slow });
    const first = sessions.login('pat', 'guess one is wrong', '10.0.0.1');
    const second = sessions.login('pat', 'guess two is wrong', '10.0.0.2');
    const third = await sessions.login('pat', PASSWORD, '10.0.0.3');
    assert.deepEqual(third, { ok: false, throttled: true, retryAfterMs: 1000 });
    release();
    assert.equal((await first).ok, false);
    assert.equal((await second).ok, false);
    assert.equal((await sessions.login('pat', PASSWORD, '10.0.0.3')).ok, true, 'checks done: logins run again');
    assert.deepEqual(sessions.failedLogins, { badCredentials: 2, throttled: 1 });
  });
});

describe('the session cookie over HTTPS', () => {
  it('is Secure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmiot-users-tls-'));
    writeFileSync(join(dir, 'cert.pem'), TEST_CERT);
    writeFileSync(join(dir, 'key.pem'), TEST_KEY);
    const hub = await startTestHub({ tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') });
    try {
      await addUser(hub.hub.stores.users, { name: 'sam', role: 'viewer', password: PASSWORD, ...FAST });
      const setCookie = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(`${hub.httpUrl}/auth/login`, { method: 'POST', ca: TEST_CERT, headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          resolve(String(res.headers['set-cookie'] ?? ''));
        });
        req.once('error', reject);
        req.end(JSON.stringify({ name: 'sam', password: PASSWORD }));
      });
      assert.match(setCookie, /^llmiot_session=llmiotsess_.*; HttpOnly; SameSite=Strict; Secure$/);
    } finally {
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('llm-iot user', () => {
  const root = mkdtempSync(join(tmpdir(), 'llmiot-users-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  function cli(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [...cliCommand(), 'user', ...args, '--data-dir', root], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin ?? '');
    });
  }

  it('adds (password generated once, or from stdin), lists without hashes, changes a password and removes', async () => {
    const generated = await cli(['add', 'ada', '--role', 'admin']);
    assert.equal(generated.code, 0, generated.stderr);
    const ada = JSON.parse(generated.stdout) as { name: string; role: string; password: string };
    assert.deepEqual([ada.name, ada.role], ['ada', 'admin']);
    assert.match(ada.password, /^[A-Za-z0-9_-]{43}$/);

    const piped = await cli(['add', 'bob', '--role', 'viewer', '--password-stdin'], `${PASSWORD}\n`);
    assert.equal(piped.code, 0, piped.stderr);
    assert.deepEqual(JSON.parse(piped.stdout), { name: 'bob', role: 'viewer' });
    const short = await cli(['add', 'cy', '--role', 'viewer', '--password-stdin'], 'short\n');
    assert.equal(short.code, 1);
    assert.match(short.stderr, /at least 12 characters/);

    const list = await cli(['list']);
    const rows = JSON.parse(list.stdout) as { name: string; role: string }[];
    assert.deepEqual(rows.map((r) => [r.name, r.role]), [['ada', 'admin'], ['bob', 'viewer']]);
    assert.doesNotMatch(list.stdout, /\$7\$|password/);

    assert.equal((await cli(['passwd', 'bob', '--password-stdin'], 'a brand new passphrase\n')).code, 0);
    assert.equal((await cli(['remove', 'bob'])).code, 0);
    assert.equal((await cli(['remove', 'bob'])).code, 1, 'already removed');

    // The hub on that data dir: auth is on, and ada logs in with the printed password.
    const hub = await startTestHub({}, root);
    try {
      assert.equal(await hub.hub.auth.active(), true);
      const res = await fetch(`${hub.httpUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ada', password: ada.password }) });
      assert.equal(res.status, 200);
    } finally {
      await hub.close();
    }
  });
});
