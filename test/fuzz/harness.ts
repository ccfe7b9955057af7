/** Runs one entry point's fuzzer against a fresh hub and checks the hub after it: no crash, no hang, health, a good device, memory. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ENTRIES } from './entries.ts';
import { showInput, type EntryName, type FailureKind, type Recorder } from './entry.ts';
import { startFuzzHub, type FuzzHub } from './fuzz-hub.ts';
import { GoodDevice } from './good-device.ts';
import { Prng } from './prng.ts';

export interface FuzzOptions {
  readonly entry: EntryName;
  readonly seed: number;
  /** Index of the first input (to reproduce one: `from` = its index, `inputs` = 1). */
  readonly from: number;
  readonly inputs: number;
  /** Every request must be answered within this (HTTP, WS, MCP). */
  readonly deadlineMs?: number;
  /** Health and the good device are checked every this many inputs, and at the end. */
  readonly checkEvery?: number;
  /** Most heap growth (after GC) allowed between before and after the run. */
  readonly maxHeapGrowthBytes?: number;
  /** Stop sending after this many seconds even if fewer than `inputs` went out (the report says how many did). */
  readonly maxSeconds?: number;
  /** Progress lines (the CLI prints them). */
  readonly progress?: (line: string) => void;
}

export interface Failure {
  readonly kind: FailureKind;
  readonly index: number;
  readonly detail: string;
  readonly input: string;
}

export interface FuzzReport {
  readonly entry: EntryName;
  readonly seed: number;
  readonly from: number;
  readonly inputs: number;
  readonly seconds: number;
  readonly inputsPerSecond: number;
  readonly crashes: number;
  readonly hangs: number;
  readonly failures: readonly Failure[];
  /** Failures beyond the ones kept. */
  readonly failuresDropped: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly devices: number;
  /** Outcomes seen by the fuzz clients: error codes, statuses, acks. */
  readonly codes: Readonly<Record<string, number>>;
  /** Warning lines the hub logged during the run, by message. */
  readonly warnings: Readonly<Record<string, number>>;
  /** The hub's llmiot_messages_rejected_total during the run, by protocol/reason. */
  readonly rejected: Readonly<Record<string, number>>;
}

/** The command that replays input `index` alone. */
export const reproduce = (entry: EntryName, seed: number, index: number): string => `npm run fuzz -- --entry ${entry} --seed ${seed} --from ${index} --inputs 1`;

/** A full GC: the --expose-gc one, or the same function reached through V8 flags (node:test files). */
export function fullGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function heapAfterGc(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

async function rejectedCounts(registry: { get(): Promise<{ values: { labels: Record<string, string | number>; value: number }[] }> }): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await registry.get()).values) if (v.value > 0) out[`${v.labels['protocol']}/${v.labels['reason']}`] = v.value;
  return out;
}

/** A hub and its good device, to run several entries on one hub (the suite does; each CLI run starts its own). */
export interface FuzzTarget {
  readonly fh: FuzzHub;
  readonly good: GoodDevice;
}

export async function startFuzzTarget(config: Parameters<typeof startFuzzHub>[0] = {}): Promise<FuzzTarget> {
  const fh = await startFuzzHub(config);
  try {
    return { fh, good: await GoodDevice.start(fh) };
  } catch (error) {
    await fh.close();
    throw error;
  }
}

/** Fuzz one entry point: on `target` if given (left open), else on a hub of its own. */
export async function runFuzz(options: FuzzOptions, target?: FuzzTarget): Promise<FuzzReport> {
  const entry = ENTRIES[options.entry];
  const deadlineMs = options.deadlineMs ?? 10_000;
  const checkEvery = options.checkEvery ?? 5_000;
  const maxFailures = 50;
  const failures: Failure[] = [];
  let failuresDropped = 0;
  let crashes = 0;
  let hangs = 0;
  const codes: Record<string, number> = {};
  const recorder: Recorder = {
    count: (label) => {
      codes[label] = (codes[label] ?? 0) + 1;
    },
    fail: (kind, index, detail, input) => {
      if (kind === 'crash') crashes++;
      if (kind === 'hang') hangs++;
      if (failures.length >= maxFailures) failuresDropped++;
      else {
        failures.push({ kind, index, detail, input: showInput(input) });
        options.progress?.(`FAIL ${kind} at input ${index}: ${detail.split('\n')[0]}\n  reproduce: ${reproduce(options.entry, options.seed, index)}`);
      }
    },
  };
  let current = options.from;
  const onRejection = (reason: unknown): void => recorder.fail('crash', current, `unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
  const onException = (error: Error): void => recorder.fail('crash', current, `uncaught exception: ${error.stack ?? error.message}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  const gc = fullGc();
  const { fh, good } = target ?? (await startFuzzTarget());
  fh.takeProblems();
  try {
    const healthy = async (index: number): Promise<void> => {
      try {
        const res = await fetch(`${fh.httpUrl}/healthz`, { signal: AbortSignal.timeout(deadlineMs) });
        if (res.status !== 200) recorder.fail('health', index, `/healthz answered ${res.status}: ${await res.text()}`);
        else await res.arrayBuffer();
      } catch (error) {
        recorder.fail('health', index, `/healthz: ${error instanceof Error ? error.message : String(error)}`);
      }
      const problem = await good.check(deadlineMs);
      if (problem !== undefined) recorder.fail('good-device', index, problem);
    };
    const hubProblems = (index: number): void => {
      for (const p of fh.takeProblems()) recorder.fail(p.kind === 'handler-threw' ? 'crash' : 'hub-error', index, p.detail);
    };
    await healthy(options.from);
    hubProblems(options.from);
    const rejectedBefore = await rejectedCounts(fh.hub.metrics.rejected);
    fh.warnings.clear();
    const heapBefore = await heapAfterGc(gc);
    const session = await entry.open(fh, recorder, { deadlineMs });
    const started = Date.now();
    const end = options.from + options.inputs;
    let next = options.from;
    let lastProgress = started;
    const stopAt = options.maxSeconds === undefined ? Number.POSITIVE_INFINITY : started + options.maxSeconds * 1000;
    const worker = async (): Promise<void> => {
      while (next < end && Date.now() < stopAt) {
        const index = next++;
        current = index;
        try {
          await session.send(Prng.forInput(options.seed, index), index);
        } catch (error) {
          recorder.fail('crash', index, `fuzz client failed: ${error instanceof Error ? error.stack : String(error)}`);
        }
        hubProblems(index);
        if ((index - options.from + 1) % checkEvery === 0) {
          await healthy(index);
          if (options.progress && Date.now() - lastProgress > 10_000) {
            lastProgress = Date.now();
            const done = index - options.from + 1;
            options.progress(`${options.entry}: ${done} inputs, ${Math.round(done / ((Date.now() - started) / 1000))}/s, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: entry.concurrency }, worker));
    const seconds = (Date.now() - started) / 1000;
    const sent = next - options.from;
    await session.close();
    await fh.hub.pipeline.flush();
    await healthy(end - 1);
    hubProblems(end - 1);
    const heapAfter = await heapAfterGc(gc);
    if (heapAfter - heapBefore > (options.maxHeapGrowthBytes ?? 64 * 2 ** 20)) {
      recorder.fail('memory', end - 1, `heap grew from ${heapBefore} to ${heapAfter} bytes after GC`);
    }
    const rejectedAfter = await rejectedCounts(fh.hub.metrics.rejected);
    const rejected = Object.fromEntries(Object.entries(rejectedAfter).map(([k, v]) => [k, v - (rejectedBefore[k] ?? 0)]).filter(([, v]) => (v as number) > 0));
    return {
      entry: options.entry,
      seed: options.seed,
      from: options.from,
      inputs: sent,
      seconds,
      inputsPerSecond: Math.round(sent / seconds),
      crashes,
      hangs,
      failures,
      failuresDropped,
      heapBefore,
      heapAfter,
      devices: fh.hub.registry.size,
      codes,
      warnings: Object.fromEntries(fh.warnings),
      rejected,
    };
  } finally {
    if (!target) await fh.close().catch((error: unknown) => recorder.fail('crash', current, `hub close failed: ${String(error)}`));
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  }
}
