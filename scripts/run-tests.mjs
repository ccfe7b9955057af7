#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's test runner (tsx loads TypeScript). Usage: npm test [-- files…]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
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
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
  { stdio: 'inherit', env: { ...process.env, LLMIOT_LOG_LEVEL: process.env.LLMIOT_LOG_LEVEL ?? 'silent' } },
);
process.exit(result.status ?? 1);
