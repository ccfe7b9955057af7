/** What `llm-iot start` does about where the hub is reachable from, with and without credentials. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindDecision, type BindDecision } from '../../src/cli/bind-policy.ts';

const loopback = { httpHost: '127.0.0.1', mqttHost: '127.0.0.1', mqttUrl: undefined, insecure: false, publicUrl: undefined, allowedHosts: undefined, trustedProxy: undefined };
const messageOf = (decision: BindDecision): string => ('message' in decision ? decision.message : '');

describe('bind policy', () => {
  it('refuses a --public-url on another name with auth off: a reverse proxy on this machine would make every caller the local admin', () => {
    const behindProxy = { ...loopback, publicUrl: 'https://hub.example.com' };
    const refused = bindDecision(behindProxy, false, 'open');
    assert.equal(refused.action, 'refuse');
    assert.match(messageOf(refused), /--public-url https:\/\/hub\.example\.com .* with no API credentials/);
    assert.equal(bindDecision(behindProxy, true, 'open').action, 'ok', 'with credentials');
    assert.equal(bindDecision({ ...behindProxy, insecure: true }, false, 'open').action, 'warn', '--insecure overrides, warned');
    // A loopback public URL (approval links on a lab hub) changes nothing.
    assert.equal(bindDecision({ ...loopback, publicUrl: 'http://localhost:8080' }, false, 'open').action, 'info');
  });

  it('refuses --allowed-hosts naming a host that is not loopback with auth off: only a proxy or tunnel brings such a Host to loopback', () => {
    const behindProxy = { ...loopback, allowedHosts: 'hub.example.com' };
    const refused = bindDecision(behindProxy, false, 'open');
    assert.equal(refused.action, 'refuse');
    assert.match(messageOf(refused), /--allowed-hosts hub\.example\.com .* with no API credentials.*--insecure/);
    assert.equal(bindDecision({ ...loopback, allowedHosts: 'localhost, .example.com' }, false, 'open').action, 'refuse', 'a suffix names remote hosts too');
    assert.match(messageOf(bindDecision({ ...loopback, allowedHosts: 'hub.localhost,.example.com' }, false, 'open')), /--allowed-hosts \.example\.com \(/, 'only the remote entries are named');
    assert.equal(bindDecision(behindProxy, true, 'open').action, 'ok', 'with credentials');
    assert.equal(bindDecision({ ...behindProxy, insecure: true }, false, 'open').action, 'warn', '--insecure overrides, warned');
    // Loopback names (RFC 6761 *.localhost, ::1) reach the hub from this machine alone.
    assert.equal(bindDecision({ ...loopback, allowedHosts: 'hub.localhost,.localhost,127.0.0.1,::1,[::1]' }, false, 'open').action, 'info');
  });

  it('refuses a --trusted-proxy with auth off: a request from the proxy without X-Forwarded-For would be the local admin', () => {
    const behindProxy = { ...loopback, trustedProxy: '127.0.0.1' };
    assert.match(messageOf(bindDecision(behindProxy, false, 'open')), /^llm-iot start: refusing to listen on --trusted-proxy 127\.0\.0\.1 .* with no API credentials/);
    assert.equal(bindDecision(behindProxy, true, 'open').action, 'ok', 'with credentials');
    assert.equal(bindDecision({ ...behindProxy, insecure: true }, false, 'open').action, 'warn', '--insecure overrides, warned');
  });

  it('still refuses a network bind with auth off, and lets loopback alone', () => {
    assert.equal(bindDecision({ ...loopback, httpHost: '0.0.0.0' }, false, 'open').action, 'refuse');
    assert.equal(bindDecision(loopback, false, 'open').action, 'info');
  });
});
