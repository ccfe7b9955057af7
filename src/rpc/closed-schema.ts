/**
 * Closed params: every object schema in a method's params rejects keys it does not declare, unless it
 * says otherwise. A misspelt key (`{"filter":{"modle":"BMP580"}}`, `{"async":true}` on a method without
 * `async`) is an error naming the key, never silently ignored.
 */
import type { TSchema } from '@sinclair/typebox';

/**
 * A deep copy of `schema` in which every object schema with declared `properties` and no
 * `additionalProperties` / `patternProperties` of its own gets `additionalProperties: false`.
 * Open objects stay open because they say so: `Type.Record` (patternProperties, e.g. `static_schema`,
 * `config`, batch `params`) or an explicit `additionalProperties`. TypeBox's symbol keys are kept.
 */
export function closeObjectSchemas<T extends TSchema>(schema: T): T {
  return close(schema) as T;
}

// allOf is left as written: its members are checked one by one, so closing them would refuse each other's keys.
const NESTED_LISTS = ['anyOf', 'oneOf', 'prefixItems'] as const;
const NESTED_ONE = ['items', 'not', 'if', 'then', 'else', 'contains', 'additionalItems'] as const;

function close(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(close);
  if (node === null || typeof node !== 'object') return node;
  const source = node as Record<string | symbol, unknown>;
  const copy: Record<string | symbol, unknown> = {};
  for (const key of Reflect.ownKeys(source)) copy[key] = source[key];
  const properties = source['properties'];
  if (properties !== null && typeof properties === 'object') {
    copy['properties'] = Object.fromEntries(Object.entries(properties).map(([name, value]) => [name, close(value)]));
    if (!('additionalProperties' in source) && !('patternProperties' in source) && !('unevaluatedProperties' in source)) {
      copy['additionalProperties'] = false;
    }
  }
  for (const key of NESTED_LISTS) if (Array.isArray(source[key])) copy[key] = (source[key] as unknown[]).map(close);
  for (const key of NESTED_ONE) if (source[key] !== undefined) copy[key] = close(source[key]);
  return copy;
}
