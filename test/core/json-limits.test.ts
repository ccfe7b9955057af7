/** JSON input limits: depth, keys, items, string length and lone surrogates, each refused with its JSON pointer. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkJsonLimits } from '../../src/core/json-limits.ts';

const limits = { maxDepth: 3, maxKeys: 2, maxItems: 2, maxStringLength: 5 };

describe('checkJsonLimits', () => {
  it('accepts what stays inside every limit', () => {
    assert.equal(checkJsonLimits({ a: [1, 'abc'], b: { c: null } }, limits), undefined);
  });

  it('names the place of each breach as a JSON pointer below the base path', () => {
    assert.deepEqual(checkJsonLimits({ a: { b: { c: {} } } }, limits), { path: '/a/b/c', message: 'nested deeper than 3 levels' });
    assert.deepEqual(checkJsonLimits({ a: 1, b: 2, c: 3 }, limits), { path: '', message: 'object of 3 keys exceeds 2' });
    assert.deepEqual(checkJsonLimits({ x: [1, 2, 3] }, limits), { path: '/x', message: 'array of 3 items exceeds 2' });
    assert.deepEqual(checkJsonLimits({ 'a/b~': ['abcdef'] }, limits, '/params'), { path: '/params/a~1b~0/0', message: 'string of 6 characters exceeds 5' });
    assert.deepEqual(checkJsonLimits({ ['k\uD800']: 1 }, limits), { path: '/k\uD800', message: 'key is not well-formed Unicode (lone surrogate)' });
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.equal(checkJsonLimits(deep)?.message, 'nested deeper than 32 levels');
  });
});
