/** LifetimeTracker: a registration expires after its lifetime plus grace, unless renewed. */
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { LifetimeTracker, lifetimeGraceMs } from '../../../src/protocols/lwm2m/adapter/lifetime-tracker.ts';

describe('LifetimeTracker', () => {
  it('grants 1 s + 10 % of the lifetime, at most 60 s', () => {
    assert.equal(lifetimeGraceMs(1), 1_100);
    assert.equal(lifetimeGraceMs(300), 31_000);
    assert.equal(lifetimeGraceMs(86_400), 60_000);
  });

  it('expires after lifetime + grace; renew restarts the clock; cancel and lifetime 0 never expire', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const expired: string[] = [];
    const tracker = new LifetimeTracker((endpoint) => expired.push(endpoint), () => Date.now());
    const advance = (ms: number): void => mock.timers.tick(ms);
    try {
      tracker.renew('a', 1);
      tracker.renew('b', 1);
      tracker.renew('c', 0);
      tracker.renew('d', 1);
      tracker.cancel('d');
      assert.equal(tracker.deadline('c'), undefined);
      advance(1_500);
      tracker.renew('b', 1);
      advance(800);
      assert.deepEqual(expired, ['a']);
      advance(1_299);
      assert.deepEqual(expired, ['a'], 'b lives 1 s + 1.1 s grace from its renewal');
      advance(1);
      assert.deepEqual(expired, ['a', 'b']);
    } finally {
      tracker.stop();
      mock.timers.reset();
    }
  });
});
