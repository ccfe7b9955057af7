/** LifetimeTracker: a registration expires after its lifetime plus grace, unless renewed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LifetimeTracker, lifetimeGraceMs } from '../../../src/protocols/lwm2m/adapter/lifetime-tracker.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('LifetimeTracker', () => {
  it('grants 1 s + 10 % of the lifetime, at most 60 s', () => {
    assert.equal(lifetimeGraceMs(1), 1_100);
    assert.equal(lifetimeGraceMs(300), 31_000);
    assert.equal(lifetimeGraceMs(86_400), 60_000);
  });

  it('expires after lifetime + grace; renew restarts the clock; cancel and lifetime 0 never expire', async () => {
    const expired: string[] = [];
    const tracker = new LifetimeTracker((endpoint) => expired.push(endpoint));
    try {
      tracker.renew('a', 1);
      tracker.renew('b', 1);
      tracker.renew('c', 0);
      tracker.renew('d', 1);
      tracker.cancel('d');
      assert.equal(tracker.deadline('c'), undefined);
      await sleep(1_500);
      tracker.renew('b', 1);
      await sleep(800);
      assert.deepEqual(expired, ['a']);
      await sleep(1_500);
      assert.deepEqual(expired, ['a', 'b']);
    } finally {
      tracker.stop();
    }
  });
});
