#!/usr/bin/env node
// Project rules the compiler does not check (STYLE.md). Prints each violation; exits 1 if any.
//   - core/ imports nothing outside core/ (no node:*, no protocol, storage, transport or API module)
//   - no import cycles between folders (a protocol plug-in, protocols/<name>/, counts as one folder)
//   - no TypeScript `enum`, `namespace`, `@ts-ignore`, `@ts-nocheck`
//   - file names are kebab-case; every src module starts with a one-line header comment
//   - index.ts files only re-export
//   - tests are never skipped, focused or left as todo
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const problems = [];
const report = (file, message) => problems.push(`${relative(root, file)}: ${message}`);

function walk(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const sources = walk(join(root, 'src')).filter((f) => f.endsWith('.ts'));
const tests = walk(join(root, 'test')).filter((f) => f.endsWith('.ts'));

for (const file of sources) {
  const text = readFileSync(file, 'utf8');
  const name = basename(file);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*(\.generated|\.d)?\.ts$/.test(name)) report(file, 'file name is not kebab-case');
  if (!/^(\/\*\*|\/\/)/.test(text)) report(file, 'missing the one-line header comment');
  if (/^\s*(export\s+)?(const\s+)?enum\s/m.test(text)) report(file, 'enum: use an `as const` object and a union');
  if (/^\s*(export\s+)?namespace\s/m.test(text)) report(file, 'namespace: use modules');
  if (/@ts-(ignore|nocheck)/.test(text)) report(file, '@ts-ignore / @ts-nocheck: fix the type instead');
  if (relative(join(root, 'src'), file).startsWith('core/')) {
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      const spec = match[1];
      // Pure libraries core may use: uuid (RFC 4122 v5 ids need SHA-1, which core must not reimplement).
      if (spec === 'uuid') continue;
      if (!spec.startsWith('.') || !relative(join(root, 'src', 'core'), resolve(dirname(file), spec)).match(/^[^.]/)) {
        report(file, `core/ must not import ${spec}`);
      }
    }
  }
  if (name === 'index.ts') {
    const body = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').trim();
    const statements = body.split(/;\s*/).map((s) => s.trim()).filter(Boolean);
    if (statements.some((s) => !/^export\s+(type\s+)?(\*|\{)/.test(s) && !/^import\s+type\s/.test(s) && !/^import\s*\{[^}]*\}\s*from/.test(s))) {
      report(file, 'index.ts may only re-export');
    }
  }
}

// Folder dependency graph: a file directly in src/ is the composition root; protocols/<name>/ is one unit.
const srcRoot = join(root, 'src');
const unitOf = (file) => {
  const parts = relative(srcRoot, file).split('/');
  if (parts.length === 1) return '.';
  return parts[0] === 'protocols' && parts.length > 2 ? `protocols/${parts[1]}` : parts[0];
};
const edges = new Map();
for (const file of sources) {
  for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const from = unitOf(file);
    const to = unitOf(resolve(dirname(file), match[1]));
    if (from === to) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, relative(root, file));
  }
}
const visiting = [];
const done = new Set();
const visit = (unit) => {
  visiting.push(unit);
  for (const [next, via] of edges.get(unit) ?? []) {
    if (visiting.includes(next)) {
      problems.push(`src/${unit}: import cycle ${[...visiting.slice(visiting.indexOf(next)), next].join(' -> ')} (via ${via})`);
    } else if (!done.has(next)) visit(next);
  }
  visiting.pop();
  done.add(unit);
};
for (const unit of edges.keys()) if (!done.has(unit)) visit(unit);

for (const file of tests) {
  const text = readFileSync(file, 'utf8');
  if (/\b(it|test|describe)\.(skip|todo|only)\(|\{\s*(skip|todo|only)\s*:\s*true/.test(text)) report(file, 'skipped, todo or focused test');
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`\nlint: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`lint: ${sources.length} source and ${tests.length} test files clean`);
