/** Contract suite every TelemetryStore backend passes (cf. aedes-persistence abstract.js). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HubError } from '../../src/core/errors.ts';
import type { PointValue, TelemetryPoint, TelemetryQuery } from '../../src/core/telemetry.ts';
import type { TelemetryStore } from '../../src/core/ports/telemetry-store.ts';

/** How a suite gets its stores. */
export interface StoreFixture<S> {
  /** A new, empty store. */
  open(): Promise<S>;
  /** The data of the store last returned by `open()`, opened again after that store was closed. */
  reopen(): Promise<S>;
}

const H = 3_600_000;
const DAY0 = 1_700_000_000_000 - (1_700_000_000_000 % (24 * H)); // a midnight UTC, epoch-aligned for every interval used

function pt(deviceId: string, measurement: string, ts: number, value: PointValue, extra: Partial<TelemetryPoint> = {}): TelemetryPoint {
  return { deviceId, measurement, ts, value, ...extra };
}

function isStoreError(error: unknown, prefix: string): boolean {
  return error instanceof HubError && error.code === 'STORE_ERROR' && error.message.startsWith(prefix);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The order export() promises: ts, then device, then measurement. */
function exportOrder(a: TelemetryPoint, b: TelemetryPoint): number {
  return a.ts - b.ts || compareText(a.deviceId, b.deviceId) || compareText(a.measurement, b.measurement);
}

function byOrderThenValue(a: TelemetryPoint, b: TelemetryPoint): number {
  return exportOrder(a, b) || (a.value as number) - (b.value as number);
}

/** The (ts, value[, count]) pairs of one series of a query result. */
async function series(store: TelemetryStore, query: TelemetryQuery, measurement = 'temp'): Promise<unknown[]> {
  const result = await store.query(query);
  return result.find((s) => s.measurement === measurement)?.points.map((p) => ({ ...p })) ?? [];
}

/** Points (4 per hour over 3 hours, one series) with known aggregates: hour h holds 10h+1 … 10h+4. */
const HOURLY = [0, 1, 2].flatMap((h) => [1, 2, 3, 4].map((k) => pt('d1', 'temp', DAY0 + h * H + k * 60_000, 10 * h + k)));

/** Register the TelemetryStore contract tests for one backend. */
export function describeTelemetryStore(name: string, fixture: StoreFixture<TelemetryStore>): void {
  async function withStore(test: (store: TelemetryStore) => Promise<void>): Promise<void> {
    const store = await fixture.open();
    try {
      await test(store);
    } finally {
      await store.close();
    }
  }

  describe(`TelemetryStore contract: ${name}`, () => {
    it('returns raw points of the range (both ends inclusive) per series, ordered by device then measurement', () =>
      withStore(async (store) => {
        await store.write([
          pt('d2', 'temp', DAY0 + 5, 5, { unit: '°C' }),
          pt('d1', 'temp', DAY0 + 10, 1.5, { unit: '°C' }),
          pt('d1', 'temp', DAY0, 1, { unit: '°C' }),
          pt('d1', 'angle', DAY0 + 20, 90),
          pt('d1', 'temp', DAY0 + 30, 3),
          pt('d3', 'temp', DAY0, 7),
        ]);
        const result = await store.query({ deviceIds: ['d2', 'd1', 'nobody'], start: DAY0, end: DAY0 + 20 });
        assert.deepEqual(result, [
          { deviceId: 'd1', measurement: 'angle', unit: null, points: [{ ts: DAY0 + 20, value: 90 }] },
          { deviceId: 'd1', measurement: 'temp', unit: '°C', points: [{ ts: DAY0, value: 1 }, { ts: DAY0 + 10, value: 1.5 }] },
          { deviceId: 'd2', measurement: 'temp', unit: '°C', points: [{ ts: DAY0 + 5, value: 5 }] },
        ]);
        assert.deepEqual(await store.query({ deviceIds: [], start: DAY0, end: DAY0 + 99 }), []);
        assert.deepEqual(await store.query({ deviceIds: ['d1'], start: DAY0 + 11, end: DAY0 + 19 }), []);
        assert.equal(await store.count(), 6);
      }));

    it('filters by measurement (empty list = all) and keeps points that share a timestamp', () =>
      withStore(async (store) => {
        await store.write([pt('d1', 'temp', DAY0, 1), pt('d1', 'rh', DAY0, 40), pt('d1', 'temp', DAY0, 2)]);
        await store.write([pt('d1', 'temp', DAY0, 3)]);
        const temp = await store.query({ deviceIds: ['d1'], measurements: ['temp'], start: DAY0, end: DAY0 });
        assert.deepEqual(temp.map((s) => s.measurement), ['temp']);
        assert.deepEqual(temp[0]?.points.map((p) => p.value).sort(), [1, 2, 3]);
        const all = await store.query({ deviceIds: ['d1'], measurements: [], start: DAY0, end: DAY0 });
        assert.deepEqual(all.map((s) => s.measurement), ['rh', 'temp']);
        assert.equal(await store.count(), 4);
      }));

    it('orders raw points and limits them per series (desc keeps the newest)', () =>
      withStore(async (store) => {
        await store.write([...HOURLY, pt('d1', 'rh', DAY0 + 1, 1), pt('d1', 'rh', DAY0 + 2, 2)]);
        const base = { deviceIds: ['d1'], start: DAY0, end: DAY0 + 3 * H };
        const desc = await store.query({ ...base, order: 'desc', limit: 3 });
        assert.deepEqual(desc.map((s) => s.points.map((p) => p.value)), [[2, 1], [24, 23, 22]]);
        const asc = await store.query({ ...base, order: 'asc', limit: 2 });
        assert.deepEqual(asc.map((s) => s.points.map((p) => p.value)), [[1, 2], [1, 2]]);
        assert.deepEqual(await store.query({ ...base, limit: 0 }), []);
      }));

    it('aggregates into epoch-aligned buckets with every aggregation', () =>
      withStore(async (store) => {
        await store.write(HOURLY);
        // The range starts mid-hour: the first bucket still starts on the hour.
        const base = { deviceIds: ['d1'], start: DAY0 + 30_000, end: DAY0 + 3 * H, intervalMs: H };
        const hours = [0, 1, 2].map((h) => DAY0 + h * H);
        const expected = {
          avg: [2.5, 12.5, 22.5], min: [1, 11, 21], max: [4, 14, 24], sum: [10, 50, 90],
          count: [4, 4, 4], first: [1, 11, 21], last: [4, 14, 24],
        } as const;
        for (const [aggregation, values] of Object.entries(expected)) {
          const points = await series(store, { ...base, aggregation: aggregation as keyof typeof expected });
          assert.deepEqual(points, hours.map((ts, i) => ({ ts, value: values[i], count: 4 })), aggregation);
        }
        const desc = await series(store, { ...base, aggregation: 'max', order: 'desc', limit: 2 });
        assert.deepEqual(desc, [{ ts: hours[2], value: 24, count: 4 }, { ts: hours[1], value: 14, count: 4 }]);
        // 7-minute buckets are aligned to the epoch, not to the range: DAY0 lies 4 minutes into one.
        const seven = await series(store, { ...base, start: DAY0, end: DAY0 + H - 1, aggregation: 'sum', intervalMs: 420_000 });
        assert.equal(DAY0 % 420_000, 240_000);
        assert.deepEqual(seven, [{ ts: DAY0 - 240_000, value: 3, count: 2 }, { ts: DAY0 + 180_000, value: 7, count: 2 }]);
      }));

    it('aligns buckets to the epoch before 1970 too, and handles thousands of tiny buckets', () =>
      withStore(async (store) => {
        await store.write([pt('d1', 'temp', -1_500, 1), pt('d1', 'temp', -500, 'x'), pt('d1', 'temp', -499, 2), pt('d1', 'temp', 500, 3)]);
        const base = { deviceIds: ['d1'], start: -1_800, end: 999, aggregation: 'last' } as const;
        const expected = [{ ts: -2_000, value: 1, count: 1 }, { ts: -1_000, value: 2, count: 2 }, { ts: 0, value: 3, count: 1 }];
        assert.deepEqual(await series(store, { ...base, intervalMs: 1_000 }), expected);
        assert.deepEqual(await series(store, { ...base, intervalMs: 1_000, order: 'desc', limit: 2 }), [expected[2], expected[1]]);
        // 2,800 one-ms buckets, most of them empty.
        const tiny = await series(store, { ...base, intervalMs: 1, aggregation: 'count' });
        assert.deepEqual(tiny, [-1_500, -500, -499, 500].map((ts) => ({ ts, value: 1, count: 1 })));
        const firstDesc = await series(store, { ...base, intervalMs: 1, aggregation: 'first', order: 'desc', limit: 3 });
        assert.deepEqual(firstDesc, [
          { ts: 500, value: 3, count: 1 },
          { ts: -499, value: 2, count: 1 },
          { ts: -500, value: 'x', count: 1 },
        ]);
        const sums = await series(store, { ...base, start: -1_000_000, end: 1_000_000, intervalMs: 7, aggregation: 'sum' });
        assert.deepEqual(sums, [{ ts: -1_505, value: 1, count: 1 }, { ts: -504, value: 2, count: 1 }, { ts: 497, value: 3, count: 1 }]);
      }));

    it('aggregates the whole range into one bucket at its start when no interval is given', () =>
      withStore(async (store) => {
        await store.write(HOURLY);
        const base = { deviceIds: ['d1'], start: DAY0 + 2 * 60_000, end: DAY0 + 2 * H + 3 * 60_000 };
        // In range: 2 3 4 | 11 12 13 14 | 21 22 23
        const expected = { avg: 12.5, min: 2, max: 23, sum: 125, count: 10, first: 2, last: 23 } as const;
        for (const [aggregation, value] of Object.entries(expected)) {
          const points = await series(store, { ...base, aggregation: aggregation as keyof typeof expected });
          assert.deepEqual(points, [{ ts: base.start, value, count: 10 }], aggregation);
        }
      }));

    it('stores booleans and strings as-is: count/first/last use them, avg/min/max/sum skip them', () =>
      withStore(async (store) => {
        const mixed = [1, 'n/a', 3, true].map((value, i) => pt('d1', 'temp', DAY0 + i + 1, value));
        const door = [false, 'ajar', 'true'].map((value, i) => pt('d1', 'door', DAY0 + i + 1, value));
        await store.write([...mixed, ...door]);
        const base = { deviceIds: ['d1'], start: DAY0, end: DAY0 + H };
        assert.deepEqual(await series(store, base), mixed.map(({ ts, value }) => ({ ts, value })));
        assert.deepEqual((await series(store, base, 'door')).map((p) => (p as { value: unknown }).value), [false, 'ajar', 'true']);
        const numeric = { avg: 2, min: 1, max: 3, sum: 4 } as const;
        for (const [aggregation, value] of Object.entries(numeric)) {
          const query = { ...base, aggregation: aggregation as keyof typeof numeric };
          assert.deepEqual(await series(store, query), [{ ts: DAY0, value, count: 2 }], aggregation);
          // A bucket with samples but no number: value null, count 0.
          assert.deepEqual(await series(store, query, 'door'), [{ ts: DAY0, value: null, count: 0 }], aggregation);
        }
        assert.deepEqual(await series(store, { ...base, aggregation: 'count', intervalMs: H }), [{ ts: DAY0, value: 4, count: 4 }]);
        assert.deepEqual(await series(store, { ...base, aggregation: 'first' }, 'door'), [{ ts: DAY0, value: false, count: 3 }]);
        assert.deepEqual(await series(store, { ...base, aggregation: 'last' }), [{ ts: DAY0, value: true, count: 4 }]);
        assert.deepEqual(await series(store, { ...base, aggregation: 'last' }, 'door'), [{ ts: DAY0, value: 'true', count: 3 }]);
      }));

    it('keeps the newest non-historical point per (device, measurement) as latest, with unit and quality', () =>
      withStore(async (store) => {
        await store.write([
          pt('d1', 'temp', DAY0 + 10, 1, { unit: 'C' }),
          pt('d1', 'temp', DAY0 + 30, 3, { quality: 'uncertain' }),
          pt('d1', 'temp', DAY0 + 20, 2),
        ]);
        await store.write([pt('d1', 'temp', DAY0 + 25, 2.5), pt('d1', 'temp', DAY0 + 99, 9, { historical: true })]);
        await store.write([pt('d2', 'door', DAY0 + 5, true, { quality: 'bad' }), pt('d2', 'temp', DAY0 + 1, 'x', { historical: true })]);
        assert.deepEqual(await store.latest(), [
          { deviceId: 'd1', measurement: 'temp', ts: DAY0 + 30, value: 3, unit: 'C', quality: 'uncertain' },
          { deviceId: 'd2', measurement: 'door', ts: DAY0 + 5, value: true, quality: 'bad' },
        ]);
        assert.deepEqual((await store.latest({ deviceIds: ['d2'] })).map((p) => p.measurement), ['door']);
        assert.deepEqual((await store.latest({ measurements: ['temp'] })).map((p) => p.deviceId), ['d1']);
        assert.deepEqual(await store.latest({ deviceIds: ['d1'], measurements: ['door'] }), []);
        // Historical points are stored and queryable all the same.
        assert.equal(await store.count(), 7);
        assert.equal((await series(store, { deviceIds: ['d1'], start: DAY0 + 99, end: DAY0 + 99 })).length, 1);
        // A newer point replaces the latest value; an equally new one written later does too.
        await store.write([pt('d1', 'temp', DAY0 + 30, 4)]);
        assert.equal((await store.latest({ deviceIds: ['d1'] }))[0]?.value, 4);
      }));

    it('keeps the reported name and unit of a series beside the canonical ones', () =>
      withStore(async (store) => {
        const reported = { unit: 'Cel', sourceMeasurement: 'Sensors/temperature', sourceUnit: 'celsius' };
        await store.write([pt('d1', 'temperature', DAY0 + 1, 20, reported), pt('d2', 'temperature', DAY0 + 2, 21, { unit: 'Cel' })]);
        assert.deepEqual(await store.latest(), [
          { deviceId: 'd1', measurement: 'temperature', ts: DAY0 + 1, value: 20, quality: 'good', ...reported },
          { deviceId: 'd2', measurement: 'temperature', ts: DAY0 + 2, value: 21, unit: 'Cel', quality: 'good' },
        ]);
        const result = await store.query({ deviceIds: ['d1', 'd2'], start: DAY0, end: DAY0 + 10 });
        assert.deepEqual(
          result.map((s) => [s.deviceId, s.unit, s.sourceMeasurement, s.sourceUnit]),
          [
            ['d1', 'Cel', 'Sensors/temperature', 'celsius'],
            ['d2', 'Cel', undefined, undefined],
          ],
        );
        const exported = await collect(store.export({ deviceIds: ['d1', 'd2'], start: DAY0, end: DAY0 + 10 }));
        assert.deepEqual(
          exported.map((p) => [p.deviceId, p.sourceMeasurement, p.sourceUnit]),
          [
            ['d1', 'Sensors/temperature', 'celsius'],
            ['d2', undefined, undefined],
          ],
        );
        // The device reports under another name and unit later: the series follows.
        await store.write([pt('d1', 'temperature', DAY0 + 3, 22, { unit: 'Cel', sourceMeasurement: 'temp', sourceUnit: '[degF]' })]);
        const [latest] = await store.latest({ deviceIds: ['d1'] });
        assert.deepEqual([latest?.sourceMeasurement, latest?.sourceUnit], ['temp', '[degF]']);
      }));

    it('exports in (ts, device, measurement) order across several pages while writes go on', () =>
      withStore(async (store) => {
        const keys = [['d2', 'temp'], ['d1', 'rh'], ['d1', 'temp'], ['d3', 'angle']] as const;
        const points = Array.from({ length: 12_000 }, (_, i) => {
          const [deviceId, measurement] = keys[i % keys.length] as (typeof keys)[number];
          const extra: Partial<TelemetryPoint> = i % 7 === 0 ? { historical: true, quality: 'bad' } : {};
          return pt(deviceId, measurement, DAY0 + Math.floor(i / 8) * 1_000, i, extra);
        });
        for (let i = 0; i < points.length; i += 2_500) await store.write(points.slice(i, i + 2_500));
        const query = { deviceIds: ['d1', 'd2', 'd3'], start: DAY0, end: DAY0 + 10 * H };
        const seen: TelemetryPoint[] = [];
        for await (const point of store.export(query)) {
          seen.push(point);
          // better-sqlite3 refuses writes while a statement iterates: export must not hold one open.
          if (seen.length % 3_000 === 0) await store.write([pt('d9', 'temp', DAY0 + seen.length, seen.length)]);
        }
        assert.ok(seen.every((p, i) => i === 0 || exportOrder(seen[i - 1] as TelemetryPoint, p) <= 0), 'export order');
        // Points of one series at one ts may come in either order: compare with value as the last key.
        const expected = points.map((p) => ({ ...p, quality: p.quality ?? 'good' })).sort(byOrderThenValue);
        assert.deepEqual([...seen].sort(byOrderThenValue), expected);
        // Descending, at most 4 per series: the two newest timestamps of d1/temp and d1/rh, 2 points each.
        const desc = await collect(store.export({ ...query, deviceIds: ['d1'], order: 'desc', limit: 4 }));
        const [t1, t0] = [DAY0 + 1_499_000, DAY0 + 1_498_000];
        const order = [t1, t1, t1, t1, t0, t0, t0, t0].map((ts, i) => [ts, i % 4 < 2 ? 'temp' : 'rh']);
        assert.deepEqual(desc.map((p) => [p.ts, p.measurement]), order);
        const values = desc.map((p) => p.value as number).sort((a, b) => a - b);
        assert.deepEqual(values, [11_985, 11_986, 11_989, 11_990, 11_993, 11_994, 11_997, 11_998]);
        assert.deepEqual(await collect(store.export({ ...query, deviceIds: [] })), []);
      }));

    it('commits a batch atomically: a failing point leaves nothing of its batch stored', () =>
      withStore(async (store) => {
        await store.write([pt('d1', 'temp', DAY0, 1)]);
        const batch = Array.from({ length: 12_000 }, (_, i) => pt(i % 2 ? 'new1' : 'd1', 'temp', DAY0 + i + 1, i));
        batch.push(pt('new2', 'temp', Number.NaN, 0));
        await assert.rejects(store.write(batch), (error) => isStoreError(error, 'telemetry write failed: '));
        assert.equal(await store.count(), 1);
        assert.deepEqual(await store.query({ deviceIds: ['d1', 'new1', 'new2'], start: 0, end: DAY0 * 2 }), [
          { deviceId: 'd1', measurement: 'temp', unit: null, points: [{ ts: DAY0, value: 1 }] },
        ]);
        assert.deepEqual((await store.latest()).map((p) => p.value), [1]);
        // Series created by the failed batch are not remembered: new series get correct ids afterwards.
        await store.write([pt('other', 'rh', DAY0, 50)]);
        await store.write([pt('new1', 'temp', DAY0, 7)]);
        const after = await store.query({ deviceIds: ['new1', 'other'], start: 0, end: DAY0 * 2 });
        const attributed = after.map((s) => [s.deviceId, s.measurement, s.points.map((p) => p.value)]);
        assert.deepEqual(attributed, [['new1', 'temp', [7]], ['other', 'rh', [50]]]);
        for (const value of [Number.NaN, Number.POSITIVE_INFINITY, {} as unknown as PointValue]) {
          await assert.rejects(store.write([pt('d1', 'temp', DAY0, value)]), (e) => isStoreError(e, 'telemetry write failed: '));
        }
      }));

    it('keeps its data across close and reopen', async () => {
      const first = await fixture.open();
      await first.write([...HOURLY, pt('d2', 'door', DAY0, 'open', { unit: 'state' })]);
      await first.close();
      const store = await fixture.reopen();
      try {
        assert.equal(await store.count(), 13);
        const average = await series(store, { deviceIds: ['d1'], start: DAY0, end: DAY0 + 3 * H, aggregation: 'avg', intervalMs: 3 * H });
        assert.deepEqual(average, [{ ts: DAY0, value: 12.5, count: 12 }]);
        const latest = (await store.latest()).map((p) => [p.deviceId, p.value, p.unit]);
        assert.deepEqual(latest, [['d1', 24, undefined], ['d2', 'open', 'state']]);
        await store.write([pt('d1', 'temp', DAY0 + 5 * H, 99)]);
        assert.equal((await store.latest({ deviceIds: ['d1'] }))[0]?.value, 99);
      } finally {
        await store.close();
      }
    });

    it('rejects every operation once closed, and closing twice is harmless', async () => {
      const store = await fixture.open();
      await store.close();
      await store.close();
      const query = { deviceIds: ['d1'], start: 0, end: 1 };
      await assert.rejects(store.write([pt('d1', 'temp', 0, 1)]), (e) => isStoreError(e, 'telemetry write failed: '));
      await assert.rejects(store.query(query), (e) => isStoreError(e, 'telemetry query failed: '));
      await assert.rejects(store.latest(), (e) => isStoreError(e, 'telemetry latest failed: '));
      await assert.rejects(store.count(), (e) => isStoreError(e, 'telemetry count failed: '));
      await assert.rejects(async () => collect(store.export(query)), (e) => isStoreError(e, 'telemetry export failed: '));
    });
  });
}
