/** The Prometheus tools of the distribution's `prometheus` package, for tests; in CI their absence fails the test. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';

/** Why the test cannot run here, or undefined when it can. In CI (CI=true) a missing tool throws instead: nothing is skipped there. */
export function prometheusMissing(binary: string): string | undefined {
  if (existsSync(binary)) return undefined;
  const why = `${binary} is missing: apt-get install -y prometheus (.ci/run installs it)`;
  if (process.env['CI'] === 'true') throw new Error(why);
  return why;
}

/** `promtool check metrics` on an exposition: its complaints (empty when clean) and exit status. */
export function promtoolCheckMetrics(exposition: string): { status: number | null; output: string } {
  const run = spawnSync(PROMTOOL, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}
