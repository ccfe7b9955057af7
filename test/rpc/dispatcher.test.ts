// The dispatcher and the method registry: validation issues, error mapping, response routing, batches.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import { HubError } from '../../src/core/errors.ts';
import { createLogger, type Logger } from '../../src/log/logger.ts';
import { isResponse, RpcDispatcher, type IncomingResponse, type RpcDispatcherOptions } from '../../src/rpc/dispatcher.ts';
import { defineMethod, type CallContext } from '../../src/rpc/method.ts';
import { MethodRegistry } from '../../src/rpc/method-registry.ts';

interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string | undefined;
}

function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (first: object | string, message?: string): void => {
      if (typeof first === 'string') lines.push({ level, fields: {}, message: first });
      else lines.push({ level, fields: first as Record<string, unknown>, message });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const DEVICE = '123e4567-e89b-12d3-a456-426614174000';
const seen: { params: unknown; context: CallContext }[] = [];

function registry(): MethodRegistry {
  const methods = new MethodRegistry();
  methods.add(
    defineMethod({
      name: 'sensor.read',
      summary: 'Read a sensor',
      kind: 'read',
      params: Type.Object({
        device_id: Type.String({ format: 'uuid' }),
        samples: Type.Integer({ minimum: 1, maximum: 10, default: 1 }),
      }),
      result: Type.Object({ value: Type.Number() }),
      handler: async (params, context) => {
        seen.push({ params, context });
        return { value: 21.5 };
      },
    }),
  );
  methods.add(
    defineMethod({
      name: 'device.get',
      summary: 'Get a device',
      kind: 'read',
      params: Type.Object({ device_id: Type.String() }),
      result: Type.Null(),
      handler: async ({ device_id }) => {
        throw new HubError('DEVICE_NOT_FOUND', `Device not found: ${device_id}`, { device_id });
      },
    }),
  );
  methods.add(
    defineMethod({
      name: 'boom',
      summary: 'Fails unexpectedly',
      kind: 'write',
      params: Type.Object({}),
      result: Type.Null(),
      handler: async () => {
        throw new Error('secret database password in /etc/hub.conf');
      },
    }),
  );
  methods.add(
    defineMethod({
      name: 'nothing',
      summary: 'Returns nothing',
      kind: 'write',
      params: Type.Object({}),
      result: Type.Unknown(),
      handler: async () => undefined,
    }),
  );
  methods.add(
    defineMethod({
      name: 'bigint',
      summary: 'Returns a value JSON cannot carry',
      kind: 'read',
      params: Type.Object({}),
      result: Type.Unknown(),
      handler: async () => 10n,
    }),
  );
  return methods;
}

const ctx: CallContext = { transport: 'internal', principal: { id: 'test', kind: 'local', role: 'admin' } };

function setup(options: RpcDispatcherOptions = {}) {
  const logger = recordingLogger();
  return { logger, dispatcher: new RpcDispatcher(registry(), logger, options) };
}

async function answerTo(dispatcher: RpcDispatcher, message: unknown): Promise<any> {
  return dispatcher.handleMessage(message, ctx);
}

describe('MethodRegistry', () => {
  it('rejects a duplicate name and non-object params schemas', () => {
    const methods = registry();
    const again = methods.get('boom');
    assert.ok(again);
    assert.throws(() => methods.add(again), /boom is already registered/);
    assert.throws(
      () =>
        methods.add(
          defineMethod({ name: 'bad', summary: 's', kind: 'read', params: Type.String(), result: Type.Null(), handler: async () => null }),
        ),
      /bad params must be an object schema/,
    );
    assert.deepEqual(
      methods.list().map((m) => m.name),
      ['sensor.read', 'device.get', 'boom', 'nothing', 'bigint'],
    );
  });

  it('fills defaults in place, treats missing params as {}, and lists every issue', () => {
    const methods = registry();
    const def = methods.get('sensor.read');
    assert.ok(def);
    const input = { device_id: DEVICE };
    assert.deepEqual(methods.validateParams(def, input), { device_id: DEVICE, samples: 1 });
    assert.deepEqual(input, { device_id: DEVICE, samples: 1 }, 'defaults land in the parsed params (no copy on the hot path)');
    assert.throws(
      () => methods.validateParams(def, undefined),
      (error: unknown) => error instanceof HubError && error.code === 'INVALID_PARAMS' && /device_id is required/.test(error.message),
    );
  });
});

describe('RpcDispatcher', () => {
  it('puts every schema issue in data.issues of -32602', async () => {
    const { dispatcher } = setup();
    const answer = await answerTo(dispatcher, {
      jsonrpc: '2.0',
      id: 1,
      method: 'sensor.read',
      params: { device_id: 'not-a-uuid', samples: '3' },
    });
    assert.equal(answer.id, 1);
    assert.equal(answer.error.code, -32602);
    assert.equal(answer.error.message, 'Invalid params: /device_id must match format "uuid"');
    assert.deepEqual(answer.error.data.issues, [
      { path: '/device_id', message: 'must match format "uuid"' },
      { path: '/samples', message: 'must be integer' },
    ]);
  });

  it('names the allowed values of a union of literals in one issue, not one "must be equal to constant" per member', () => {
    const registry = new MethodRegistry();
    const params = Type.Object({
      format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('jsonl')])),
      level: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)])),
      value: Type.Optional(Type.Union([Type.Number(), Type.String()])),
    });
    registry.add(defineMethod({ name: 'x.enum', summary: 's', kind: 'read', params, result: Type.Null(), handler: async () => null }));
    const def = registry.get('x.enum');
    assert.ok(def);
    assert.throws(
      () => registry.validateParams(def, { format: 'xml', level: '1' }),
      (e) => {
        assert.ok(e instanceof HubError);
        assert.equal(e.message, 'Invalid params: /format must be one of "csv", "jsonl"');
        assert.deepEqual((e.data as { issues: unknown }).issues, [
          { path: '/format', message: 'must be one of "csv", "jsonl"' },
          { path: '/level', message: 'must be one of 1, 2' },
        ]);
        return true;
      },
    );
    // A union of other schemas keeps Ajv's own issues.
    assert.throws(
      () => registry.validateParams(def, { value: true }),
      (e) => e instanceof HubError && (e.data as { issues: { message: string }[] }).issues.some((i) => i.message === 'must match a schema in anyOf'),
    );
  });

  it('passes validated params, with defaults, and the call context to the handler', async () => {
    const { dispatcher } = setup();
    seen.length = 0;
    const answer = await answerTo(dispatcher, { jsonrpc: '2.0', id: 'a', method: 'sensor.read', params: { device_id: DEVICE } });
    assert.deepEqual(answer, { jsonrpc: '2.0', id: 'a', result: { value: 21.5 } });
    assert.deepEqual(seen[0]?.params, { device_id: DEVICE, samples: 1 });
    assert.equal(seen[0]?.context, ctx);
  });

  it('maps a HubError from a handler to its catalogued code and data', async () => {
    const { dispatcher } = setup();
    const answer = await answerTo(dispatcher, { jsonrpc: '2.0', id: 2, method: 'device.get', params: { device_id: 'x1' } });
    assert.deepEqual(answer, {
      jsonrpc: '2.0',
      id: 2,
      error: { code: -32001, message: 'Device not found: x1', data: { device_id: 'x1' } },
    });
  });

  it('answers an unexpected exception with -32603 and logs the method and stack, leaking nothing', async () => {
    const { dispatcher, logger } = setup();
    const text = await dispatcher.handleText('{"jsonrpc":"2.0","id":3,"method":"boom"}', ctx);
    assert.deepEqual(JSON.parse(text ?? ''), { jsonrpc: '2.0', id: 3, error: { code: -32603, message: 'Internal error' } });
    assert.doesNotMatch(text ?? '', /secret|hub\.conf|at /);
    const line = logger.lines.find((l) => l.level === 'error');
    assert.equal(line?.fields['method'], 'boom');
    assert.match(String((line?.fields['err'] as Error).stack), /secret database password/);
  });

  it('never answers a notification, even when it fails', async () => {
    const { dispatcher, logger } = setup();
    assert.equal(await answerTo(dispatcher, { jsonrpc: '2.0', method: 'boom' }), undefined);
    assert.equal(await answerTo(dispatcher, { jsonrpc: '2.0', method: 'sensor.read', params: { device_id: 1 } }), undefined);
    assert.equal(await answerTo(dispatcher, { jsonrpc: '2.0', method: 'nope' }), undefined);
    assert.ok(logger.lines.some((l) => l.level === 'error' && l.fields['method'] === 'boom'));
  });

  it('rejects malformed requests with -32600, echoing a usable id', async () => {
    const { dispatcher } = setup();
    const cases: [unknown, unknown][] = [
      [{ jsonrpc: '1.0', id: 7, method: 'boom' }, 7],
      [{ id: 8, method: 'boom' }, 8],
      [{ jsonrpc: '2.0', id: { x: 1 }, method: 'boom' }, null],
      [{ jsonrpc: '2.0', id: true, method: 'boom' }, null],
      [{ jsonrpc: '2.0', id: 9, method: 'boom', params: null }, 9],
      [{ jsonrpc: '2.0', id: 10, method: 'boom', params: 'x' }, 10],
      // An id that is itself invalid (beyond the JSON input limits) could not be determined: null, never echoed.
      [{ jsonrpc: '2.0', id: 'x'.repeat(200_000), method: 'nothing' }, null],
      [{ jsonrpc: '2.0', id: '\uD800', method: 'nothing' }, null],
      [{ jsonrpc: '2.0', id: 'y'.repeat(70_000), method: 'boom', params: { ['k'.repeat(70_000)]: 1 } }, null],
      // A valid id is still echoed when something else in the envelope breaks a limit.
      [{ jsonrpc: '2.0', id: 'ok', method: 'nothing', ['k'.repeat(70_000)]: 1 }, 'ok'],
      ['just a string', null],
      [null, null],
    ];
    for (const [request, id] of cases) {
      const answer = await answerTo(dispatcher, request);
      assert.equal(answer.error.code, -32600, JSON.stringify(request));
      assert.equal(answer.id, id, JSON.stringify(request));
    }
  });

  it('answers an id of null (a request, not a notification)', async () => {
    const { dispatcher } = setup();
    assert.deepEqual(await answerTo(dispatcher, { jsonrpc: '2.0', id: null, method: 'nothing' }), { jsonrpc: '2.0', id: null, result: null });
  });

  it('answers -32602 to positional params, naming the rule', async () => {
    const { dispatcher } = setup();
    const answer = await answerTo(dispatcher, { jsonrpc: '2.0', id: 4, method: 'sensor.read', params: [DEVICE] });
    assert.equal(answer.error.code, -32602);
    assert.match(answer.error.message, /named params/);
  });

  it('refuses a batch larger than maxBatch with one -32600', async () => {
    const { dispatcher } = setup({ maxBatch: 2 });
    const request = { jsonrpc: '2.0', id: 1, method: 'nothing' };
    const answer = await answerTo(dispatcher, [request, request, request]);
    assert.equal(Array.isArray(answer), false);
    assert.equal(answer.error.code, -32600);
    assert.match(answer.error.message, /batch of 3 exceeds the limit of 2/);
    assert.equal((await answerTo(dispatcher, [request, request])).length, 2);
  });

  it('answers -32603 for a result that cannot be serialized, keeping the rest of the batch', async () => {
    const { dispatcher } = setup();
    const text = await dispatcher.handleText(
      '[{"jsonrpc":"2.0","id":1,"method":"bigint"},{"jsonrpc":"2.0","id":2,"method":"nothing"}]',
      ctx,
    );
    assert.deepEqual(JSON.parse(text ?? ''), [
      { jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'Internal error' } },
      { jsonrpc: '2.0', id: 2, result: null },
    ]);
  });

  it('hands responses to onResponse with their context instead of answering them', async () => {
    const routed: { message: IncomingResponse; context: CallContext }[] = [];
    const { dispatcher } = setup({ onResponse: (message, context) => routed.push({ message, context }) });
    const response = { jsonrpc: '2.0', id: 'cmd-1', result: { ok: true } };
    const failed = { jsonrpc: '2.0', id: 'cmd-2', error: { code: -32000, message: 'motor stalled' } };
    assert.equal(await answerTo(dispatcher, response), undefined);
    const batch = await answerTo(dispatcher, [failed, { jsonrpc: '2.0', id: 5, method: 'nothing' }]);
    assert.deepEqual(batch, [{ jsonrpc: '2.0', id: 5, result: null }]);
    assert.deepEqual(
      routed.map((r) => r.message),
      [response, failed],
    );
    assert.equal(routed[0]?.context, ctx);
  });

  it('drops responses, answering nothing, when no onResponse is given', async () => {
    const { dispatcher, logger } = setup();
    assert.equal(await answerTo(dispatcher, { jsonrpc: '2.0', id: 1, result: 3 }), undefined);
    assert.ok(logger.lines.some((l) => l.level === 'warn'));
  });

  it('isResponse tells responses from requests', () => {
    assert.equal(isResponse({ jsonrpc: '2.0', id: 1, result: null }), true);
    assert.equal(isResponse({ jsonrpc: '2.0', id: 1, error: { code: 1, message: 'x' } }), true);
    assert.equal(isResponse({ jsonrpc: '2.0', id: 1, method: 'm', result: 1 }), false);
    assert.equal(isResponse({ jsonrpc: '2.0', id: 1 }), false);
    assert.equal(isResponse([{ result: 1 }]), false);
  });

  it('invoke() runs a method in-process and throws catalogued errors', async () => {
    const { dispatcher } = setup();
    assert.deepEqual(await dispatcher.invoke('sensor.read', { device_id: DEVICE }, ctx), { value: 21.5 });
    await assert.rejects(dispatcher.invoke('missing', {}, ctx), (error: unknown) => error instanceof HubError && error.code === 'METHOD_NOT_FOUND');
  });
});

describe('logger', () => {
  it('createLogger gives a pino logger usable as Logger, level from LLMIOT_LOG_LEVEL', () => {
    const logger: Logger = createLogger({ env: { LLMIOT_LOG_LEVEL: 'silent' } });
    logger.info({ a: 1 }, 'quiet');
    assert.equal(createLogger({ env: {} }).level, 'info');
    assert.equal(createLogger({ env: { LLMIOT_LOG_LEVEL: 'debug' } }).level, 'debug');
    assert.throws(() => createLogger({ env: { LLMIOT_LOG_LEVEL: 'loud' } }), /LLMIOT_LOG_LEVEL: unknown level "loud"/);
  });
});
