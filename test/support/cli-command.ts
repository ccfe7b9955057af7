/**
 * How tests start the llm-iot CLI in a child process: the compiled command (bin/llm-iot.js, as a user
 * runs it) when dist/ was built after every source file changed, else the sources under tsx. The
 * compiled command starts in about half the CPU time, and test files that spawn many children (the
 * CLI suite) are the suite's largest CPU cost; a stale dist/ is never used.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin', 'llm-iot.js');
const BUILT = join(ROOT, 'dist', 'cli', 'main.js');
const SOURCE_ENTRY = new URL('./cli-entry.ts', import.meta.url).pathname;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

let cached: readonly string[] | undefined;

/** Node arguments that run the CLI (append the command and its arguments). */
export function cliCommand(): readonly string[] {
  cached ??= existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestSource(join(ROOT, 'src')) ? [BIN] : ['--import', 'tsx', SOURCE_ENTRY];
  return cached;
}
