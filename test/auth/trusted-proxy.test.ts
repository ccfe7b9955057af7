/**
 * --trusted-proxy: X-Forwarded-For names the client only when the TCP peer is a trusted proxy, read
 * from the right past trusted hops (nginx real_ip_recursive). A forged header from anyone else
 * changes nothing; behind a trusted proxy two clients are throttled apart, and the audit log and the
 * loopback-admin rule see the client, not the proxy.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createApiToken } from '../../src/auth/api-tokens.ts';
import { addressBlock } from '../../src/auth/address-block.ts';
import { TrustedProxies } from '../../src/auth/trusted-proxies.ts';
import { addUser } from '../../src/auth/users.ts';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Browser, MemoryOAuthClient, type Stop } from '../support/oauth-browser.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

/** Tests only: a cheap hash (the hub uses 210 000 rounds). */
const FAST = { iterations: 1000 };
const PASSWORD = 'correct horse battery staple';

const request = (peer: string, forwarded?: string | string[]): IncomingMessage =>
  ({ socket: { remoteAddress: peer }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;

describe('TrustedProxies', () => {
  it('ignores X-Forwarded-For from a peer it does not trust, and with no proxy configured', () => {
    assert.equal(new TrustedProxies(['10.0.0.0/8']).clientAddress(request('198.51.100.7', '203.0.113.9')), '198.51.100.7');
    assert.equal(new TrustedProxies().clientAddress(request('198.51.100.7', '127.0.0.1')), '198.51.100.7', 'a forged loopback entry');
    assert.equal(new TrustedProxies().clientAddress(request('127.0.0.1')), '127.0.0.1', 'a local caller');
  });

  it('does not know the client of a loopback peer that forwards without being trusted: a proxy on this machine nobody named', () => {
    // Else every client of that proxy would be the loopback admin of a hub with auth off.
    assert.equal(new TrustedProxies().clientAddress(request('127.0.0.1', '203.0.113.9')), undefined);
    assert.equal(new TrustedProxies(['10.0.0.0/8']).clientAddress(request('::ffff:127.0.0.1', '203.0.113.9')), undefined);
    const viaHeader = (name: string): IncomingMessage => ({ socket: { remoteAddress: '::1' }, headers: { [name]: 'for=203.0.113.9' } }) as unknown as IncomingMessage;
    assert.equal(new TrustedProxies().clientAddress(viaHeader('forwarded')), undefined);
    assert.equal(new TrustedProxies().clientAddress(viaHeader('x-real-ip')), undefined);
  });

  it('never falls back to a loopback proxy for a forwarded entry it cannot read, and reads one with a port', () => {
    const proxies = new TrustedProxies(['127.0.0.1']);
    // nginx would keep the proxy's address here: 127.0.0.1, the local admin of a hub with auth off.
    for (const unreadable of ['unknown', '_hidden', 'client.example', '[198.51.100.7]', '198.51.100.7:port', '999.1.1.1']) {
      assert.equal(proxies.clientAddress(request('127.0.0.1', unreadable)), undefined, unreadable);
    }
    assert.equal(proxies.clientAddress(request('127.0.0.1', '198.51.100.7:4711')), '198.51.100.7', 'IPv4 with a port');
    assert.equal(proxies.clientAddress(request('127.0.0.1', '[2001:DB8::1]:4711')), '2001:db8::1', 'IPv6 with a port');
    assert.equal(proxies.clientAddress(request('127.0.0.1', '[2001:db8::1]')), '2001:db8::1', 'bracketed IPv6');
    assert.equal(proxies.clientAddress(request('127.0.0.1', '::FFFF:198.51.100.7')), '198.51.100.7', 'IPv4-mapped: one throttle key');
    assert.equal(proxies.clientAddress(request('127.0.0.1', ' , 198.51.100.7 ,')), '198.51.100.7', 'empty list elements are ignored');
    assert.equal(proxies.clientAddress(request('127.0.0.1', '')), '127.0.0.1', 'an empty header: the proxy host itself');
  });

  it('takes a loopback address forwarded by a proxy on another machine as that machine, not this one', () => {
    const proxies = new TrustedProxies(['127.0.0.1', '10.0.0.0/8']);
    // A client on 10.1.2.3 (inside the trusted range) claims to be 127.0.0.1; the inner proxy appends 10.1.2.3.
    for (const claim of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1', '127.9.9.9:80']) {
      assert.equal(proxies.clientAddress(request('127.0.0.1', `${claim}, 10.1.2.3`)), '10.1.2.3', claim);
    }
    // The loopback proxy reporting a local client, and a local client of a proxy chain on this machine, are local.
    assert.equal(proxies.clientAddress(request('127.0.0.1', '127.0.0.1')), '127.0.0.1');
    assert.equal(new TrustedProxies(['127.0.0.1', '::1']).clientAddress(request('127.0.0.1', '127.0.0.1, ::1')), '127.0.0.1');
  });

  it('takes the right-most address that is not a trusted proxy, as nginx real_ip_recursive does', () => {
    const proxies = new TrustedProxies(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
    // The client forged the first entry; the trusted edge proxy appended what it saw (198.51.100.7), an inner one 10.1.2.3.
    assert.equal(proxies.clientAddress(request('127.0.0.1', '1.2.3.4, 198.51.100.7, 10.1.2.3')), '198.51.100.7');
    assert.equal(proxies.clientAddress(request('::ffff:127.0.0.1', '198.51.100.7')), '198.51.100.7', 'an IPv4-mapped peer');
    assert.equal(proxies.clientAddress(request('fd00::5', ['1.2.3.4', '2001:db8::1'])), '2001:db8::1', 'repeated headers, IPv6');
    assert.equal(proxies.clientAddress(request('127.0.0.1', '10.0.0.9, 10.0.0.8')), '10.0.0.9', 'every hop trusted: the left-most');
    assert.equal(proxies.clientAddress(request('127.0.0.1', 'unknown, 10.0.0.8')), undefined, 'an entry that is no address: the client is unknown');
    assert.equal(proxies.clientAddress(request('127.0.0.1')), '127.0.0.1', 'no header: the proxy itself');
  });

  it('refuses an entry that is neither an address nor a CIDR, naming it', () => {
    for (const bad of ['proxy.example', '10.0.0.0/33', '10.0.0.0/8/1', 'fd00::/129', '10.0.0.0/x']) {
      assert.throws(() => new TrustedProxies([bad]), new RegExp(`--trusted-proxy: "${bad.replace(/[./]/g, '\\$&')}" is not an IP address or CIDR`));
    }
  });
});

/** A hub with one user (auth on), optionally behind a trusted proxy on loopback. */
async function hubWithUser(trustedProxy?: string): Promise<TestHub> {
  const t = await startTestHub(trustedProxy === undefined ? {} : { trustedProxy });
  await addUser(t.hub.stores.users, { name: 'olive', role: 'operator', password: PASSWORD, ...FAST });
  return t;
}

const login = (t: TestHub, name: string, password: string, forwardedFor: string): Promise<number> =>
  fetch(`${t.httpUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ name, password }),
  }).then(async (res) => {
    await res.body?.cancel();
    return res.status;
  });

/** Five failures from `forwardedFor`, each for another name (so only the per-address count reaches 5). */
async function fiveFailures(t: TestHub, forwardedFor: string, prefix: string): Promise<void> {
  for (let i = 0; i < 5; i++) assert.equal(await login(t, `${prefix}${i}`, 'wrong', forwardedFor), 401);
}

describe('addressBlock', () => {
  it('is the address for IPv4 and IPv4-mapped IPv6, the /64 for IPv6 in any spelling', () => {
    assert.equal(addressBlock('198.51.100.7'), '198.51.100.7');
    assert.equal(addressBlock('::ffff:198.51.100.7'), '198.51.100.7');
    assert.equal(addressBlock('::FFFF:c633:6407'), '198.51.100.7');
    assert.equal(addressBlock('2001:db8:7:1::1'), '2001:db8:7:1::/64');
    assert.equal(addressBlock('2001:0DB8:0007:0001:ffff:ffff:ffff:ffff'), '2001:db8:7:1::/64');
    assert.equal(addressBlock('2001:db8::'), '2001:db8:0:0::/64');
    assert.equal(addressBlock('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressBlock('::1'), '0:0:0:0::/64');
    assert.equal(addressBlock('64:ff9b::198.51.100.7'), '64:ff9b:0:0::/64');
    assert.equal(addressBlock('unknown'), 'unknown');
  });
});

describe('the client address of a hub', () => {
  let direct: TestHub;
  let proxied: TestHub;
  before(async () => {
    direct = await hubWithUser();
    proxied = await hubWithUser('127.0.0.1');
  });
  after(async () => {
    await direct?.close();
    await proxied?.close();
  });

  it('without --trusted-proxy a forged X-Forwarded-For changes nothing: the peer is throttled whatever it claims', async () => {
    for (let i = 0; i < 5; i++) assert.equal(await login(direct, `mallory${i}`, 'wrong', `203.0.113.${i + 1}`), 401);
    assert.equal(await login(direct, 'olive', PASSWORD, '203.0.113.99'), 429, 'a fresh forged address does not escape the throttle');
  });

  it('behind a trusted proxy, two clients are throttled apart', async () => {
    await fiveFailures(proxied, '198.51.100.1', 'guess');
    assert.equal(await login(proxied, 'olive', PASSWORD, '198.51.100.1'), 429, 'the client that failed five times');
    assert.equal(await login(proxied, 'olive', PASSWORD, '198.51.100.2'), 200, 'another client behind the same proxy logs in');
    // The edge proxy appends the peer it saw: a forged left-most entry does not make a throttled client someone else.
    assert.equal(await login(proxied, 'olive', PASSWORD, '198.51.100.2, 198.51.100.1'), 429);
  });

  it('behind a trusted proxy, an IPv6 client is throttled by its /64: rotating the interface id does not escape', async () => {
    for (let i = 0; i < 5; i++) assert.equal(await login(proxied, `rotor${i}`, 'wrong', `2001:db8:7:1::${i + 1}`), 401);
    assert.equal(await login(proxied, 'olive', PASSWORD, '2001:db8:7:1:abcd:ef01:2345:6789'), 429, 'another address in the same /64');
    assert.equal(await login(proxied, 'olive', PASSWORD, '[2001:db8:7:1::99]:4711'), 429, 'with a port, in brackets');
    assert.equal(await login(proxied, 'olive', PASSWORD, '2001:db8:7:2::1'), 200, 'the neighbouring /64 is another client');
  });

  it('behind a trusted proxy, IPv4 clients and IPv4-mapped IPv6 clients stay per address', async () => {
    await fiveFailures(proxied, '::ffff:198.51.100.20', 'mapped');
    assert.equal(await login(proxied, 'olive', PASSWORD, '198.51.100.20'), 429, 'the mapped form is the IPv4 client');
    assert.equal(await login(proxied, 'olive', PASSWORD, '::ffff:198.51.100.21'), 200, 'its neighbour is not');
  });

  it('behind a trusted proxy, the audit log names the client and a forwarded request is not the loopback admin', async () => {
    const viewer = await createApiToken(proxied.hub.stores.tokens, { role: 'viewer', name: 'dash' });
    const rpc = (headers: Record<string, string>): Promise<Response> =>
      fetch(`${proxied.httpUrl}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'mcu.reboot', params: { mcu_id: '00000000-0000-4000-8000-000000000000' } }) });
    await (await rpc({ authorization: `Bearer ${viewer.token}`, 'x-forwarded-for': '198.51.100.3' })).body?.cancel();
    const [entry] = await proxied.hub.stores.audit.list({ principal: `token:${viewer.id}` });
    assert.equal(entry?.client, '198.51.100.3');
    assert.equal(entry?.decision, 'deny');

    // With auth off only loopback callers are the local admin: a remote client through a loopback proxy is not one.
    const open = await startTestHub({ trustedProxy: '127.0.0.1' });
    try {
      const fromProxy = await fetch(`${open.httpUrl}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.4' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'device.list', params: {} }) });
      assert.equal(fromProxy.status, 401);
      await fromProxy.body?.cancel();
      const local = await fetch(`${open.httpUrl}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'device.list', params: {} }) });
      assert.equal(local.status, 200, 'the proxy host itself (no header) still is');
      await local.body?.cancel();
      // A proxy that writes the client's port, or a name, must not leave the proxy's own address in its place.
      for (const forwarded of ['198.51.100.4:4711', 'unknown', '127.0.0.1, 198.51.100.4:4711']) {
        const answer = await fetch(`${open.httpUrl}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwarded }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'device.list', params: {} }) });
        assert.equal(answer.status, 401, forwarded);
        await answer.body?.cancel();
      }
    } finally {
      await open.close();
    }
    // No --trusted-proxy: a request a loopback proxy forwarded is not the local admin either (its client is elsewhere).
    const unnamed = await startTestHub();
    try {
      const viaProxy = await fetch(`${unnamed.httpUrl}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.5' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'device.list', params: {} }) });
      assert.equal(viaProxy.status, 401);
      await viaProxy.body?.cancel();
    } finally {
      await unnamed.close();
    }
  });
});

/** A port free a moment ago (the hub's --public-url must name its port before it listens). */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });

describe('the OAuth login page behind a trusted proxy', () => {
  it('throttles two clients apart, also on the --public-url whose X-Forwarded-* the hub rewrites', async () => {
    const port = await freePort();
    const t = await startTestHub({ trustedProxy: '127.0.0.1', publicUrl: `http://127.0.0.1:${port}` }, undefined, { httpPort: port });
    try {
      await addUser(t.hub.stores.users, { name: 'vera', role: 'viewer', password: PASSWORD, ...FAST });
      const provider = new MemoryOAuthClient();
      await assert.rejects(new Client({ name: 't', version: '1' }).connect(new StreamableHTTPClientTransport(new URL(`${t.httpUrl}/mcp`), { authProvider: provider })));
      const behindProxy = (client: string): Browser =>
        new Browser((url, init) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': client } }));
      const attempt = async (browser: Browser, name: string, password: string): Promise<number> => {
        const page: Stop = await browser.open(provider.authorizationUrl as URL);
        const answer = await browser.submit(page, [['name', name], ['password', password]]);
        return answer.kind === 'page' ? answer.status : 0;
      };
      const first = behindProxy('198.51.100.1');
      const statuses: number[] = [];
      // Another name each time: only the per-address count reaches 5.
      for (let i = 0; i < 5; i++) statuses.push(await attempt(first, `guess${i}`, 'wrong'));
      statuses.push(await attempt(first, 'vera', PASSWORD));
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
      assert.equal(await attempt(behindProxy('198.51.100.2'), 'vera', PASSWORD), 200, 'another client signs in (the consent page)');
    } finally {
      await t.close();
    }
  });
});
