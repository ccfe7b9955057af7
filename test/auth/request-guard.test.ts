/** RequestGuard's Host check without sockets: the hub's names pass, and a Host that is no host name and port never does. */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { bearerChallenge, resourceMetadataUrl } from '../../src/api/http-security.ts';
import { RequestGuard } from '../../src/auth/request-guard.ts';

const req = (host: string, localAddress = '127.0.0.1'): IncomingMessage => ({ socket: { localAddress }, headers: { host } }) as unknown as IncomingMessage;

describe('RequestGuard Host syntax', () => {
  const guard = new RequestGuard({ allowedHosts: ['hub.example.com'] });

  it('passes the hub\'s names with or without a port', () => {
    for (const host of ['localhost', 'localhost:8080', '127.0.0.1:8080', '[::1]:8080', 'hub.example.com', 'HUB.example.com:443']) {
      assert.equal(guard.hostRejection(req(host)), undefined, host);
    }
  });

  it('refuses a loopback name whose port is not one, so the origin built from it cannot break a challenge', () => {
    // Without --public-url the origin is http://<Host>: the quote would end resource_metadata's quoted string early.
    const forged = 'localhost:1", error="invalid_request';
    assert.match(guard.hostRejection(req(forged)) ?? '', /is not a host name and port/);
    for (const host of ['localhost:abc', 'localhost:80 80', 'local\\host', 'hub.example.com:1/x']) {
      assert.match(guard.hostRejection(req(host)) ?? '', /is not a host name and port/, host);
    }
    // RFC 6750 §3: auth-params of quoted strings with no `"` or `\` inside, comma-separated.
    assert.match(bearerChallenge(resourceMetadataUrl(guard.origin(req('localhost:8080'))), 'iot:read'), /^Bearer [a-z_]+="[^"\\]*"(?:, [a-z_]+="[^"\\]*")*$/);
  });
});

describe('RequestGuard and the machine\'s own names', () => {
  const own = hostname().toLowerCase();

  it('a hub listening beyond loopback answers to the machine\'s name and its .local name', () => {
    for (const bound of ['0.0.0.0', '::', '192.168.1.20']) {
      const guard = new RequestGuard({ boundHosts: [bound] });
      assert.equal(guard.hostRejection(req(`${own}:8080`, '192.168.1.20')), undefined, bound);
      assert.equal(guard.hostRejection(req(`${own}.local:8080`, '192.168.1.20')), undefined, bound);
    }
  });

  it('a loopback-only hub does not: a LAN client reaching it through a forward that keeps the Host is refused', () => {
    // socat TCP-LISTEN:9000,fork TCP:127.0.0.1:8080: the hub sees a loopback peer and the Host the LAN client typed.
    for (const bound of ['127.0.0.1', 'localhost', '::1']) {
      const guard = new RequestGuard({ boundHosts: [bound] });
      assert.match(guard.hostRejection(req(`${own}.local:9000`)) ?? '', /is not a name of this hub/, bound);
      assert.match(guard.hostRejection(req(`${own}:9000`)) ?? '', /is not a name of this hub/, bound);
      assert.equal(guard.hostRejection(req('localhost:8080')), undefined, `${bound}: loopback names still pass`);
      assert.equal(guard.hostRejection(req('127.0.0.1:8080')), undefined);
    }
    // Named on purpose, it passes.
    assert.equal(new RequestGuard({ boundHosts: ['127.0.0.1'], allowedHosts: [own] }).hostRejection(req(`${own}:9000`)), undefined);
  });
});
