#!/usr/bin/env node
// MCP conformance: starts a test hub with two simulated MCUs, runs @modelcontextprotocol/conformance
// (which needs Node 22: fetched with npx -p node@22) against its /mcp over HTTP, and compares the
// failing scenarios with test/mcp/conformance/expected-failures.json. Exits 0 when they match; 1 when
// a scenario fails unexpectedly or a listed one passes (stale entry); 2 when the suite could not run.
// Works offline once both packages are in the npm cache (npx --prefer-offline).
// Usage: node scripts/mcp-conformance.mjs [--expected <file>]   (default test/mcp/conformance/expected-failures.json)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CONFORMANCE = '@modelcontextprotocol/conformance@0.1.16';
const NODE = 'node@22';
const root = new URL('..', import.meta.url);
const expectedArg = process.argv.indexOf('--expected');
const expectedFile = expectedArg === -1 ? new URL('test/mcp/conformance/expected-failures.json', root) : process.argv[expectedArg + 1];
const RUN_TIMEOUT_MS = 10 * 60_000;

// The hub is TypeScript run from source, its SQLite worker thread included: run under `--import tsx`.
if (!process.execArgv.some((arg) => arg === 'tsx' || arg.startsWith('--import=tsx'))) {
  const child = spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
  process.exit(child.status ?? 1);
}
const { startTestHub } = await import(new URL('test/support/test-hub.ts', root).href);
const { SimulatedMcu } = await import(new URL('src/simulator/index.ts', root).href);

/** Run the suite; resolves with its exit code and output. */
function runSuite(url, outputDir) {
  const args = ['-y', '--prefer-offline', '-p', NODE, '-p', CONFORMANCE, '--', 'conformance', 'server', '--url', url, '--suite', 'all', '-o', outputDir];
  return new Promise((resolve) => {
    const child = spawn(process.platform === 'win32' ? 'npx.cmd' : 'npx', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_UPDATE_NOTIFIER: '1' } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGTERM'), RUN_TIMEOUT_MS);
    child.on('error', (error) => resolve({ code: null, output: `${output}\n${error.message}` }));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Scenario → failed?, from the `=== SUMMARY ===` lines (`✓ name: 1 passed, 0 failed`). */
function summary(output) {
  const results = new Map();
  const start = output.indexOf('=== SUMMARY ===');
  if (start === -1) return results;
  for (const line of output.slice(start).split('\n')) {
    const match = /^\s*[✓✗]\s+([\w-]+):\s+(\d+) passed,\s+(\d+) failed/.exec(line);
    if (match) results.set(match[1], Number(match[3]) > 0);
  }
  return results;
}

/** Failure messages of one scenario, from its checks.json in the output directory. */
function failures(outputDir, scenario) {
  const dir = readdirSync(outputDir).find((d) => d.startsWith(`server-${scenario}-`));
  if (!dir) return [];
  const checks = JSON.parse(readFileSync(join(outputDir, dir, 'checks.json'), 'utf8'));
  return checks.filter((c) => c.status === 'FAILURE').map((c) => `${c.id}: ${c.errorMessage ?? ''}`);
}

const expected = JSON.parse(readFileSync(expectedFile, 'utf8'));
delete expected.$comment;
const outputDir = mkdtempSync(join(tmpdir(), 'llmiot-mcp-conformance-'));
const hub = await startTestHub();
const mcus = ['conf-esp32-1', 'conf-pico-2'].map((hardwareId, i) => new SimulatedMcu({ hardwareId, board: i === 0 ? 'esp32-s3' : 'pico-w', url: hub.mqttUrl, zone: `Zone ${'AB'[i]}` }));
let exitCode = 0;
try {
  await Promise.all(mcus.map((mcu) => mcu.start()));
  const url = `${hub.httpUrl}/mcp`;
  console.log(`MCP conformance (${CONFORMANCE} on ${NODE}) against ${url}`);
  const run = await runSuite(url, outputDir);
  const results = summary(run.output);
  if (results.size === 0) {
    console.error(run.output.trim());
    console.error(
      `\nmcp-conformance: the suite did not run (npx exit ${run.code}). It needs ${CONFORMANCE} and ${NODE} from the npm cache or the npm registry ` +
        '(npx --prefer-offline: network only when they are not cached yet).',
    );
    exitCode = 2;
  } else {
    const unexpected = [...results].filter(([name, failed]) => failed && !(name in expected)).map(([name]) => name);
    const stale = Object.keys(expected).filter((name) => results.get(name) !== true);
    for (const [name, failed] of results) console.log(`${failed ? (name in expected ? 'expected failure' : 'FAILED          ') : 'passed          '}  ${name}`);
    for (const name of unexpected) console.error(`\nunexpected failure: ${name}\n  ${failures(outputDir, name).join('\n  ')}`);
    for (const name of stale) {
      console.error(`\nstale entry in expected-failures.json: ${name} ${results.has(name) ? 'now passes' : 'is not in the suite'} — remove it`);
    }
    const passed = [...results.values()].filter((failed) => !failed).length;
    console.log(`\n${passed} passed, ${results.size - passed} failed (${results.size - passed - unexpected.length} expected), ${stale.length} stale`);
    exitCode = unexpected.length > 0 || stale.length > 0 ? 1 : 0;
  }
} finally {
  await Promise.all(mcus.map((mcu) => mcu.stop()));
  await hub.close();
  rmSync(outputDir, { recursive: true, force: true });
}
process.exit(exitCode);
