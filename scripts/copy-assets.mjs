#!/usr/bin/env node
// Copies the non-TypeScript files the compiled code loads at run time into dist/ (tsc copies only .ts output).
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const ASSETS = ['protocols/sparkplug/codec/sparkplug_b.proto'];
for (const asset of ASSETS) {
  const target = `dist/${asset}`;
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(`src/${asset}`, target);
}
