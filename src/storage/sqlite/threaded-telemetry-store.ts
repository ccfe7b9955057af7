/**
 * ThreadedTelemetryStore: the SQLite TelemetryStore run in a worker thread. The hub's event loop only
 * hands batches over (structured clone); inserts, commits and aggregation queries run on another core.
 */
import { Worker } from 'node:worker_threads';
import { HubError } from '../../core/errors.ts';
import type { SeriesResult, TelemetryPoint, TelemetryQuery } from '../../core/telemetry.ts';
import type { TelemetryStore } from '../../core/ports/telemetry-store.ts';
import { encodeBatch } from './point-batch-codec.ts';
import type { RequestBody, WorkerReply } from './telemetry-worker-protocol.ts';

const EXPORT_PAGE = 5_000;

/**
 * Start the worker module beside this one: `telemetry-worker.js` in the compiled package; under tsx
 * (tests, development) the `.ts` source, loaded through tsx's API since Node 20 workers do not
 * inherit `--import` loader hooks.
 */
function startWorker(dataDir: string): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./telemetry-worker.js', import.meta.url), { workerData: { dataDir } });
  const source = new URL('./telemetry-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: { dataDir } });
}

export class ThreadedTelemetryStore implements TelemetryStore {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { what: string; resolve(value: unknown): void; reject(error: unknown): void }>();
  #nextId = 1;
  /** Why the store no longer works (closed, or the thread died); every later call fails with it. */
  #failure: string | undefined;
  #closed: Promise<void> | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (reply: WorkerReply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      if (reply.ok) pending.resolve(reply.result);
      else pending.reject(new HubError(reply.code, reply.message));
    });
    worker.on('error', (error) => this.#fail(`the store thread failed: ${error.message}`));
    worker.on('exit', (code) => this.#fail(`the store thread exited (code ${code})`));
  }

  /** Start the worker on `<dataDir>/hub.db` (already created and migrated by the hub thread). */
  static async open(dataDir: string): Promise<ThreadedTelemetryStore> {
    const worker = startWorker(dataDir);
    const store = new ThreadedTelemetryStore(worker);
    await store.count(); // the worker opened its connection and answers
    return store;
  }

  write(points: readonly TelemetryPoint[]): Promise<void> {
    if (points.length === 0) return Promise.resolve();
    const { batch, transfer } = encodeBatch(points);
    return this.#call({ op: 'write', batch }, transfer) as Promise<void>;
  }

  query(query: TelemetryQuery): Promise<SeriesResult[]> {
    return this.#call({ op: 'query', query }) as Promise<SeriesResult[]>;
  }

  latest(filter?: { deviceIds?: readonly string[]; measurements?: readonly string[] }): Promise<TelemetryPoint[]> {
    return this.#call({ op: 'latest', filter }) as Promise<TelemetryPoint[]>;
  }

  count(): Promise<number> {
    return this.#call({ op: 'count' }) as Promise<number>;
  }

  async *export(query: Omit<TelemetryQuery, 'aggregation' | 'intervalMs'>): AsyncIterable<TelemetryPoint> {
    const cursor = (await this.#call({ op: 'export-open', query })) as number;
    let done = false;
    try {
      while (!done) {
        const page = (await this.#call({ op: 'export-next', cursor, max: EXPORT_PAGE })) as { points: TelemetryPoint[]; done: boolean };
        done = page.done;
        yield* page.points;
      }
    } finally {
      if (!done && !this.#failure) await this.#call({ op: 'export-close', cursor }).catch(() => {});
    }
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (!this.#failure) await this.#call({ op: 'close' }).catch(() => {});
      this.#failure ??= 'the store is closed';
      await this.#worker.terminate();
    })();
    return this.#closed;
  }

  #call(body: RequestBody, transfer: ArrayBuffer[] = []): Promise<unknown> {
    const what = `telemetry ${body.op.startsWith('export') ? 'export' : body.op} failed`;
    if (this.#failure) return Promise.reject(new HubError('STORE_ERROR', `${what}: ${this.#failure}`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { what, resolve, reject });
      this.#worker.postMessage({ id, ...body }, transfer);
    });
  }

  #fail(reason: string): void {
    if (this.#failure) return;
    this.#failure = reason;
    for (const pending of this.#pending.values()) pending.reject(new HubError('STORE_ERROR', `${pending.what}: ${reason}`));
    this.#pending.clear();
  }
}
