// SequenceWindow in isolation: in-order delivery, holding, gap expiry, wraparound, stale seqs.
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { SequenceWindow } from '../../../src/protocols/sparkplug/host/sequence-window.ts';

function window(timeoutMs: number): { w: SequenceWindow<string>; delivered: string[]; gaps: [number, number][] } {
  const delivered: string[] = [];
  const gaps: [number, number][] = [];
  const w = new SequenceWindow<string>({ timeoutMs, deliver: (item) => delivered.push(item), onGap: (missing, held) => gaps.push([missing, held]) });
  return { w, delivered, gaps };
}

describe('SequenceWindow', () => {
  it('delivers in-order messages at once and counts from the BIRTH seq', () => {
    const { w, delivered } = window(1000);
    w.reset(9);
    assert.equal(w.offer(10, 'a'), 'in_order');
    assert.equal(w.offer(11, 'b'), 'in_order');
    assert.deepEqual(delivered, ['a', 'b']);
    assert.equal(w.expected, 12);
  });

  it('[tck-id-operational-behavior-host-reordering-start][tck-id-operational-behavior-host-reordering-success] holds a message ahead of a gap and releases both in order when the gap fills in time', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const { w, delivered, gaps } = window(1000);
      w.reset(0);
      assert.equal(w.offer(3, 'c'), 'held');
      assert.equal(w.offer(2, 'b'), 'held');
      assert.deepEqual(delivered, []);
      mock.timers.tick(500);
      assert.equal(w.offer(1, 'a'), 'in_order');
      assert.deepEqual(delivered, ['a', 'b', 'c']);
      mock.timers.tick(1000);
      assert.deepEqual(gaps, [], 'the timer stopped when the gap filled');
    } finally {
      mock.timers.reset();
    }
  });

  it('[tck-id-operational-behavior-host-reordering-rebirth] on timeout releases what it holds, skipping the gap, and reports it', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const { w, delivered, gaps } = window(1000);
      w.reset(0);
      w.offer(1, 'a');
      w.offer(3, 'c');
      w.offer(4, 'd');
      mock.timers.tick(999);
      assert.deepEqual(gaps, []);
      mock.timers.tick(1);
      assert.deepEqual(delivered, ['a', 'c', 'd']);
      assert.deepEqual(gaps, [[2, 2]]);
      assert.equal(w.expected, 5);
      assert.equal(w.offer(5, 'e'), 'in_order');
    } finally {
      mock.timers.reset();
    }
  });

  it('wraps 255 → 0, also across a held gap', () => {
    const { w, delivered } = window(1000);
    w.reset(254);
    w.offer(255, 'a');
    assert.equal(w.offer(1, 'c'), 'held');
    assert.equal(w.offer(0, 'b'), 'in_order');
    assert.deepEqual(delivered, ['a', 'b', 'c']);
    assert.equal(w.expected, 2);
  });

  it('calls a recent seq behind the expected one (a repeat, or too late) stale, and a held seq sent twice too', () => {
    const { w, delivered } = window(1000);
    w.reset(10);
    w.offer(11, 'a');
    assert.equal(w.offer(11, 'again'), 'stale');
    assert.equal(w.offer(5, 'old'), 'stale');
    assert.equal(w.offer(14, 'x'), 'held');
    assert.equal(w.offer(14, 'x2'), 'stale');
    assert.deepEqual(delivered, ['a']);
    w.clear();
  });

  it('[tck-id-operational-behavior-host-reordering-rebirth] holds a jump of 128 or more (expected 6, then 200…255, 0…5) and gives it up with a gap: nothing is dropped', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const { w, delivered, gaps } = window(1000);
      w.reset(0);
      for (let seq = 1; seq <= 5; seq++) assert.equal(w.offer(seq, `s${seq}`), 'in_order');
      const jump = [...Array.from({ length: 56 }, (_, i) => 200 + i), 0, 1, 2, 3, 4, 5];
      for (const seq of jump) assert.equal(w.offer(seq, `j${seq}`), 'held', `seq ${seq}`);
      mock.timers.tick(1000);
      assert.deepEqual(delivered.slice(5), jump.map((seq) => `j${seq}`));
      assert.deepEqual(gaps, [[6, 62]]);
      assert.equal(w.expected, 6);
    } finally {
      mock.timers.reset();
    }
  });

  it('with a zero timeout gives up on a gap at once', () => {
    const { w, delivered, gaps } = window(0);
    w.reset(0);
    assert.equal(w.offer(2, 'b'), 'held');
    assert.deepEqual(delivered, ['b']);
    assert.deepEqual(gaps, [[1, 1]]);
  });

  it('flush() releases everything held in seq order (before an NDEATH ends the session)', () => {
    const { w, delivered, gaps } = window(1000);
    w.reset(0);
    w.offer(5, 'e');
    w.offer(3, 'c');
    assert.equal(w.flush(), 2);
    assert.deepEqual(delivered, ['c', 'e']);
    assert.deepEqual(gaps, []);
    assert.equal(w.heldCount, 0);
  });
});
