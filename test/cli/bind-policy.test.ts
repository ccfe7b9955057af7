/** What `llm-iot start` does about where the hub is reachable from, with and without credentials. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindDecision } from '../../src/cli/bind-policy.ts';

const loopback = { httpHost: '127.0.0.1', mqttHost: '127.0.0.1', mqttUrl: undefined, insecure: false, publicUrl: undefined };

describe('bind policy', () => {
  it('refuses a --public-url on another name with auth off: a reverse proxy on this machine would make every caller the local admin', () => {
    const behindProxy = { ...loopback, publicUrl: 'https://hub.example.com' };
    const refused = bindDecision(behindProxy, false, 'open');
    assert.equal(refused.action, 'refuse');
    assert.match(refused.action === 'refuse' ? refused.message : '', /--public-url https:\/\/hub\.example\.com .* with no API credentials/);
    assert.equal(bindDecision(behindProxy, true, 'open').action, 'ok', 'with credentials');
    assert.equal(bindDecision({ ...behindProxy, insecure: true }, false, 'open').action, 'warn', '--insecure overrides, warned');
    // A loopback public URL (approval links on a lab hub) changes nothing.
    assert.equal(bindDecision({ ...loopback, publicUrl: 'http://localhost:8080' }, false, 'open').action, 'info');
  });

  it('still refuses a network bind with auth off, and lets loopback alone', () => {
    assert.equal(bindDecision({ ...loopback, httpHost: '0.0.0.0' }, false, 'open').action, 'refuse');
    assert.equal(bindDecision(loopback, false, 'open').action, 'info');
  });
});
