import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventBus } from '../../src/core/event-bus.ts';
import { HubError } from '../../src/core/errors.ts';
import { LatestValueCache } from '../../src/core/latest-cache.ts';
import { TelemetryPipeline } from '../../src/core/telemetry-pipeline.ts';
import type { TelemetryPoint } from '../../src/core/telemetry.ts';
import type { TelemetryStore } from '../../src/core/ports/telemetry-store.ts';
import { normalizeTimestamp } from '../../src/core/timestamp.ts';

const T = 1_733_400_000_000;

/** A store that refuses every batch holding a point of device `bad` with value 13 (a constraint the checks cannot see). */
class PickyStore implements Pick<TelemetryStore, 'write'> {
  stored: TelemetryPoint[] = [];
  writes = 0;
  async write(points: readonly TelemetryPoint[]): Promise<void> {
    this.writes++;
    if (points.some((p) => p.value === 13)) throw new Error('constraint violated');
    this.stored.push(...points);
  }
}

function setup() {
  const store = new PickyStore();
  const cache = new LatestValueCache();
  const refused: string[] = [];
  const pipeline = new TelemetryPipeline({
    store: store as unknown as TelemetryStore,
    events: new EventBus(),
    cache,
    flushIntervalMs: 1,
    writeAttempts: 1,
    onRefused: (_point, reason) => refused.push(reason),
  });
  return { store, cache, pipeline, refused };
}

const good = (i: number): TelemetryPoint => ({ deviceId: 'good', measurement: 'temperature', ts: T + i, value: i });

describe('telemetry isolation', () => {
  it('normalises times: seconds to ms, fractions rounded, out of 1970…9999 refused', () => {
    assert.equal(normalizeTimestamp(1_733_400_000.123), 1_733_400_000_123);
    assert.equal(normalizeTimestamp(1_733_400_000_123.5), 1_733_400_000_124);
    assert.equal(normalizeTimestamp(1e20), undefined);
    assert.equal(normalizeTimestamp(Number.NaN), undefined);
    assert.equal(normalizeTimestamp(-5e12), undefined);
  });

  it('refuses invalid points alone: a healthy device sharing the batch loses nothing', async () => {
    const { store, cache, pipeline, refused } = setup();
    const healthy = pipeline.submit([good(1), good(2)]);
    const bad = pipeline.submit([
      { deviceId: 'bad', measurement: 'temperature', ts: 1e20, value: 1 },
      { deviceId: 'bad', measurement: 'temperature', ts: T + 0.5, value: 2 },
      { deviceId: 'bad', measurement: 'humidity', ts: T, value: Number.NaN },
    ]);
    const healthy2 = pipeline.submit([good(3)]);
    await healthy;
    await healthy2;
    await assert.rejects(bad, (e: unknown) => e instanceof HubError && e.code === 'INVALID_PARAMS' && JSON.stringify(e.data).includes('/0'));
    assert.deepEqual(store.stored.filter((p) => p.deviceId === 'good').map((p) => p.value), [1, 2, 3]);
    // The fractional time was rounded and stored; 1e20 and NaN were refused with a reason.
    assert.deepEqual(store.stored.filter((p) => p.deviceId === 'bad').map((p) => p.ts), [T + 1]);
    assert.equal(refused.length, 2);
    assert.equal(pipeline.stats().refused, 2);
    assert.deepEqual(cache.forDevice('bad').map((p) => p.ts), [T + 1]);
    await pipeline.close();
  });

  it('bisects a batch the store refuses and loses only the point it refuses alone', async () => {
    const { store, cache, pipeline, refused } = setup();
    const points = Array.from({ length: 40 }, (_, i) => good(i + 20));
    const healthy = pipeline.submit(points);
    const bad = pipeline.submit([{ deviceId: 'bad', measurement: 'temperature', ts: T, value: 13 }]);
    await healthy;
    await assert.rejects(bad, (e: unknown) => e instanceof HubError && e.code === 'STORE_ERROR');
    assert.equal(store.stored.length, 40);
    assert.deepEqual(refused.length, 1);
    assert.match(refused[0] ?? '', /constraint violated/);
    assert.deepEqual(cache.forDevice('bad'), [], 'a refused point never reaches the latest cache');
    assert.equal(cache.forDevice('good')[0]?.value, 59);
    await pipeline.close();
  });

  it('gives up a batch without a write per point when the store fails as a whole', async () => {
    const { store, pipeline } = setup();
    store.write = async () => {
      store.writes++;
      throw new Error('connection refused');
    };
    await assert.rejects(pipeline.submit(Array.from({ length: 1000 }, (_, i) => good(i))), (e: unknown) => e instanceof HubError && e.code === 'STORE_ERROR');
    const { refused, dropped } = pipeline.stats();
    assert.equal(refused + dropped, 1000);
    assert.ok(refused <= 64, `refused ${refused}`);
    assert.ok(store.writes < 1000, `${store.writes} writes for 1000 points`);
    await pipeline.close();
  });
  it('says whether sending again may help: not for points the store refuses alone, yes when it is down', async () => {
    const { pipeline } = setup();
    // Two points each refused alone, nothing stored: sending them again would fail the same way.
    const poison = pipeline.submit([
      { deviceId: 'bad', measurement: 'temperature', ts: T, value: 13 },
      { deviceId: 'bad', measurement: 'temperature', ts: T + 1, value: 13 },
    ]);
    await assert.rejects(poison, (error: HubError) => error.code === 'STORE_ERROR' && (error.data as { retryable: boolean }).retryable === false);
    await pipeline.close();
    const down = new TelemetryPipeline({
      store: { write: async () => Promise.reject(new Error('connection refused')) } as unknown as TelemetryStore,
      events: new EventBus(),
      cache: new LatestValueCache(),
      flushIntervalMs: 1,
      writeAttempts: 1,
    });
    await assert.rejects(down.submit([good(1)]), (error: HubError) => error.code === 'STORE_ERROR' && (error.data as { retryable: boolean }).retryable === true);
    await down.close().catch(() => undefined);
  });
});
