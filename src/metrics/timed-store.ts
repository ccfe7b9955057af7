/** A TelemetryStore whose successful writes are timed: the commit latency the telemetry pipeline sees. */
import type { TelemetryStore } from '../core/ports/telemetry-store.ts';
import { secondsSince } from './declare.ts';

/** Wrap `store` for the pipeline: each write that commits is observed, in seconds; failed attempts are not. */
export function timedWrites(store: TelemetryStore, observe: (seconds: number) => void): TelemetryStore {
  return {
    async write(points) {
      const start = performance.now();
      await store.write(points);
      observe(secondsSince(start));
    },
    query: (query) => store.query(query),
    latest: (filter) => store.latest(filter),
    export: (query) => store.export(query),
    count: () => store.count(),
    close: () => store.close(),
  };
}
