/** DNS-rebinding checks of /mcp and the resource URI scheme, without sockets. */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { hostName, hostRejection, isLoopbackAddress } from '../../src/mcp/host-check.ts';
import { deviceUri, parseResourceUri, telemetryUri } from '../../src/mcp/resource-uris.ts';

const req = (localAddress: string, headers: Record<string, string>): IncomingMessage => ({ socket: { localAddress }, headers }) as unknown as IncomingMessage;

describe('host check', () => {
  it('knows loopback addresses and host names', () => {
    assert.ok(isLoopbackAddress('127.0.0.1') && isLoopbackAddress('::1') && isLoopbackAddress('::ffff:127.0.0.1'));
    assert.equal(isLoopbackAddress('192.168.1.20'), false);
    assert.equal(hostName('[::1]:8080'), '[::1]');
    assert.equal(hostName('LocalHost:8080'), 'localhost');
  });

  it('on a loopback socket, refuses a non-loopback Host (rebinding) and a foreign Origin', () => {
    assert.equal(hostRejection(req('127.0.0.1', { host: '127.0.0.1:8080' })), undefined);
    assert.equal(hostRejection(req('::1', { host: '[::1]:8080', origin: 'http://localhost:3000' })), undefined);
    assert.match(hostRejection(req('127.0.0.1', { host: 'evil.example.com' })) ?? '', /not a loopback name/);
    assert.match(hostRejection(req('127.0.0.1', { host: 'localhost:8080', origin: 'https://evil.example.com' })) ?? '', /Origin/);
    assert.match(hostRejection(req('127.0.0.1', { host: 'localhost:8080', origin: 'null' })) ?? '', /Origin/);
  });

  it('on a loopback socket, accepts the --public-url name a reverse proxy on this machine forwards, and only that', () => {
    const publicOrigin = 'https://hub.example.com';
    assert.equal(hostRejection(req('127.0.0.1', { host: 'hub.example.com' }), publicOrigin), undefined);
    assert.equal(hostRejection(req('127.0.0.1', { host: '127.0.0.1:8080', origin: publicOrigin }), publicOrigin), undefined);
    assert.match(hostRejection(req('127.0.0.1', { host: 'evil.example.com' }), publicOrigin) ?? '', /not a loopback name/);
    assert.match(hostRejection(req('127.0.0.1', { host: 'hub.example.com' })) ?? '', /not a loopback name/);
  });

  it('on a LAN socket, accepts the hub\'s own name and refuses pages from other origins', () => {
    assert.equal(hostRejection(req('192.168.1.20', { host: 'greenhouse-pi.local:8080' })), undefined);
    assert.equal(hostRejection(req('192.168.1.20', { host: 'greenhouse-pi.local:8080', origin: 'http://greenhouse-pi.local:8080' })), undefined);
    assert.ok(hostRejection(req('192.168.1.20', { host: 'greenhouse-pi.local:8080', origin: 'http://evil.example.com' })));
  });
});

describe('resource URIs', () => {
  it('round-trips device and telemetry URIs, hardware ids percent-encoded', () => {
    assert.deepEqual(parseResourceUri('llmiot://fleet'), { kind: 'fleet' });
    assert.deepEqual(parseResourceUri(deviceUri('pico-a/i2c:0x47')), { kind: 'device', ref: 'pico-a/i2c:0x47' });
    assert.deepEqual(parseResourceUri(telemetryUri('pico-a')), { kind: 'telemetry', ref: 'pico-a' });
    assert.equal(deviceUri('pico-a/i2c:0x47'), 'llmiot://device/pico-a%2Fi2c%3A0x47');
  });

  it('rejects what it does not serve', () => {
    for (const uri of ['test://static-text', 'llmiot://device/', 'llmiot://device/a/b', 'llmiot://device/%E0%A4%A', 'llmiot://fleet/x']) {
      assert.equal(parseResourceUri(uri), undefined, uri);
    }
  });
});
