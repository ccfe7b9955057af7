/** Messages between ThreadedTelemetryStore (hub thread) and telemetry-worker.ts (SQLite thread). */
import type { ErrorCode } from '../../core/errors.ts';
import type { TelemetryQuery } from '../../core/telemetry.ts';
import type { EncodedBatch } from './point-batch-codec.ts';

export type WorkerRequest = { readonly id: number } & (
  | { readonly op: 'write'; readonly batch: EncodedBatch }
  | { readonly op: 'query'; readonly query: TelemetryQuery }
  | { readonly op: 'latest'; readonly filter: { deviceIds?: readonly string[]; measurements?: readonly string[] } | undefined }
  | { readonly op: 'count' }
  | { readonly op: 'export-open'; readonly query: Omit<TelemetryQuery, 'aggregation' | 'intervalMs'> }
  | { readonly op: 'export-next'; readonly cursor: number; readonly max: number }
  | { readonly op: 'export-close'; readonly cursor: number }
  | { readonly op: 'close' }
);

/** Distributes Omit over the request union (TypeScript's Omit does not). */
export type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly code: ErrorCode; readonly message: string };
