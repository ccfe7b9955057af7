/** closeObjectSchemas: declared objects closed by default, open ones open because they say so. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Type } from '@sinclair/typebox';
import { HubError } from '../../src/core/errors.ts';
import { closeObjectSchemas } from '../../src/rpc/closed-schema.ts';
import { defineMethod } from '../../src/rpc/method.ts';
import { MethodRegistry } from '../../src/rpc/method-registry.ts';

const params = Type.Object({
  id: Type.String(),
  filter: Type.Optional(Type.Object({ zone: Type.Optional(Type.String()) })),
  target: Type.Optional(Type.Union([Type.Object({ a: Type.Number() }), Type.Object({ b: Type.Number() })])),
  items: Type.Optional(Type.Array(Type.Object({ v: Type.Number() }))),
  config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  extra: Type.Optional(Type.Object({ k: Type.String() }, { additionalProperties: true })),
});

it('closes every declared object, through unions and arrays, and leaves records and explicit choices open', () => {
  const closed = closeObjectSchemas(params) as any;
  assert.equal(closed.additionalProperties, false);
  assert.equal(closed.properties.filter.additionalProperties, false);
  assert.deepEqual(closed.properties.target.anyOf.map((s: any) => s.additionalProperties), [false, false]);
  assert.equal(closed.properties.items.items.additionalProperties, false);
  assert.equal(closed.properties.config.additionalProperties, undefined);
  assert.equal(closed.properties.extra.additionalProperties, true);
  assert.equal((params as any).additionalProperties, undefined, 'the given schema is not modified');
  assert.ok(Object.getOwnPropertySymbols(closed).length > 0, 'TypeBox symbols are kept');
});

it('the registry validates against the closed schema and names the unknown key', () => {
  const registry = new MethodRegistry();
  registry.add(defineMethod({ name: 'x.y', summary: 's', kind: 'read', params, result: Type.Null(), handler: async () => null }));
  const def = registry.get('x.y');
  assert.ok(def);
  assert.deepEqual(registry.validateParams(def, { id: 'a', config: { anything: 1 }, extra: { k: 'v', more: true } }), { id: 'a', config: { anything: 1 }, extra: { k: 'v', more: true } });
  assert.throws(
    () => registry.validateParams(def, { id: 'a', items: [{ v: 1, w: 2 }] }),
    (e) => e instanceof HubError && e.code === 'INVALID_PARAMS' && e.message === 'Invalid params: unknown key "w" in items.0 (known: v)',
  );
  assert.throws(() => registry.validateParams(def, { id: 'a', idd: 'b' }), (e) => e instanceof HubError && /unknown param "idd" \(known: id, filter, target, items, config, extra\)/.test(e.message));
  // A method without params says so rather than listing nothing.
  registry.add(defineMethod({ name: 'x.none', summary: 's', kind: 'read', params: Type.Object({}), result: Type.Null(), handler: async () => null }));
  assert.throws(
    () => registry.validateParams(registry.get('x.none')!, { x: 1 }),
    (e) => e instanceof HubError && e.message === 'Invalid params: unknown param "x" (this method takes no params)',
  );
});
