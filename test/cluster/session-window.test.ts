/**
 * What non-owners keep of a session for a takeover's replay (SessionWindow), and how the replay
 * refuses points the previous owner stored already (ReplayFloors), on an injected clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplayFloors } from '../../src/cluster/replay-floors.ts';
import { SessionWindow } from '../../src/cluster/session-window.ts';
import type { TelemetryPoint } from '../../src/core/telemetry.ts';

const rules = { starts: (topic: string) => topic.includes('/NBIRTH/'), keeps: (topic: string) => topic.includes('/DBIRTH/') };
const topic = (type: string, device?: string): string => `spBv1.0/G/${type}/node${device === undefined ? '' : `/${device}`}`;

function windowOn(clock: { now: number }, maxPerKey = 100, maxBytes = 1_000_000): SessionWindow {
  return new SessionWindow({ rules, windowMs: 1000, maxPerKey, maxBytes, now: () => clock.now });
}

const replayed = (window: SessionWindow): string[] => window.take('node').map((m) => `${m.payload.toString()}${m.resume ? '*' : ''}`);

describe('SessionWindow', () => {
  it('replays a whole session since its birth, in order, with nothing to resume across', () => {
    const clock = { now: 0 };
    const window = windowOn(clock);
    window.add('node', topic('NDATA'), Buffer.from('before-birth'));
    window.add('node', topic('NBIRTH'), Buffer.from('nbirth'));
    window.add('node', topic('DBIRTH', 'd1'), Buffer.from('dbirth'));
    window.add('node', topic('NDATA'), Buffer.from('d1'));
    assert.deepEqual(replayed(window), ['nbirth', 'dbirth', 'd1']);
    assert.deepEqual(window.take('node'), [], 'taken once');
  });

  it('keeps the birth certificates however old, drops old DATA, and resumes the order where it broke', () => {
    const clock = { now: 0 };
    const window = windowOn(clock);
    window.add('node', topic('NBIRTH'), Buffer.from('nbirth'));
    window.add('node', topic('DBIRTH', 'd1'), Buffer.from('dbirth-1'));
    window.add('node', topic('NDATA'), Buffer.from('old'));
    window.add('node', topic('DBIRTH', 'd1'), Buffer.from('dbirth-1b'));
    clock.now = 5000;
    window.add('node', topic('NDATA'), Buffer.from('new-1'));
    window.add('node', topic('DDATA', 'd1'), Buffer.from('new-2'));
    // The NBIRTH, then the latest DBIRTH of d1 (resumed at itself), then the recent DATA (resumed at the first).
    assert.deepEqual(replayed(window), ['nbirth', 'dbirth-1b*', 'new-1*', 'new-2']);
  });

  it('replays nothing of a session it joined after its birth (its DATA cannot be read without it)', () => {
    const window = windowOn({ now: 0 });
    window.add('node', topic('NDATA'), Buffer.from('d1'));
    assert.deepEqual(replayed(window), []);
  });

  it('holds at most maxPerKey recent messages', () => {
    const clock = { now: 0 };
    const window = windowOn(clock, 3);
    window.add('node', topic('NBIRTH'), Buffer.from('nbirth'));
    for (let n = 0; n < 5; n++) window.add('node', topic('NDATA'), Buffer.from(`d${n}`));
    assert.deepEqual(replayed(window), ['nbirth', 'd2*', 'd3', 'd4']);
  });

  it('holds at most maxBytes of payload over every node together, dropping the oldest message of any node first', () => {
    const clock = { now: 0 };
    const window = windowOn(clock, 100, 40);
    const other = (type: string): string => `spBv1.0/G/${type}/other`;
    // 10-byte payloads: four fit.
    window.add('node', topic('NBIRTH'), Buffer.from('node-birth'));
    window.add('other', other('NBIRTH'), Buffer.from('othr-birth'));
    window.add('node', topic('NDATA'), Buffer.from('node-d0---'));
    window.add('other', other('NDATA'), Buffer.from('othr-d0---'));
    assert.equal(window.bytes, 40);
    window.add('node', topic('NDATA'), Buffer.from('node-d1---'));
    window.add('node', topic('NDATA'), Buffer.from('node-d2---'));
    assert.equal(window.bytes, 40);
    assert.equal(window.size, 4);
    // The two births went first (the oldest, whichever node): each is still replayed (kept), and the order resumes after it.
    assert.deepEqual(replayed(window), ['node-birth', 'node-d0---*', 'node-d1---', 'node-d2---']);
    assert.equal(window.bytes, 10, 'a taken window stops counting');
    window.forget('other');
    assert.equal(window.bytes, 0);
  });

  it('stops counting the messages of a session that a new birth replaced', () => {
    const clock = { now: 0 };
    const window = windowOn(clock, 100, 1000);
    window.add('node', topic('NBIRTH'), Buffer.from('b1'));
    window.add('node', topic('NDATA'), Buffer.from('d1'));
    window.add('node', topic('NBIRTH'), Buffer.from('b2'));
    assert.equal(window.bytes, 2);
    clock.now = 5000;
    window.add('node', topic('NDATA'), Buffer.from('d2'));
    assert.equal(window.bytes, 2, 'old messages swept');
  });
});

describe('ReplayFloors', () => {
  const point = (deviceId: string, measurement: string, ts: number): TelemetryPoint => ({ deviceId, measurement, ts, value: 1 });

  it('drops replayed points at or below the latest stored one of their series, until the floors lapse', async () => {
    const clock = { now: 0 };
    const floors = new ReplayFloors({
      telemetry: { latest: () => Promise.resolve([point('a', 'temp', 100), point('a', 'hum', 50)]) },
      ttlMs: 1000,
      now: () => clock.now,
    });
    assert.equal(floors.filter([point('a', 'temp', 1)]).length, 1, 'no floor up: everything passes');
    await floors.raise(['a', 'b']);
    const kept = floors.filter([point('a', 'temp', 99), point('a', 'temp', 100), point('a', 'temp', 101), point('a', 'hum', 60), point('a', 'new', 1), point('b', 'temp', 1), point('c', 'temp', 1)]);
    assert.deepEqual(kept.map((p) => `${p.deviceId}/${p.measurement}@${p.ts}`), ['a/temp@101', 'a/hum@60', 'a/new@1', 'b/temp@1', 'c/temp@1']);
    assert.equal(floors.dropped, 2);
    clock.now = 1000;
    assert.equal(floors.filter([point('a', 'temp', 1)]).length, 1, 'lapsed');
  });
});
