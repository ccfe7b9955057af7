#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's test runner (tsx loads TypeScript). Usage: npm test [-- files…]
// Test files run concurrently, each in its own process: most of a test's time is spent waiting on
// sockets, child processes and timers, so twice as many files as CPUs keeps the CPUs busy without
// starving timing-sensitive tests. LLMIOT_TEST_CONCURRENCY overrides (1 runs the files one by one).
// A test that hangs fails after five minutes instead of holding the whole run (its own timeout wins).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...find(path));
    else if (entry.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const files = args.length > 0 ? args : find('test').sort();
const concurrency = Number(process.env.LLMIOT_TEST_CONCURRENCY) || Math.max(2, availableParallelism() * 2);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...files],
  { stdio: 'inherit', env: { ...process.env, LLMIOT_LOG_LEVEL: process.env.LLMIOT_LOG_LEVEL ?? 'silent' } },
);
process.exit(result.status ?? 1);
