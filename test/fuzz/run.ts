/**
 * `npm run fuzz -- [--entry NAME] [--inputs N] [--seed S] [--from I] [--max-seconds T] [--json]`: fuzz the hub's entry points
 * (default: all, 10,000 inputs each) and print a report per entry; exits 1 on any failure. See docs/fuzzing.md.
 */
import { parseArgs } from 'node:util';
import { ENTRY_NAMES, type EntryName } from './entry.ts';
import { reproduce, runFuzz, type FuzzReport } from './harness.ts';

const { values } = parseArgs({
  options: {
    entry: { type: 'string', multiple: true },
    inputs: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    from: { type: 'string', default: '0' },
    deadline: { type: 'string', default: '10000' },
    'max-seconds': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const entries = (values.entry ?? [...ENTRY_NAMES]).flatMap((e) => e.split(','));
for (const e of entries) if (!(ENTRY_NAMES as readonly string[]).includes(e)) throw new Error(`--entry ${e}: unknown (use ${ENTRY_NAMES.join(', ')})`);
const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const inputs = Number(values.inputs);
const from = Number(values.from);
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

let failed = false;
for (const entry of entries as EntryName[]) {
  console.log(`fuzz ${entry}: seed ${seed}, inputs ${from}..${from + inputs - 1}`);
  const report: FuzzReport = await runFuzz({ entry, seed, from, inputs, deadlineMs: Number(values.deadline), ...(values['max-seconds'] !== undefined && { maxSeconds: Number(values['max-seconds']) }), progress: (line) => console.log(line) });
  if (values.json) console.log(JSON.stringify(report));
  const top = (counts: Readonly<Record<string, number>>): string =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  console.log(
    [
      `${entry}: ${report.inputs} inputs in ${report.seconds.toFixed(1)} s (${report.inputsPerSecond}/s), seed ${report.seed}`,
      `  crashes ${report.crashes}, hangs ${report.hangs}, failures ${report.failures.length + report.failuresDropped}`,
      `  heap after GC: before ${mib(report.heapBefore)}, after ${mib(report.heapAfter)}; devices ${report.devices}`,
      `  outcomes: ${top(report.codes)}`,
      `  hub rejected: ${top(report.rejected)}`,
      `  hub warnings: ${top(report.warnings)}`,
    ].join('\n'),
  );
  for (const f of report.failures) console.log(`  FAIL ${f.kind} at input ${f.index}: ${f.detail}\n    input: ${f.input}\n    reproduce: ${reproduce(entry, seed, f.index)}`);
  if (report.failures.length + report.failuresDropped > 0) failed = true;
}
process.exit(failed ? 1 : 0);
