/** The Prometheus tools of the distribution's `prometheus` package, for tests; their absence fails the test, never skips it. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';

/**
 * Throw, saying how to install it, when `binary` is missing. The metrics tests are part of the suite
 * like any other: a machine without the package fails them rather than skipping what they check.
 */
export function requirePrometheus(binary: string): void {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: apt-get install -y prometheus (.ci/run installs it)`);
}

/** `promtool check metrics` on an exposition: its complaints (empty when clean) and exit status. */
export function promtoolCheckMetrics(exposition: string): { status: number | null; output: string } {
  const run = spawnSync(PROMTOOL, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}
