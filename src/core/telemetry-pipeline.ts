/**
 * TelemetryPipeline: accepts points from every protocol, puts them into the measurement vocabulary
 * (canonical name and unit, the reported ones kept beside them: measurement-mapper.ts), updates the
 * latest-value cache and live subscribers at once, and commits to the TelemetryStore in batches off the hot path. Memory is
 * bounded: past `maxPendingPoints` new points are refused with OVERLOADED so the sender learns.
 */
import type { TelemetryStore } from './ports/telemetry-store.ts';
import { HubError } from './errors.ts';
import type { EventBus } from './event-bus.ts';
import type { LatestValueCache } from './latest-cache.ts';
import { MeasurementMapper } from './measurement-mapper.ts';
import type { TelemetryPoint } from './telemetry.ts';

export interface PipelineOptions {
  readonly store: TelemetryStore;
  readonly events: EventBus;
  readonly cache: LatestValueCache;
  /** Maps reported names and units to canonical ones (default: a fresh MeasurementMapper). */
  readonly mapper?: MeasurementMapper;
  /** Points per store transaction (default 5,000). */
  readonly batchSize?: number;
  /** Longest a point waits before its batch is written (default 50 ms). */
  readonly flushIntervalMs?: number;
  /** Points accepted but not yet committed, at most (default 1,000,000 ≈ 200 MB). */
  readonly maxPendingPoints?: number;
  /** Attempts per batch before it is given up (default 3). */
  readonly writeAttempts?: number;
  readonly onWriteError?: (error: unknown, points: number, finalAttempt: boolean) => void;
  /**
   * Backpressure: called with true when pending points pass half of `maxPendingPoints` (stop taking
   * device input) and with false once they fall below a quarter (resume), before anything is refused.
   */
  readonly onPressure?: (high: boolean) => void;
}

export interface PipelineStats {
  accepted: number;
  committed: number;
  rejected: number;
  dropped: number;
  pending: number;
  batches: number;
}

interface Batch {
  readonly points: TelemetryPoint[];
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  done.catch(() => {}); // callers that do not wait must not cause unhandled rejections
  return { points: [], done, resolve, reject };
}

export class TelemetryPipeline {
  readonly #store: TelemetryStore;
  readonly #events: EventBus;
  readonly #cache: LatestValueCache;
  readonly #mapper: MeasurementMapper;
  readonly #batchSize: number;
  readonly #flushIntervalMs: number;
  readonly #maxPending: number;
  readonly #attempts: number;
  readonly #onWriteError: NonNullable<PipelineOptions['onWriteError']>;
  readonly #queue: Batch[] = [];
  readonly #stats: PipelineStats = { accepted: 0, committed: 0, rejected: 0, dropped: 0, pending: 0, batches: 0 };
  #timer: ReturnType<typeof setTimeout> | undefined;
  #draining: Promise<void> | undefined;
  #closed = false;
  #pressured = false;
  readonly #onPressure: ((high: boolean) => void) | undefined;

  constructor(options: PipelineOptions) {
    this.#onPressure = options.onPressure;
    this.#store = options.store;
    this.#events = options.events;
    this.#cache = options.cache;
    this.#mapper = options.mapper ?? new MeasurementMapper();
    this.#batchSize = options.batchSize ?? 5_000;
    this.#flushIntervalMs = options.flushIntervalMs ?? 50;
    this.#maxPending = options.maxPendingPoints ?? 1_000_000;
    this.#attempts = options.writeAttempts ?? 3;
    this.#onWriteError = options.onWriteError ?? (() => {});
  }

  /**
   * Accept points. Throws OVERLOADED (nothing accepted) when the pending buffer is full, or
   * SHUTTING_DOWN after close(). The returned promise settles when the points are committed.
   * Cache, subscribers and store all see the points in canonical form.
   */
  submit(reported: readonly TelemetryPoint[]): Promise<void> {
    if (this.#closed) throw new HubError('SHUTTING_DOWN', 'telemetry rejected: the hub is shutting down');
    if (reported.length === 0) return Promise.resolve();
    if (this.#stats.pending + reported.length > this.#maxPending) {
      this.#stats.rejected += reported.length;
      throw new HubError('OVERLOADED', `telemetry rejected: ${this.#stats.pending} points already waiting for the store`, {
        pending: this.#stats.pending,
        limit: this.#maxPending,
      });
    }
    const points = this.#mapper.mapAll(reported);
    let batch = this.#queue.at(-1);
    if (!batch || batch.points.length >= this.#batchSize || (this.#queue.length === 1 && this.#draining)) {
      batch = newBatch();
      this.#queue.push(batch);
    }
    for (const point of points) batch.points.push(point);
    this.#stats.accepted += points.length;
    this.#stats.pending += points.length;
    this.#cache.update(points);
    this.#events.emit('telemetry', { points });
    if (!this.#pressured && this.#stats.pending >= this.#maxPending / 2) this.#pressure(true);
    if (batch.points.length >= this.#batchSize) this.#kick();
    else this.#timer ??= setTimeout(() => this.#kick(), this.#flushIntervalMs);
    return batch.done;
  }

  /** Points in canonical form, as submit() would store them (for answers that bypass the store). */
  canonical(points: readonly TelemetryPoint[]): readonly TelemetryPoint[] {
    return this.#mapper.mapAll(points);
  }

  stats(): Readonly<PipelineStats> {
    return { ...this.#stats };
  }

  /** Commit everything accepted so far. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#draining) {
      this.#kick();
      await this.#draining;
    }
  }

  /** Refuse new points, then commit every accepted one. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #pressure(high: boolean): void {
    this.#pressured = high;
    this.#onPressure?.(high);
  }

  #kick(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#draining || this.#queue.length === 0) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      if (this.#queue.length > 0) this.#timer ??= setTimeout(() => this.#kick(), 0);
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue[0] as Batch;
      await this.#write(batch);
      this.#queue.shift();
      this.#stats.pending -= batch.points.length;
      if (this.#pressured && this.#stats.pending <= this.#maxPending / 4) this.#pressure(false);
    }
  }

  async #write(batch: Batch): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#store.write(batch.points);
        this.#stats.committed += batch.points.length;
        this.#stats.batches++;
        batch.resolve();
        return;
      } catch (error) {
        const final = attempt >= this.#attempts;
        this.#onWriteError(error, batch.points.length, final);
        if (final) {
          this.#stats.dropped += batch.points.length;
          batch.reject(new HubError('STORE_ERROR', `telemetry write failed: ${batch.points.length} points not stored`));
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
      }
    }
  }
}
