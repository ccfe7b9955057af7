import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventBus } from '../../src/core/event-bus.ts';
import { HubError } from '../../src/core/errors.ts';
import { LatestValueCache } from '../../src/core/latest-cache.ts';
import { TelemetryPipeline } from '../../src/core/telemetry-pipeline.ts';
import type { TelemetryPoint } from '../../src/core/telemetry.ts';
import type { TelemetryStore } from '../../src/core/ports/telemetry-store.ts';

/** A store that records batches and can be made slow or failing. */
class RecordingStore implements Pick<TelemetryStore, 'write'> {
  batches: TelemetryPoint[][] = [];
  failuresLeft = 0;
  gate: Promise<void> | undefined;
  async write(points: readonly TelemetryPoint[]): Promise<void> {
    if (this.gate) await this.gate;
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('database is locked');
    }
    this.batches.push([...points]);
  }
}

const point = (i: number, extra: Partial<TelemetryPoint> = {}): TelemetryPoint => ({ deviceId: 'd', measurement: 'temperature', ts: 1000 + i, value: i, ...extra });

function setup(options: { batchSize?: number; maxPendingPoints?: number; writeAttempts?: number } = {}) {
  const store = new RecordingStore();
  const events = new EventBus();
  const cache = new LatestValueCache();
  const seen: number[] = [];
  events.on('telemetry', ({ points }) => seen.push(points.length));
  const pipeline = new TelemetryPipeline({ store: store as unknown as TelemetryStore, events, cache, flushIntervalMs: 5, ...options });
  return { store, cache, pipeline, seen };
}

describe('TelemetryPipeline', () => {
  it('commits points in batches and resolves submitters at commit', async () => {
    const { store, pipeline, seen } = setup({ batchSize: 3 });
    const done = pipeline.submit([point(1), point(2)]);
    await pipeline.submit([point(3), point(4)]);
    await done;
    assert.deepEqual(store.batches.flat().map((p) => p.value), [1, 2, 3, 4]);
    assert.deepEqual(seen, [2, 2]);
    assert.equal(pipeline.stats().committed, 4);
    assert.equal(pipeline.stats().pending, 0);
  });

  it('announces points as committed only once the store has them and the cache serves them', async () => {
    const { store, cache, pipeline } = setup();
    const bus = new EventBus();
    const committed: { values: unknown[]; stored: number; cached: unknown[] }[] = [];
    bus.on('telemetry.committed', ({ points }) => committed.push({ values: points.map((p) => p.value), stored: store.batches.flat().length, cached: cache.forDevice('d').map((p) => p.value) }));
    let release!: () => void;
    store.gate = new Promise((resolve) => (release = resolve));
    const write = store.write.bind(store);
    const writing = new Promise<void>((resolve) => {
      store.write = (points) => {
        resolve();
        return write(points);
      };
    });
    const gated = new TelemetryPipeline({ store: store as unknown as TelemetryStore, events: bus, cache, flushIntervalMs: 5 });
    const done = gated.submit([point(1), point(2)]);
    await writing;
    assert.deepEqual(committed, [], 'accepted and being written, not committed: nothing announced');
    release();
    await done;
    assert.deepEqual(committed, [{ values: [1, 2], stored: 2, cached: [2] }]);
  });

  it('gives cache, subscribers and store the canonical name and unit, with the reported ones beside them', async () => {
    const { store, cache, pipeline } = setup();
    const events: TelemetryPoint[] = [];
    const bus = new EventBus();
    bus.on('telemetry', ({ points }) => events.push(...points));
    const mapped = new TelemetryPipeline({ store: store as unknown as TelemetryStore, events: bus, cache, flushIntervalMs: 5 });
    await mapped.submit([point(1, { measurement: 'Sensors/temperature', unit: '°F', value: 212 }), point(2, { unit: 'Cel' })]);
    const expected = { deviceId: 'd', measurement: 'temperature', ts: 1001, value: 212, unit: '[degF]', sourceMeasurement: 'Sensors/temperature', sourceUnit: '°F' };
    assert.deepEqual(store.batches.flat()[0], expected);
    assert.deepEqual(events[0], expected);
    assert.deepEqual(store.batches.flat()[1], point(2, { unit: 'Cel' }));
    assert.deepEqual(cache.forDevice('d').map((p) => p.value), [2]);
    await pipeline.close();
    await mapped.close();
  });

  it('updates the latest-value cache once the points are committed, ignoring historical and older points', async () => {
    const { cache, pipeline } = setup();
    const done = pipeline.submit([point(5), point(9, { historical: true }), point(3)]);
    assert.deepEqual(cache.forDevice('d'), [], 'nothing in the cache before the commit');
    await done;
    assert.deepEqual(cache.forDevice('d').map((p) => p.value), [5]);
  });

  it('refuses alone a point further ahead of the hub clock than maxFutureMs, so it cannot hold the latest value', async () => {
    const store = new RecordingStore();
    const cache = new LatestValueCache();
    const now = 1_765_000_000_000;
    const pipeline = new TelemetryPipeline({ store: store as unknown as TelemetryStore, events: new EventBus(), cache, flushIntervalMs: 5, maxFutureMs: 60_000, now: () => now });
    const year9999 = Date.parse('9999-12-31T23:59:59.999Z');
    await assert.rejects(
      pipeline.submit([point(0, { ts: year9999, value: 11 }), point(0, { ts: now + 60_001, value: 22 }), point(0, { ts: now + 60_000, value: 33 }), point(0, { ts: now, value: 44 })]),
      (e: unknown) => {
        assert.ok(e instanceof HubError && e.code === 'INVALID_PARAMS');
        const issues = (e.data as { issues: { path: string; message: string }[] }).issues;
        assert.deepEqual(issues.map((i) => i.path), ['/0', '/1']);
        assert.match(issues[0]!.message, /^timestamp 9999-12-31T23:59:59\.999Z is in the future: the hub takes points up to 2025-12-06T05:47:40\.000Z/);
        return true;
      },
    );
    assert.deepEqual(store.batches.flat().map((p) => p.value), [33, 44], 'the points within the allowed skew are stored');
    assert.deepEqual(cache.forDevice('d').map((p) => p.value), [33]);
    assert.equal(pipeline.stats().refused, 2);
    await pipeline.close();
  });

  it('keeps a batch whose write finally failed out of the latest-value cache', async () => {
    const { store, cache, pipeline } = setup({ writeAttempts: 1 });
    store.failuresLeft = 1;
    await assert.rejects(pipeline.submit([point(5)]), (e: unknown) => e instanceof HubError && e.code === 'STORE_ERROR');
    assert.deepEqual(cache.forDevice('d'), []);
  });

  it('refuses points with OVERLOADED when the pending buffer is full, keeping what it accepted', async () => {
    const { store, pipeline } = setup({ batchSize: 2, maxPendingPoints: 4 });
    let open!: () => void;
    store.gate = new Promise((resolve) => (open = resolve));
    const accepted = pipeline.submit([point(1), point(2), point(3), point(4)]);
    assert.throws(() => pipeline.submit([point(5)]), (e: unknown) => e instanceof HubError && e.code === 'OVERLOADED');
    open();
    store.gate = undefined;
    await accepted;
    await pipeline.flush();
    assert.equal(pipeline.stats().committed, 4);
    assert.equal(pipeline.stats().rejected, 1);
  });

  it('retries a failed write and tells the submitter when the batch is finally lost', async () => {
    const { store, pipeline } = setup({ writeAttempts: 2 });
    store.failuresLeft = 1;
    await pipeline.submit([point(1)]);
    assert.equal(store.batches.length, 1);
    store.failuresLeft = 2;
    await assert.rejects(pipeline.submit([point(2)]), (e: unknown) => e instanceof HubError && e.code === 'STORE_ERROR');
    assert.equal(pipeline.stats().dropped, 1);
  });

  it('flushes everything on close and then refuses new points', async () => {
    const { store, pipeline } = setup({ batchSize: 1000 });
    void pipeline.submit(Array.from({ length: 2500 }, (_, i) => point(i)));
    await pipeline.close();
    assert.equal(store.batches.flat().length, 2500);
    assert.throws(() => pipeline.submit([point(1)]), (e: unknown) => e instanceof HubError && e.code === 'SHUTTING_DOWN');
  });
});

describe('TelemetryPipeline backpressure', () => {
  it('asks to pause input at half the buffer and to resume at a quarter, before refusing anything', async () => {
    const { store } = setup();
    const signals: boolean[] = [];
    const p = new TelemetryPipeline({
      store: store as unknown as TelemetryStore,
      events: new EventBus(),
      cache: new LatestValueCache(),
      batchSize: 10,
      maxPendingPoints: 100,
      flushIntervalMs: 1,
      onPressure: (high) => signals.push(high),
    });
    let open!: () => void;
    store.gate = new Promise((resolve) => (open = resolve));
    for (let i = 0; i < 6; i++) void p.submit(Array.from({ length: 10 }, (_, j) => point(i * 10 + j)));
    assert.deepEqual(signals, [true]);
    assert.equal(p.stats().rejected, 0);
    open();
    store.gate = undefined;
    await p.flush();
    assert.deepEqual(signals, [true, false]);
    assert.equal(p.stats().committed, 60);
  });
});
