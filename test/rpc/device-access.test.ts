// What a device may call: the `deviceAccess` declarations, the dispatcher's check, and ownership.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import { deviceOwnership } from '../../src/app/device-ownership.ts';
import { deviceIdFor } from '../../src/core/device-id.ts';
import type { Device } from '../../src/core/device.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { RpcDispatcher } from '../../src/rpc/dispatcher.ts';
import { defineMethod, type CallContext } from '../../src/rpc/method.ts';
import { MethodRegistry } from '../../src/rpc/method-registry.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

const DEVICE_SIDE = ['device.register', 'device.heartbeat', 'device.offline', 'device.deregister', 'sensor.discover', 'sensor.detached', 'telemetry.report'];

describe('deviceAccess declarations', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub({}, undefined, { bus: 'memory' });
  });
  after(async () => t.close());

  it('exactly the device-side methods are open to devices, and each names only params it has', () => {
    const open = t.hub.methods.list().filter((m) => m.deviceAccess !== undefined);
    assert.deepEqual(open.map((m) => m.name).sort(), [...DEVICE_SIDE].sort());
    for (const method of t.hub.methods.list()) {
      assert.equal(method.tags?.includes('device-side') ?? false, method.deviceAccess !== undefined, `${method.name}: the device-side tag and deviceAccess agree`);
      const properties = (method.params as { properties?: Record<string, unknown> }).properties ?? {};
      for (const param of method.deviceAccess?.self ?? []) assert.ok(param in properties, `${method.name} has a param ${param}`);
    }
  });

  it('rpc.discover tells device authors which methods they may call', async () => {
    const doc = (await t.rpc('rpc.discover')).result as { methods: { name: string; 'x-llmiot-device-access'?: { self: string[] } }[] };
    const open = doc.methods.filter((m) => m['x-llmiot-device-access'] !== undefined);
    assert.deepEqual(open.map((m) => m.name).sort(), [...DEVICE_SIDE].sort());
    assert.deepEqual(doc.methods.find((m) => m.name === 'device.heartbeat')?.['x-llmiot-device-access'], { self: ['device_id'] });
  });
});

describe('the dispatcher checks device calls', () => {
  const ran: string[] = [];
  const methods = new MethodRegistry();
  methods.add(
    defineMethod({
      name: 'thing.list',
      summary: 'An operator method.',
      kind: 'read',
      params: Type.Object({ limit: Type.Integer() }),
      result: Type.Null(),
      async handler() {
        ran.push('thing.list');
        return null;
      },
    }),
  );
  methods.add(
    defineMethod({
      name: 'thing.beat',
      summary: 'A device method about one device.',
      kind: 'write',
      deviceAccess: { self: ['device_id'] },
      params: Type.Object({ device_id: Type.Optional(Type.String()) }),
      result: Type.Null(),
      async handler(params) {
        ran.push(`thing.beat ${params.device_id ?? 'self'}`);
        return null;
      },
    }),
  );
  const dispatcher = new RpcDispatcher(methods, silentLogger, { deviceAccess: { owns: (clientId, ref) => ref === clientId || ref.startsWith(`${clientId}/`) } });
  const device: CallContext = { transport: 'mqtt', clientId: 'node-a', principal: { id: 'device:node-a', kind: 'device', role: undefined } };
  const operator: CallContext = { transport: 'http', principal: { id: 'token:op', kind: 'token', role: 'operator' } };
  const call = (method: string, params: unknown, context: CallContext) => dispatcher.handleMessage({ jsonrpc: '2.0', id: 1, method, params }, context);

  it('refuses an operator method from a device before reading its params, and runs it for anyone else', async () => {
    const refused = await call('thing.list', { limit: 'not a number' }, device);
    assert.deepEqual(refused, { jsonrpc: '2.0', id: 1, error: { code: -32015, message: 'Method not allowed for a device: thing.list', data: { method: 'thing.list' } } });
    assert.deepEqual(await call('thing.list', { limit: 5 }, operator), { jsonrpc: '2.0', id: 1, result: null });
    assert.deepEqual(ran.splice(0), ['thing.list']);
  });

  it('lets a device call a device method about itself or what is attached to it, not about another device', async () => {
    for (const params of [{}, { device_id: 'node-a' }, { device_id: 'node-a/i2c:0x47' }]) {
      assert.deepEqual(await call('thing.beat', params, device), { jsonrpc: '2.0', id: 1, result: null });
    }
    const refused = (await call('thing.beat', { device_id: 'node-b' }, device)) as { error: { code: number; data: unknown } };
    assert.equal(refused.error.code, -32015);
    assert.deepEqual(refused.error.data, { method: 'thing.beat', param: '/device_id', device: 'node-b' });
    assert.deepEqual(await call('thing.beat', { device_id: 'node-b' }, operator), { jsonrpc: '2.0', id: 1, result: null });
    assert.deepEqual(ran.splice(0), ['thing.beat self', 'thing.beat node-a', 'thing.beat node-a/i2c:0x47', 'thing.beat node-b']);
  });

  it('invoke() applies the same checks (batch and in-process calls on behalf of a device)', async () => {
    await assert.rejects(dispatcher.invoke('thing.list', { limit: 1 }, device), { code: 'METHOD_NOT_ALLOWED' });
    await assert.rejects(dispatcher.invoke('thing.beat', { device_id: 'node-b' }, device), { code: 'METHOD_NOT_ALLOWED' });
    assert.deepEqual(ran.splice(0), []);
  });

  it('without a hub-provided check a device owns only its own id (fails closed)', async () => {
    const bare = new RpcDispatcher(methods, silentLogger);
    const answer = (await bare.handleMessage({ jsonrpc: '2.0', id: 2, method: 'thing.beat', params: { device_id: 'node-a/i2c:0x47' } }, device)) as { error?: { code: number } };
    assert.equal(answer.error?.code, -32015);
  });
});

describe('deviceOwnership', () => {
  const mcu = (hardwareId: string, status: Device['status'] = 'online') => ({ id: deviceIdFor(hardwareId), hardwareId, parentId: null, status }) as Device;
  const devices = [mcu('node-a'), mcu('node-b'), mcu('gone', 'deregistered'), { ...mcu('node-b/i2c:0x47'), parentId: deviceIdFor('node-b') } as Device];
  const owns = deviceOwnership({
    get: (id) => devices.find((d) => d.id === id),
    getByHardwareId: (hardwareId) => devices.find((d) => d.hardwareId === hardwareId),
  });

  it('owns itself and its attached devices, by hardware id or UUID', () => {
    assert.equal(owns('node-b', 'node-b'), true);
    assert.equal(owns('node-b', deviceIdFor('node-b')), true);
    assert.equal(owns('node-b', 'node-b/i2c:0x47'), true);
    assert.equal(owns('node-b', deviceIdFor('node-b/i2c:0x47')), true);
  });

  it('owns a new hardware id only when it is its own or under it; an unknown UUID passes (it names nothing)', () => {
    assert.equal(owns('node-c', 'node-c'), true);
    assert.equal(owns('node-c', 'node-c/spi:cs0'), true);
    assert.equal(owns('node-c', 'node-d'), false);
    assert.equal(owns('node-c', 'node-c-evil'), false);
    assert.equal(owns('node-c', deviceIdFor('node-d')), true);
  });

  it('never owns another device, attached or deregistered', () => {
    assert.equal(owns('node-a', 'node-b'), false);
    assert.equal(owns('node-a', 'node-b/i2c:0x47'), false);
    assert.equal(owns('node-a', deviceIdFor('node-b')), false);
    assert.equal(owns('node-a', 'gone'), false);
    // A name under the caller that is registered to someone else is still someone else's.
    devices.push({ ...mcu('node-a/x'), parentId: deviceIdFor('node-b') } as Device);
    assert.equal(owns('node-a', 'node-a/x'), false);
  });
});
