/**
 * A takeover of several sessions at once (a dead instance's edge nodes all move together): one read
 * of the stored points for all of them, each window replayed behind its adoption, the live messages
 * held until then; a failed read skips the replay without rejecting, and the live messages go through.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplayFloors } from '../../src/cluster/replay-floors.ts';
import { takeOverSessions, type TakeoverParts } from '../../src/cluster/session-takeover.ts';
import { SessionWindow } from '../../src/cluster/session-window.ts';
import { silentLogger } from '../../src/log/logger.ts';

type TelemetryFilter = { deviceIds?: readonly string[] };

const rules = { starts: (topic: string) => topic.includes('/NBIRTH/'), keeps: (topic: string) => topic.includes('/DBIRTH/') };

function setup(latest: (filter: TelemetryFilter) => Promise<[]>): { parts: TakeoverParts; log: string[]; queries: TelemetryFilter[] } {
  const log: string[] = [];
  const queries: TelemetryFilter[] = [];
  const window = new SessionWindow({ rules, windowMs: 1000, maxPerKey: 100, maxBytes: 1_000_000, now: () => 0 });
  for (const node of ['n1', 'n2', 'n3']) {
    window.add(node, `spBv1.0/G/NBIRTH/${node}`, Buffer.from('birth'));
    window.add(node, `spBv1.0/G/NDATA/${node}`, Buffer.from('data'));
  }
  const floors = new ReplayFloors({
    telemetry: {
      latest: (filter = {}) => {
        queries.push(filter);
        return latest(filter);
      },
    },
    ttlMs: 1000,
    now: () => 0,
  });
  const parts: TakeoverParts = {
    protocol: 'sparkplug',
    bus: {
      hold: (key) => {
        log.push(`hold ${key}`);
        return () => log.push(`release ${key}`);
      },
    },
    window,
    hooks: {
      adopt: (key) => log.push(`adopt ${key}`),
      replay: (key, messages) => log.push(`replay ${key} ${messages.length}`),
    },
    floors,
    devicesOf: (key) => [`dev-${key}`, `dev-${key}-child`],
    logger: silentLogger,
  };
  return { parts, log, queries };
}

describe('takeOverSessions', () => {
  it('reads the stored points of every session taken over in one query, and replays each window before releasing its live messages', async () => {
    const { parts, log, queries } = setup(() => Promise.resolve([]));
    await takeOverSessions(parts, [['n1', 'spBv1.0/G/NDATA/n1'], ['n2', 'spBv1.0/G/NDATA/n2'], ['n3', 'spBv1.0/G/NDATA/n3']]);
    assert.equal(queries.length, 1, 'one latest query for three nodes');
    assert.deepEqual(queries[0]?.deviceIds, ['dev-n1', 'dev-n1-child', 'dev-n2', 'dev-n2-child', 'dev-n3', 'dev-n3-child']);
    assert.deepEqual(log, ['hold n1', 'hold n2', 'hold n3', 'adopt n1', 'adopt n2', 'adopt n3', 'replay n1 2', 'replay n2 2', 'replay n3 2', 'release n1', 'release n2', 'release n3']);
  });

  it('skips the replay when the stored points cannot be read (PostgreSQL down), without rejecting, and still releases the live messages', async () => {
    const { parts, log } = setup(() => Promise.reject(new Error('connection terminated')));
    await takeOverSessions(parts, [['n1', 'spBv1.0/G/NDATA/n1'], ['n2', 'spBv1.0/G/NDATA/n2']]);
    assert.deepEqual(log, ['hold n1', 'hold n2', 'adopt n1', 'adopt n2', 'release n1', 'release n2']);
  });

  it('releases the live messages of every session when a protocol hook throws', async () => {
    const { parts, log } = setup(() => Promise.resolve([]));
    const throwing: TakeoverParts = {
      ...parts,
      hooks: {
        adopt: () => {
          throw new Error('adopt failed');
        },
        replay: () => {
          throw new Error('replay failed');
        },
      },
    };
    await takeOverSessions(throwing, [['n1', 'spBv1.0/G/NDATA/n1'], ['n2', 'spBv1.0/G/NDATA/n2']]);
    assert.deepEqual(log, ['hold n1', 'hold n2', 'release n1', 'release n2']);
  });
});
