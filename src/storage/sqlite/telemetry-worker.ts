/**
 * Worker-thread side of ThreadedTelemetryStore: owns its own connection to hub.db and a
 * SqliteTelemetryStore, and serves write / query / latest / count / export requests in order.
 * Keeping SQLite's synchronous work here leaves the hub's event loop to the devices.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HubError } from '../../core/errors.ts';
import type { TelemetryPoint } from '../../core/telemetry.ts';
import { decodeBatch } from './point-batch-codec.ts';
import { SqliteConnection } from './sqlite-connection.ts';
import { SqliteTelemetryStore } from './sqlite-telemetry-store.ts';
import type { WorkerReply, WorkerRequest } from './telemetry-worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('telemetry-worker.ts must run in a worker thread');

const store = new SqliteTelemetryStore(SqliteConnection.open((workerData as { dataDir: string }).dataDir));
const cursors = new Map<number, AsyncIterator<TelemetryPoint>>();
let nextCursor = 1;

async function serve(request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case 'write':
      return store.write(decodeBatch(request.batch));
    case 'query':
      return store.query(request.query);
    case 'latest':
      return store.latest(request.filter);
    case 'count':
      return store.count();
    case 'export-open': {
      const cursor = nextCursor++;
      cursors.set(cursor, store.export(request.query)[Symbol.asyncIterator]());
      return cursor;
    }
    case 'export-next': {
      const iterator = cursors.get(request.cursor);
      if (!iterator) return { points: [], done: true };
      const points: TelemetryPoint[] = [];
      while (points.length < request.max) {
        const next = await iterator.next();
        if (next.done) {
          cursors.delete(request.cursor);
          return { points, done: true };
        }
        points.push(next.value);
      }
      return { points, done: false };
    }
    case 'export-close':
      await cursors.get(request.cursor)?.return?.();
      cursors.delete(request.cursor);
      return undefined;
    case 'close':
      for (const iterator of cursors.values()) await iterator.return?.();
      cursors.clear();
      return store.close();
  }
}

// Requests are served strictly one after another: a write never interleaves with another write.
let queue: Promise<void> = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  queue = queue.then(async () => {
    let reply: WorkerReply;
    try {
      reply = { id: request.id, ok: true, result: await serve(request) };
    } catch (error) {
      reply = {
        id: request.id,
        ok: false,
        code: error instanceof HubError ? error.code : 'STORE_ERROR',
        message: error instanceof Error ? error.message : String(error),
      };
    }
    port.postMessage(reply);
  });
});
