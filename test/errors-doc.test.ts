import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ERROR_CATALOGUE } from '../src/core/errors.ts';

it('docs/errors.md lists exactly the catalogue, with the same JSON-RPC codes', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const rows = new Map<string, number>();
  for (const match of doc.matchAll(/^\| `([A-Z_]+)` \| (-\d+) \|/gm)) rows.set(match[1] as string, Number(match[2]));
  const catalogue = new Map(Object.entries(ERROR_CATALOGUE).map(([code, entry]) => [code, entry.rpc as number]));
  assert.deepEqual([...rows.entries()].sort(), [...catalogue.entries()].sort());
  const numbers = [...catalogue.values()];
  assert.equal(new Set(numbers).size, numbers.length, 'every code has its own JSON-RPC number');
});
