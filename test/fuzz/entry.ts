/** What an entry point's fuzzer looks like to the harness: it opens clients on a hub and sends one generated input at a time. */
import type { FuzzHub } from './fuzz-hub.ts';
import type { Prng } from './prng.ts';

export const ENTRY_NAMES = ['http', 'ws', 'native', 'sparkplug', 'lwm2m', 'mcp'] as const;
export type EntryName = (typeof ENTRY_NAMES)[number];

export type FailureKind = 'crash' | 'internal-error' | 'hang' | 'hub-error' | 'health' | 'good-device' | 'memory';

/** Where an entry reports what it saw. */
export interface Recorder {
  /** Count an outcome (a JSON-RPC error code, an HTTP status, an ack code…) in the histogram. */
  count(label: string): void;
  /** A finding tied to input `index` (or the inputs in flight around it). */
  fail(kind: FailureKind, index: number, detail: string, input?: Buffer | string): void;
}

/** Open clients of one entry point. */
export interface EntrySession {
  /** Generate input `index` from `rng` and send it; resolves once it is answered (or delivered, where nothing answers). */
  send(rng: Prng, index: number): Promise<void>;
  /** Close the clients. */
  close(): Promise<void>;
}

export interface FuzzEntry {
  readonly name: EntryName;
  /** Inputs in flight at once. */
  readonly concurrency: number;
  open(fh: FuzzHub, recorder: Recorder, options: { readonly deadlineMs: number }): Promise<EntrySession>;
}

/** A short, printable form of an input for a failure line. */
export function showInput(input: Buffer | string | undefined): string {
  if (input === undefined) return '';
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const shown = /[\u0000-\u0008\uFFFD]/.test(text) && typeof input !== 'string' ? `base64:${input.subarray(0, 300).toString('base64')}` : JSON.stringify(text.slice(0, 300));
  return `${shown}${text.length > 300 ? ` …(${text.length} chars)` : ''}`;
}
