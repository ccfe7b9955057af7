/**
 * The tool list as an MCP client receives it: the same bytes with 20 and 2,000 devices, under 16,000
 * bytes (4,000 tokens at bytes/4), and every schema inside a strict, portable JSON Schema subset
 * (the checks a strict inspector and the Anthropic / OpenAI tool validators apply).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { connectInProcess } from '../../src/mcp/in-process.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

const PORTABLE_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);

/** Every problem a strict checker finds in a schema, as "path: problem". */
export function strictSchemaProblems(schema: unknown, path = '#'): string[] {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return [`${path}: not a schema object`];
  const s = schema as Record<string, unknown>;
  const problems: string[] = [];
  for (const banned of ['$ref', '$defs', 'definitions', 'patternProperties', 'oneOf', 'allOf', 'not', 'if', '$dynamicRef']) {
    if (banned in s) problems.push(`${path}: uses ${banned}`);
  }
  const types = Array.isArray(s['type']) ? s['type'] : [s['type']];
  if (s['type'] === undefined || !types.every((t) => typeof t === 'string' && TYPES.has(t))) problems.push(`${path}: no valid type`);
  if (types.includes('object')) {
    const properties = s['properties'] as Record<string, unknown> | undefined;
    const additional = s['additionalProperties'];
    if (properties !== undefined) {
      if (additional !== false) problems.push(`${path}: object with properties is not closed (additionalProperties: false)`);
      for (const [name, property] of Object.entries(properties)) {
        if (typeof (property as { description?: unknown }).description !== 'string') problems.push(`${path}/properties/${name}: no description`);
        problems.push(...strictSchemaProblems(property, `${path}/properties/${name}`));
      }
      for (const required of (s['required'] as string[] | undefined) ?? []) if (!(required in properties)) problems.push(`${path}: requires unknown ${required}`);
      if (Array.isArray(s['required']) && s['required'].length === 0) problems.push(`${path}: empty required`);
    } else if (additional !== undefined && additional !== false) {
      // A map (setting name → value): its values must be a typed, described schema.
      if (typeof (additional as { description?: unknown }).description !== 'string') problems.push(`${path}/additionalProperties: no description`);
      problems.push(...strictSchemaProblems(additional, `${path}/additionalProperties`));
    } else if (path !== '#' && s['description'] === undefined) {
      problems.push(`${path}: an open object with nothing said about it`);
    }
  }
  if (types.includes('array')) {
    if (s['items'] === undefined) problems.push(`${path}: array without items`);
    else problems.push(...strictSchemaProblems(s['items'], `${path}/items`));
  }
  return problems;
}

describe('MCP tool list', () => {
  let t: TestHub;
  let client: Client;
  const ctx = { transport: 'internal' as const };
  let registered = 0;

  async function growTo(devices: number): Promise<void> {
    for (; registered < devices; registered++) {
      await t.hub.dispatcher.invoke(
        'device.register',
        { device_type: 'mcu', hardware_id: `list-${registered}`, static_schema: { manufacturer: 'Espressif', model: `ESP32-S${registered % 4}` }, zone: `Zone ${registered % 50}`, tags: [`t${registered % 7}`] },
        ctx,
      );
    }
  }

  before(async () => {
    t = await startTestHub({}, undefined, { bus: 'memory' });
    client = await connectInProcess(t.hub, { client: new Client({ name: 'list-test', version: '1.0.0' }) });
  });
  after(async () => {
    await client.close();
    await t.close();
  });

  it('is the same bytes with 20 and 2,000 devices, and under 16,000 bytes', async () => {
    await growTo(20);
    const small = JSON.stringify(await client.listTools());
    await growTo(2_000);
    const large = JSON.stringify(await client.listTools());
    assert.equal(t.hub.registry.list().length, 2_000);
    assert.equal(large, small, 'the fleet is not in the tool list');
    const bytes = Buffer.byteLength(large);
    assert.ok(bytes < 16_000, `${bytes} bytes (${Math.ceil(bytes / 4)} tokens at bytes/4)`);
  });

  it('has portable names and strict, closed, described input and output schemas', async () => {
    const { tools } = await client.listTools();
    assert.ok(tools.length >= 8);
    const problems = tools.flatMap((tool: Tool) => [
      ...(PORTABLE_NAME.test(tool.name) ? [] : [`${tool.name}: name not portable`]),
      ...(tool.description ? [] : [`${tool.name}: no description`]),
      ...strictSchemaProblems(tool.inputSchema, `${tool.name} input`),
      ...(tool.outputSchema === undefined ? [] : strictSchemaProblems(tool.outputSchema, `${tool.name} output`)),
    ]);
    assert.deepEqual(problems, []);
    assert.ok(tools.some((tool) => tool.outputSchema !== undefined), 'output schemas are checked too');
  });

  it('the strict check finds what strict validators refuse', () => {
    assert.deepEqual(strictSchemaProblems({ type: 'object', properties: { config: { type: 'object', patternProperties: { '^(.*)$': {} } } }, additionalProperties: false }), [
      '#/properties/config: no description',
      '#/properties/config: uses patternProperties',
      '#/properties/config: an open object with nothing said about it',
    ]);
    assert.deepEqual(strictSchemaProblems({ type: 'object', properties: { a: { $ref: '#/$defs/x', description: 'x' } } }), [
      '#: object with properties is not closed (additionalProperties: false)',
      '#/properties/a: uses $ref',
      '#/properties/a: no valid type',
    ]);
  });
});
