/**
 * The MCP conformance suite against the hub's /mcp, through scripts/mcp-conformance.mjs: failing
 * scenarios must be exactly those of expected-failures.json, and a stale or missing entry fails.
 * Needs @modelcontextprotocol/conformance and node@22 in the npm cache (or the npm registry once).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SCRIPT = join(ROOT, 'scripts/mcp-conformance.mjs');
const EXPECTED = join(ROOT, 'test/mcp/conformance/expected-failures.json');

function runScript(args: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

function explain(run: { code: number | null; output: string }): string {
  if (run.code === 2) return `the MCP conformance suite could not run (packages neither cached nor fetchable):\n${run.output}`;
  return run.output;
}

describe('MCP conformance', { timeout: 15 * 60_000 }, () => {
  it('fails exactly the scenarios listed in expected-failures.json, each with a reason', async () => {
    const expected = JSON.parse(readFileSync(EXPECTED, 'utf8')) as Record<string, string>;
    for (const [scenario, reason] of Object.entries(expected)) assert.ok(typeof reason === 'string' && reason.length > 20, `a reason for ${scenario}`);
    const run = await runScript();
    assert.equal(run.code, 0, explain(run));
    assert.match(run.output, /passed\s+server-initialize/);
    assert.match(run.output, /passed\s+dns-rebinding-protection/);
    assert.match(run.output, /passed\s+resources-list/);
  });

  it('fails the run on a stale entry and on an unlisted failure', async () => {
    const expected = JSON.parse(readFileSync(EXPECTED, 'utf8')) as Record<string, string>;
    delete expected['prompts-get-with-image'];
    expected['ping'] = 'listed on purpose: ping passes, so this entry is stale';
    const dir = mkdtempSync(join(tmpdir(), 'llmiot-conformance-'));
    const file = join(dir, 'expected-failures.json');
    writeFileSync(file, JSON.stringify(expected));
    try {
      const run = await runScript(['--expected', file]);
      assert.equal(run.code, 1, explain(run));
      assert.match(run.output, /stale entry in expected-failures\.json: ping now passes/);
      assert.match(run.output, /unexpected failure: prompts-get-with-image/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
