// The JSON-RPC 2.0 specification's own examples (§7), run through the dispatcher.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import { silentLogger } from '../../src/log/logger.ts';
import { RpcDispatcher } from '../../src/rpc/dispatcher.ts';
import { defineMethod, type CallContext } from '../../src/rpc/method.ts';
import { MethodRegistry } from '../../src/rpc/method-registry.ts';

// Where §7 sends by-position params (`"params": [42, 23]`) this hub takes named params, so those
// examples are adapted: subtract {minuend, subtrahend}, sum/update/notify_sum {values}, notify_hello
// {value}. Everything else is the spec's text as written. `foobar` is deliberately NOT registered:
// §7 uses it as the non-existent method.
const Values = Type.Object({ values: Type.Array(Type.Number()) });
const updates: number[][] = [];
const hellos: number[] = [];

function specRegistry(): MethodRegistry {
  const registry = new MethodRegistry();
  registry.add(
    defineMethod({
      name: 'subtract',
      summary: 'minuend - subtrahend',
      kind: 'read',
      params: Type.Object({ minuend: Type.Number(), subtrahend: Type.Number() }),
      result: Type.Number(),
      handler: async ({ minuend, subtrahend }) => minuend - subtrahend,
    }),
  );
  registry.add(
    defineMethod({
      name: 'sum',
      summary: 'Sum of values',
      kind: 'read',
      params: Values,
      result: Type.Number(),
      handler: async ({ values }) => values.reduce((a, b) => a + b, 0),
    }),
  );
  registry.add(
    defineMethod({
      name: 'update',
      summary: 'Record values',
      kind: 'write',
      params: Values,
      result: Type.Null(),
      handler: async ({ values }) => {
        updates.push(values);
        return null;
      },
    }),
  );
  registry.add(
    defineMethod({
      name: 'notify_sum',
      summary: 'Sum, as a notification',
      kind: 'read',
      params: Values,
      result: Type.Number(),
      handler: async ({ values }) => values.reduce((a, b) => a + b, 0),
    }),
  );
  registry.add(
    defineMethod({
      name: 'notify_hello',
      summary: 'Say hello',
      kind: 'write',
      params: Type.Object({ value: Type.Number() }),
      result: Type.Null(),
      handler: async ({ value }) => {
        hellos.push(value);
        return null;
      },
    }),
  );
  registry.add(
    defineMethod({
      name: 'get_data',
      summary: 'Some data',
      kind: 'read',
      params: Type.Object({}),
      result: Type.Tuple([Type.String(), Type.Number()]),
      handler: async () => ['hello', 5] as [string, number],
    }),
  );
  return registry;
}

const context: CallContext = { transport: 'internal' };
const dispatcher = new RpcDispatcher(specRegistry(), silentLogger);

async function call(text: string): Promise<unknown> {
  const answer = await dispatcher.handleText(text, context);
  return answer === undefined ? undefined : (JSON.parse(answer) as unknown);
}

/** The spec's error messages are prefixes of ours ("Invalid Request: method must be a string"). */
function normalize(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(normalize);
  const response = value as { error?: { code: number; message: string } };
  if (response.error === undefined) return value;
  return { ...response, error: { code: response.error.code, message: response.error.message.split(':', 1)[0] } };
}

async function expectAnswer(request: string, expected: unknown): Promise<void> {
  assert.deepEqual(normalize(await call(request)), expected);
}

describe('JSON-RPC 2.0 §7 examples', () => {
  it('rpc call with positional parameters (adapted to named params)', async () => {
    await expectAnswer('{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 1}', {
      jsonrpc: '2.0',
      result: 19,
      id: 1,
    });
    await expectAnswer('{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 23, "subtrahend": 42}, "id": 2}', {
      jsonrpc: '2.0',
      result: -19,
      id: 2,
    });
  });

  it('answers the spec text with positional params by -32602, saying named params are required', async () => {
    const answer = (await call('{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}')) as {
      id: number;
      error: { code: number; message: string };
    };
    assert.equal(answer.id, 1);
    assert.equal(answer.error.code, -32602);
    assert.match(answer.error.message, /named params/);
  });

  it('rpc call with named parameters', async () => {
    await expectAnswer('{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}', {
      jsonrpc: '2.0',
      result: 19,
      id: 3,
    });
    await expectAnswer('{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}', {
      jsonrpc: '2.0',
      result: 19,
      id: 4,
    });
  });

  it('a notification (adapted to named params) runs and gets no response', async () => {
    updates.length = 0;
    await expectAnswer('{"jsonrpc": "2.0", "method": "update", "params": {"values": [1,2,3,4,5]}}', undefined);
    assert.deepEqual(updates, [[1, 2, 3, 4, 5]]);
    await expectAnswer('{"jsonrpc": "2.0", "method": "foobar"}', undefined);
  });

  it('rpc call of non-existent method', async () => {
    await expectAnswer('{"jsonrpc": "2.0", "method": "foobar", "id": "1"}', {
      jsonrpc: '2.0',
      error: { code: -32601, message: 'Method not found' },
      id: '1',
    });
  });

  it('rpc call with invalid JSON', async () => {
    await expectAnswer('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]', {
      jsonrpc: '2.0',
      error: { code: -32700, message: 'Parse error' },
      id: null,
    });
  });

  it('rpc call with invalid Request object', async () => {
    await expectAnswer('{"jsonrpc": "2.0", "method": 1, "params": "bar"}', {
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Invalid Request' },
      id: null,
    });
  });

  it('rpc call Batch, invalid JSON', async () => {
    await expectAnswer(
      `[
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method"
      ]`,
      { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null },
    );
  });

  it('rpc call with an empty Array', async () => {
    await expectAnswer('[]', { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null });
  });

  it('rpc call with an invalid Batch (but not empty)', async () => {
    await expectAnswer('[1]', [{ jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null }]);
  });

  it('rpc call with invalid Batch', async () => {
    const invalid = { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null };
    await expectAnswer('[1,2,3]', [invalid, invalid, invalid]);
  });

  it('rpc call Batch (adapted to named params)', async () => {
    hellos.length = 0;
    await expectAnswer(
      `[
        {"jsonrpc": "2.0", "method": "sum", "params": {"values": [1,2,4]}, "id": "1"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": {"value": 7}},
        {"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
      ]`,
      [
        { jsonrpc: '2.0', result: 7, id: '1' },
        { jsonrpc: '2.0', result: 19, id: '2' },
        { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
        { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '5' },
        { jsonrpc: '2.0', result: ['hello', 5], id: '9' },
      ],
    );
    assert.deepEqual(hellos, [7]);
  });

  it('rpc call Batch (all notifications, adapted to named params) gets nothing back', async () => {
    hellos.length = 0;
    await expectAnswer(
      `[
        {"jsonrpc": "2.0", "method": "notify_sum", "params": {"values": [1,2,4]}},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": {"value": 7}}
      ]`,
      undefined,
    );
    assert.deepEqual(hellos, [7]);
  });
});
