/**
 * Fuzzing in the suite: a bounded, seeded run per entry point (HTTP /rpc, /ws, native MQTT, Sparkplug,
 * LwM2M, MCP). Each asserts no crash, no hang, no -32603 for client input, /healthz green, a good device
 * still stored and commanded mid-run and after, and heap back near its level. `npm run fuzz` runs more.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EntryName } from './entry.ts';
import { reproduce, runFuzz, startFuzzTarget, type FuzzTarget } from './harness.ts';

/** Fixed, so the suite is deterministic; LLMIOT_FUZZ_SEED tries another. */
const SEED = Number(process.env['LLMIOT_FUZZ_SEED'] ?? 20261205) >>> 0;

/** Inputs per entry, sized to keep the file near 15 s on a busy 2-core machine. */
const BUDGET: Readonly<Record<EntryName, number>> = { native: 800, lwm2m: 800, sparkplug: 800, http: 250, ws: 300, mcp: 80 };

describe('fuzz: every entry point survives hostile input', () => {
  // One hub for all six runs (each run still measures its own heap before and after).
  let target: FuzzTarget;
  before(async () => {
    target = await startFuzzTarget();
  });
  after(async () => target.fh.close());

  for (const [entry, inputs] of Object.entries(BUDGET) as [EntryName, number][]) {
    it(`${entry}: ${inputs} seeded inputs, no crash or hang, health and a good device intact, memory back to its level`, async () => {
      const report = await runFuzz({ entry, seed: SEED, from: 0, inputs, checkEvery: Math.ceil(inputs / 2), maxHeapGrowthBytes: 64 * 2 ** 20 }, target);
      const shown = report.failures.map((f) => `${f.kind} at input ${f.index}: ${f.detail}\n  input: ${f.input}\n  reproduce: ${reproduce(entry, SEED, f.index)}`);
      assert.deepEqual(shown, [], `${report.failures.length + report.failuresDropped} failures`);
      assert.equal(report.inputs, inputs);
      assert.equal(report.crashes, 0);
      assert.equal(report.hangs, 0);
      // The fuzzer reached past the envelope: some inputs were refused as invalid params or payloads, some were accepted.
      const outcomes = Object.keys(report.codes).length + Object.keys(report.rejected).length;
      assert.ok(outcomes >= 3, `varied outcomes: ${JSON.stringify({ codes: report.codes, rejected: report.rejected })}`);
    });
  }
});
