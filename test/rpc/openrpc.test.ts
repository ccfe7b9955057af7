// The OpenRPC document generated from the registry, and rpc.discover served by the dispatcher.
import { LOCAL_ADMIN } from '../../src/core/principal.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import { ERROR_CATALOGUE } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { RpcDispatcher } from '../../src/rpc/dispatcher.ts';
import { defineMethod } from '../../src/rpc/method.ts';
import { MethodRegistry } from '../../src/rpc/method-registry.ts';
import { buildOpenRpcDocument, rpcDiscoverMethod } from '../../src/rpc/openrpc.ts';

const info = { title: 'llm-iot', version: '0.1.0' };

const readSensor = defineMethod({
  name: 'sensor.read',
  summary: 'Read the current value of a sensor.',
  description: 'Asks the device for a fresh reading.',
  kind: 'read',
  tags: ['sensor'],
  params: Type.Object({
    device_id: Type.String({ format: 'uuid', description: 'Sensor UUID' }),
    samples: Type.Optional(Type.Integer({ minimum: 1, default: 1, title: 'Sample count' })),
  }),
  result: Type.Object({ value: Type.Number() }, { description: 'The reading' }),
  examples: [
    { name: 'one reading', params: { device_id: '123e4567-e89b-12d3-a456-426614174000' }, result: { value: 21.5 } },
    { name: 'as a notification', params: { device_id: '123e4567-e89b-12d3-a456-426614174000', samples: 3 } },
  ],
  handler: async () => ({ value: 21.5 }),
});

const reboot = defineMethod({
  name: 'device.reboot',
  summary: 'Reboot a device.',
  kind: 'destructive',
  params: Type.Object({ device_id: Type.String() }),
  result: Type.Null(),
  handler: async () => null,
});

describe('buildOpenRpcDocument', () => {
  const registry = new MethodRegistry().add(readSensor).add(reboot);
  const doc = buildOpenRpcDocument(registry, info);

  it('is an OpenRPC 1.3.2 document with every method, by name, in registration order', () => {
    assert.equal(doc.openrpc, '1.3.2');
    assert.deepEqual(doc.info, info);
    assert.deepEqual(
      doc.methods.map((m) => m.name),
      ['sensor.read', 'device.reboot'],
    );
    for (const method of doc.methods) assert.equal(method.paramStructure, 'by-name');
  });

  it('derives params content descriptors from the object properties, with required', () => {
    const [method] = doc.methods;
    assert.ok(method);
    assert.equal(method.summary, readSensor.summary);
    assert.equal(method.description, readSensor.description);
    assert.deepEqual(method.tags, [{ name: 'sensor' }]);
    assert.equal(method['x-llmiot-kind'], 'read');
    assert.deepEqual(method.params, [
      { name: 'device_id', description: 'Sensor UUID', required: true, schema: { type: 'string', format: 'uuid', description: 'Sensor UUID' } },
      { name: 'samples', summary: 'Sample count', required: false, schema: { type: 'integer', minimum: 1, default: 1, title: 'Sample count' } },
    ]);
    assert.deepEqual(method.result, {
      name: 'result',
      description: 'The reading',
      required: true,
      schema: { type: 'object', properties: { value: { type: 'number' } }, required: ['value'], description: 'The reading' },
    });
    assert.equal(doc.methods[1]?.['x-llmiot-kind'], 'destructive');
  });

  it('writes examples as OpenRPC example pairings; no result means a notification', () => {
    assert.deepEqual(doc.methods[0]?.examples, [
      {
        name: 'one reading',
        params: [{ name: 'device_id', value: '123e4567-e89b-12d3-a456-426614174000' }],
        result: { name: 'one reading result', value: { value: 21.5 } },
      },
      {
        name: 'as a notification',
        params: [
          { name: 'device_id', value: '123e4567-e89b-12d3-a456-426614174000' },
          { name: 'samples', value: 3 },
        ],
      },
    ]);
  });

  it('lists the whole error catalogue under components.errors', () => {
    assert.deepEqual(Object.keys(doc.components.errors), Object.keys(ERROR_CATALOGUE));
    assert.deepEqual(doc.components.errors.PAYLOAD_TOO_LARGE, { code: -32006, message: ERROR_CATALOGUE.PAYLOAD_TOO_LARGE.summary });
  });

  it('is plain JSON (no TypeBox symbols)', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
  });
});

describe('rpc.discover', () => {
  it('serves the document over the dispatcher, including methods added afterwards', async () => {
    const registry = new MethodRegistry();
    registry.add(rpcDiscoverMethod(registry, info));
    registry.add(readSensor);
    const dispatcher = new RpcDispatcher(registry, silentLogger);
    const text = await dispatcher.handleText('{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}', { transport: 'http', principal: LOCAL_ADMIN });
    const answer = JSON.parse(text ?? '') as { result: { openrpc: string; methods: { name: string }[] } };
    assert.equal(answer.result.openrpc, '1.3.2');
    assert.deepEqual(
      answer.result.methods.map((m) => m.name),
      ['rpc.discover', 'sensor.read'],
    );
  });
});
