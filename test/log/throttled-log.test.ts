// ThrottledLog: one line per key per interval, then the count of what was left out.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Logger } from '../../src/log/logger.ts';
import { ThrottledLog } from '../../src/log/throttled-log.ts';

it('writes one line per key per interval and reports how many it suppressed', () => {
  const lines: unknown[] = [];
  const logger = { warn: (fields: object) => lines.push(fields) } as unknown as Logger;
  let now = 0;
  const log = new ThrottledLog(logger, 10_000, () => now);
  for (let i = 0; i < 5; i++) log.warn('spoofed:a', { n: i }, 'rejected');
  log.warn('spoofed:b', { n: 'b' }, 'rejected');
  assert.deepEqual(lines, [{ n: 0 }, { n: 'b' }]);
  now = 10_000;
  log.warn('spoofed:a', { n: 5 }, 'rejected');
  log.warn('spoofed:a', { n: 6 }, 'rejected');
  now = 20_000;
  log.warn('spoofed:a', { n: 7 }, 'rejected');
  assert.deepEqual(lines.slice(2), [{ n: 5, suppressed: 4 }, { n: 7, suppressed: 1 }]);
});

it('forgets the oldest keys past 1000, so a flood of client ids cannot grow memory', () => {
  const lines: unknown[] = [];
  const logger = { warn: (fields: object) => lines.push(fields) } as unknown as Logger;
  const log = new ThrottledLog(logger, 10_000, () => 0);
  for (let i = 0; i <= 1000; i++) log.warn(`k${i}`, { i }, 'x');
  log.warn('k0', { i: 0 }, 'x');
  assert.equal(lines.length, 1002, 'k0 was forgotten, so it logs again');
});
