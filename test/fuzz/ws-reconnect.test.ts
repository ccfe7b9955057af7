/**
 * The /ws fuzzer reconnects without leaving sockets behind. Its 16 concurrent senders each opened their
 * own replacement when the hub closed a socket, and all but one stayed open, unreferenced: ~100 MiB of
 * heap over 8.6k reconnects, and past ~32k inputs every upgrade was refused by the hub's connection cap
 * (503), counted as crashes. With a cap of 4 (two sockets in use, two spare) a run that reconnects
 * many times must never meet the cap.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runFuzz, startFuzzTarget, type FuzzTarget } from './harness.ts';

describe('fuzz ws entry: reconnects leave no socket open', () => {
  let target: FuzzTarget;
  before(async () => {
    target = await startFuzzTarget({ maxWsConnections: 4 });
  });
  after(async () => target.fh.close());

  it('2,000 inputs of seed 105 with the hub closing sockets stay under a 4-connection cap', async () => {
    const report = await runFuzz({ entry: 'ws', seed: 105, from: 0, inputs: 2000, checkEvery: 1000 }, target);
    const closes = Object.entries(report.codes).filter(([code]) => /^ws-close:10(07|09)$/.test(code)).reduce((n, [, v]) => n + v, 0);
    assert.ok(closes >= 3, `the hub closed sockets during the run: ${JSON.stringify(report.codes)}`);
    assert.equal(report.warnings['WebSocket connection refused: connection limit reached'] ?? 0, 0);
    assert.deepEqual(report.failures.map((f) => `${f.kind} at ${f.index}: ${f.detail.split('\n')[0]}`), []);
    assert.equal(report.crashes, 0);
  });
});
