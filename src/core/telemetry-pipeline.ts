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
import { checkPoint } from './point-check.ts';

export interface PipelineOptions {
  readonly store: TelemetryStore;
  readonly events: EventBus;
  readonly cache: LatestValueCache;
  /** Maps reported names and units to canonical ones (default: a fresh MeasurementMapper). */
  readonly mapper?: MeasurementMapper;
  /** How far ahead of `now` a point's time may be, in ms (default 10 minutes); a later point is refused alone. */
  readonly maxFutureMs?: number;
  /** The hub's clock (default Date.now). */
  readonly now?: () => number;
  /** Points per store transaction (default 5,000). */
  readonly batchSize?: number;
  /** Longest a point waits before its batch is written (default 50 ms). */
  readonly flushIntervalMs?: number;
  /** Points accepted but not yet committed, at most (default 1,000,000 ≈ 200 MB). */
  readonly maxPendingPoints?: number;
  /** Attempts per batch before it is given up (default 3). */
  readonly writeAttempts?: number;
  readonly onWriteError?: (error: unknown, points: number, finalAttempt: boolean) => void;
  /** Told of each point refused alone: invalid at submit (bad time, non-finite value) or refused by the store. */
  readonly onRefused?: (point: TelemetryPoint, reason: string) => void;
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
  /** Points refused one by one (invalid, or the store refused them alone); the others of their batch were kept. */
  refused: number;
  dropped: number;
  pending: number;
  batches: number;
}

/** One submit() call: its points are `points[from, to)` of its batch; it settles when they are committed. */
interface Submission {
  readonly from: number;
  readonly to: number;
  /** Points refused before batching, with why (JSON Pointer into the submitted array). */
  readonly invalid: readonly { path: string; message: string }[];
  readonly total: number;
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

interface Batch {
  readonly points: TelemetryPoint[];
  readonly submissions: Submission[];
}

function newSubmission(from: number, to: number, total: number, invalid: Submission['invalid']): Submission {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  done.catch(() => {}); // callers that do not wait must not cause unhandled rejections
  return { from, to, invalid, total, done, resolve, reject };
}

/** How a batch's commit went so far: points refused alone, and points dropped because the store was failing as a whole. */
interface CommitBudget {
  lone: number;
  readonly dropped: Set<TelemetryPoint>;
}

/**
 * STORE_ERROR `data`: `retryable` when points were dropped because the store was failing as a whole
 * (sending them again later may work; acknowledged-means-stored transports do not acknowledge them),
 * as opposed to points the store refused alone (sending them again would fail the same way).
 */
function retryable(dropped: boolean): { retryable: boolean } {
  return { retryable: dropped };
}

/** Points of one batch that may fail alone before the store is taken to be failing as a whole. */
const MAX_LONE_REFUSALS = 64;

/** Default {@link PipelineOptions.maxFutureMs}: device clocks drift, but not by more than this while synchronised. */
export const DEFAULT_MAX_FUTURE_MS = 10 * 60_000;

function refusal(total: number, invalid: Submission['invalid']): HubError {
  return new HubError('INVALID_PARAMS', `telemetry refused: ${invalid.length} of ${total} points invalid, the others were stored`, { issues: invalid });
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
  readonly #maxFutureMs: number;
  readonly #now: () => number;
  readonly #onWriteError: NonNullable<PipelineOptions['onWriteError']>;
  readonly #onRefused: NonNullable<PipelineOptions['onRefused']>;
  readonly #queue: Batch[] = [];
  readonly #stats: PipelineStats = { accepted: 0, committed: 0, rejected: 0, refused: 0, dropped: 0, pending: 0, batches: 0 };
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
    this.#maxFutureMs = options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS;
    this.#now = options.now ?? Date.now;
    this.#onWriteError = options.onWriteError ?? (() => {});
    this.#onRefused = options.onRefused ?? (() => {});
  }

  /**
   * Accept points. Throws OVERLOADED (nothing accepted) when the pending buffer is full, or
   * SHUTTING_DOWN after close(). The returned promise settles when the points are committed.
   * Cache, subscribers and store all see the points in canonical form. Each point is checked first
   * (point-check.ts): an invalid one is refused alone (counted, `onRefused`), the others go on, and
   * the promise then rejects INVALID_PARAMS naming the refused ones once the others are committed.
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
    const valid: TelemetryPoint[] = [];
    const invalid: { path: string; message: string }[] = [];
    const latest = this.#now() + this.#maxFutureMs;
    for (let i = 0; i < reported.length; i++) {
      const point = reported[i] as TelemetryPoint;
      const checked = checkPoint(point, latest);
      if (typeof checked === 'string') {
        invalid.push({ path: `/${i}`, message: checked });
        this.#refuse(point, checked);
      } else valid.push(checked);
    }
    if (valid.length === 0) {
      const submission = newSubmission(0, 0, reported.length, invalid);
      submission.reject(refusal(reported.length, invalid));
      return submission.done;
    }
    const points = this.#mapper.mapAll(valid);
    let batch = this.#queue.at(-1);
    if (!batch || batch.points.length >= this.#batchSize || (this.#queue.length === 1 && this.#draining)) {
      batch = { points: [], submissions: [] };
      this.#queue.push(batch);
    }
    const from = batch.points.length;
    for (const point of points) batch.points.push(point);
    const submission = newSubmission(from, batch.points.length, reported.length, invalid);
    batch.submissions.push(submission);
    this.#stats.accepted += points.length;
    this.#stats.pending += points.length;
    // The latest-value cache follows commits (#commit, then `telemetry.committed`); live subscribers see valid points at once.
    this.#events.emit('telemetry', { points });
    if (!this.#pressured && this.#stats.pending >= this.#maxPending / 2) this.#pressure(true);
    if (batch.points.length >= this.#batchSize) this.#kick();
    else this.#timer ??= setTimeout(() => this.#kick(), this.#flushIntervalMs);
    return submission.done;
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
    const budget: CommitBudget = { lone: 0, dropped: new Set() };
    const refused = await this.#commit(batch.points, this.#attempts, budget);
    this.#stats.batches++;
    if (refused.size === batch.points.length) {
      // Counted by #commit: refused alone, or dropped once the store was failing as a whole. Sending
      // again may work only for dropped points: a batch whose every point the store refused alone
      // would fail the same way again (a device resending it would loop).
      const error = new HubError('STORE_ERROR', `telemetry write failed: ${batch.points.length} points not stored`, retryable(budget.dropped.size > 0));
      for (const submission of batch.submissions) submission.reject(error);
      return;
    }
    for (const submission of batch.submissions) {
      let lost = 0;
      let dropped = 0;
      for (let i = submission.from; i < submission.to; i++) {
        const point = batch.points[i] as TelemetryPoint;
        if (refused.has(point)) lost++;
        if (budget.dropped.has(point)) dropped++;
      }
      if (lost > 0) submission.reject(new HubError('STORE_ERROR', `telemetry write failed: ${lost} of ${submission.total} points not stored`, retryable(dropped > 0)));
      else if (submission.invalid.length > 0) submission.reject(refusal(submission.total, submission.invalid));
      else submission.resolve();
    }
  }

  /**
   * Write points, retrying the whole set up to `attempts` times (a store briefly away). When it still
   * fails, halve it and write each half once, down to single points: only the points the store
   * refuses alone are lost, never their neighbours. Once {@link MAX_LONE_REFUSALS} points of a batch
   * failed alone the store is failing as a whole, and the rest of the batch is given up without more
   * writes. Returns the points not stored.
   */
  async #commit(points: TelemetryPoint[], attempts: number, budget: CommitBudget, top = true): Promise<Set<TelemetryPoint>> {
    if (budget.lone >= MAX_LONE_REFUSALS) {
      this.#stats.dropped += points.length;
      for (const point of points) budget.dropped.add(point);
      return new Set(points);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#store.write(points);
        this.#stats.committed += points.length;
        this.#cache.update(points);
        this.#events.emit('telemetry.committed', { points });
        return new Set();
      } catch (error) {
        const final = attempt >= attempts;
        // Only the whole batch's attempts are reported; the halves' failures are the bisection at work.
        if (top) this.#onWriteError(error, points.length, final);
        if (final) {
          if (points.length === 1 && top) {
            this.#stats.dropped++; // a batch of one: the store failed, nothing to isolate
            budget.dropped.add(points[0] as TelemetryPoint);
            return new Set(points);
          }
          if (points.length === 1) {
            const point = points[0] as TelemetryPoint;
            budget.lone++;
            this.#refuse(point, `store refused the point: ${error instanceof Error ? error.message : String(error)}`);
            return new Set([point]);
          }
          const half = Math.ceil(points.length / 2);
          const left = await this.#commit(points.slice(0, half), 1, budget, false);
          const right = await this.#commit(points.slice(half), 1, budget, false);
          for (const point of right) left.add(point);
          return left;
        }
        await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
      }
    }
  }

  #refuse(point: TelemetryPoint, reason: string): void {
    this.#stats.refused++;
    this.#onRefused(point, reason);
  }
}
