/** LwM2M operations as JSON-RPC methods, each round trip answered by a scripted device on `up/resp`. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceIdFor } from '../../../src/core/device-id.ts';
import { eventually, startTestHub, type TestHub } from '../../support/test-hub.ts';
import { coded, content, metricValue, rpcError, ScriptedDevice } from './scripted-device.ts';

const ENDPOINT = 'ops-node-1';
const registration = {
  endpoint: ENDPOINT,
  lifetime: 300,
  version: '1.2',
  bindingMode: 'M',
  objects: {
    '3': { '0': { '0': 'Acme', '1': 'Ops-1', '9': 90 } },
    '3303': { '0': { '5700': 20, '5701': 'Cel' } },
  },
};

describe('LwM2M operations over JSON-RPC', () => {
  let t: TestHub;
  let device: ScriptedDevice;
  before(async () => {
    t = await startTestHub({ commandTimeout: 3000 });
    device = await ScriptedDevice.connect(t, ENDPOINT);
    await device.register(registration);
  });
  after(async () => t.close());

  it('read: sends {"reqID","msgType":"read","data":{"path"}} and answers typed content', async () => {
    device.script = (request) => content([{ path: request.data.path, value: '21.5' }]);
    const answer = await t.rpc('lwm2m.read', { device_id: ENDPOINT, path: '/3303/0/5700' });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    const sent = device.requests('read').at(-1);
    assert.ok(sent !== undefined && Number.isInteger(sent.reqID));
    assert.deepEqual(sent, { reqID: sent.reqID, msgType: 'read', data: { path: '/3303/0/5700' } });
    assert.deepEqual(answer.result, { path: '/3303/0/5700', code: '2.05', code_msg: 'content', content: [{ path: '/3303/0/5700', value: 21.5 }], value: 21.5 });
    const commands = await t.rpc('command.list', { device_id: ENDPOINT, method: 'lwm2m.read' });
    assert.equal(commands.result.commands[0].state, 'succeeded');
    assert.deepEqual(commands.result.commands[0].params, { path: '/3303/0/5700' });
  });

  it('read on an attached sensor goes to its MCU; a 4.04 answer is a DEVICE_ERROR carrying the CoAP code', async () => {
    device.script = () => coded('4.04', 'not_found');
    const answer = await t.rpc('lwm2m.read', { device_id: `${ENDPOINT}/lwm2m:3303/0`, path: '/3303/0/5601' });
    assert.equal(answer.error?.code, -32004, JSON.stringify(answer));
    assert.equal(rpcError(answer).data.device_error.data.coap_code, '4.04');
    assert.equal(rpcError(answer).data.device_error.message, '4.04 not_found: /3303/0/5601');
    assert.equal(rpcError(answer).data.device_id, deviceIdFor(`${ENDPOINT}/lwm2m:3303/0`));
  });

  it('write: converts the value to the resource type; wrong type, read-only resource or unknown path → -32602 with the path, nothing sent', async () => {
    device.script = () => coded('2.04', 'changed');
    const written = await t.rpc('lwm2m.write', { device_id: ENDPOINT, path: '/3/0/13', value: '2025-09-30T10:35:00Z' });
    assert.equal(written.error, undefined, JSON.stringify(written.error));
    assert.deepEqual(written.result, { path: '/3/0/13', code: '2.04', code_msg: 'changed' });
    assert.deepEqual(device.requests('write').at(-1)?.data, { path: '/3/0/13', type: 'Time', value: 1759228500 });
    const text = await t.rpc('lwm2m.write', { device_id: ENDPOINT, path: '/3303/0/5750', value: 'Indoor' });
    assert.equal(text.error, undefined);
    assert.deepEqual(device.requests('write').at(-1)?.data, { path: '/3303/0/5750', type: 'String', value: 'Indoor' });
    const batch = await t.rpc('lwm2m.write', { device_id: ENDPOINT, path: '/3/0', value: { '14': '+02:00', '15': 'Europe/Berlin' } });
    assert.equal(batch.error, undefined, JSON.stringify(batch.error));
    assert.deepEqual(device.requests('write').at(-1)?.data, {
      basePath: '/3/0',
      content: [
        { path: '/14', type: 'String', value: '+02:00' },
        { path: '/15', type: 'String', value: 'Europe/Berlin' },
      ],
    });
    const sent = device.requests('write').length;
    const wrongType = await t.rpc('lwm2m.write', { device_id: ENDPOINT, path: '/3/0/13', value: 'yesterday' });
    assert.equal(rpcError(wrongType).code, -32602);
    assert.match(rpcError(wrongType).message, /\/3\/0\/13: expected Time/);
    assert.equal(rpcError(wrongType).data.lwm2m_path, '/3/0/13');
    assert.equal(rpcError(wrongType).data.issues[0].path, '/value');
    const readOnly = await t.rpc('lwm2m.write', { device_id: ENDPOINT, path: '/3/0/0', value: 'Evil Corp' });
    assert.equal(rpcError(readOnly).code, -32602);
    assert.match(rpcError(readOnly).message, /write not allowed on \/3\/0\/0: resource 0 Manufacturer allows R only/);
    const unknown = await t.rpc('lwm2m.write', { device_id: ENDPOINT, path: '/3/0/99', value: 1 });
    assert.equal(rpcError(unknown).code, -32602);
    assert.match(rpcError(unknown).message, /\/3\/0\/99.*has no resource 99/);
    const unknownObject = await t.rpc('lwm2m.read', { device_id: ENDPOINT, path: '/4242/0/1' });
    assert.equal(rpcError(unknownObject).code, -32602);
    assert.match(rpcError(unknownObject).message, /unknown object 4242/);
    const badPath = await t.rpc('lwm2m.read', { device_id: ENDPOINT, path: '/3/x' });
    assert.equal(rpcError(badPath).code, -32602);
    assert.equal(device.requests('write').length, sent, 'nothing invalid reached the device');
  });

  it('mcu.reboot on a LwM2M device is Execute /3/0/4', async () => {
    device.script = () => coded('2.04', 'changed');
    const answer = await t.rpc('mcu.reboot', { mcu_id: ENDPOINT });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    assert.equal(answer.result.rebooting, true);
    assert.deepEqual(device.requests('execute').at(-1)?.data, { path: '/3/0/4' });
    const commands = await t.rpc('command.list', { device_id: ENDPOINT, method: 'mcu.reboot' });
    assert.equal(commands.result.commands[0].state, 'succeeded');
  });

  it('execute with arguments; execute on a readable resource is refused', async () => {
    device.script = () => coded('2.04', 'changed');
    const answer = await t.rpc('lwm2m.execute', { device_id: ENDPOINT, path: '/3303/0/5605', args: "0='now'" });
    assert.equal(answer.error, undefined);
    assert.deepEqual(device.requests('execute').at(-1)?.data, { path: '/3303/0/5605', args: "0='now'" });
    const refused = await t.rpc('lwm2m.execute', { device_id: ENDPOINT, path: '/3303/0/5700' });
    assert.equal(rpcError(refused).code, -32602);
    assert.match(rpcError(refused).message, /execute not allowed on \/3303\/0\/5700/);
  });

  it('mcu.get_status is Read /3/0: the dynamic state document, refreshed in the registry', async () => {
    device.script = (request) =>
      content([
        { path: '/3/0/0', value: 'Acme' },
        { path: '/3/0/3', value: '1.5.0' },
        { path: '/3/0/9', value: 55 },
        { path: '/3/0/10', value: 64 },
        { path: '/3/0/11/0', value: 0 },
      ].filter(() => request.data.path === '/3/0'));
    const answer = await t.rpc('mcu.get_status', { mcu_id: ENDPOINT });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    assert.deepEqual(device.requests('read').at(-1)?.data, { path: '/3/0' });
    assert.equal(answer.result.firmware_version, '1.5.0');
    assert.deepEqual(answer.result.power, { battery_percent: 55 });
    assert.deepEqual(answer.result.resources, { free_heap: 65536 });
    assert.equal(answer.result.last_error, null);
    assert.deepEqual(answer.result.lwm2m.values, { manufacturer: 'Acme', firmware_version: '1.5.0', battery_level: 55, memory_free: 64, error_code_0: 0 });
    const got = await t.rpc('device.get', { device_id: ENDPOINT });
    assert.equal(got.result.dynamic_state.power.battery_percent, 55);
  });

  it('discover answers parsed CoRE links', async () => {
    device.script = () => ({ code: '2.05', codeMsg: 'content', content: ['</3303/0>;dim=3', '</3303/0/5700>;pmin=10;pmax=60', '</3303/0/5701>'] });
    const answer = await t.rpc('lwm2m.discover', { device_id: ENDPOINT, path: '/3303/0' });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    assert.deepEqual(device.requests('discover').at(-1)?.data, { path: '/3303/0' });
    assert.deepEqual(answer.result.links, [
      { path: '/3303/0', attributes: { dim: '3' } },
      { path: '/3303/0/5700', attributes: { pmin: '10', pmax: '60' } },
      { path: '/3303/0/5701', attributes: {} },
    ]);
  });

  it('write_attributes sends pmin/pmax/gt/lt/st; thresholds need a numeric resource', async () => {
    device.script = () => coded('2.04', 'changed');
    const answer = await t.rpc('lwm2m.write_attributes', { device_id: ENDPOINT, path: '/3303/0/5700', pmin: 5, pmax: 60, gt: 30, lt: 10, st: 0.5 });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    assert.deepEqual(device.requests('write-attr').at(-1)?.data, { path: '/3303/0/5700', pmin: 5, pmax: 60, gt: 30, lt: 10, st: 0.5 });
    const text = await t.rpc('lwm2m.write_attributes', { device_id: ENDPOINT, path: '/3303/0/5701', gt: 3 });
    assert.equal(rpcError(text).code, -32602);
    assert.match(rpcError(text).message, /numeric resource/);
    const inverted = await t.rpc('lwm2m.write_attributes', { device_id: ENDPOINT, path: '/3303/0', pmin: 60, pmax: 5 });
    assert.equal(rpcError(inverted).code, -32602);
  });

  it('create adds an instance (a new attached device); delete removes it (deregistered)', async () => {
    device.script = (request) => (request.msgType === 'create' ? { code: '2.01', codeMsg: 'created', location: '/3303/1' } : coded('2.02', 'deleted'));
    const created = await t.rpc('lwm2m.create', { device_id: ENDPOINT, path: '/3303/1', values: { '5750': 'Indoor', '5701': 'Cel' } });
    assert.equal(created.error, undefined, JSON.stringify(created.error));
    assert.deepEqual(device.requests('create').at(-1)?.data, {
      basePath: '/3303',
      content: [
        { path: '/1/5701', type: 'String', value: 'Cel' },
        { path: '/1/5750', type: 'String', value: 'Indoor' },
      ],
    });
    assert.equal(created.result.code, '2.01');
    assert.equal(created.result.location, '/3303/1');
    const sensor = await eventually(async () => {
      const r = await t.rpc('device.get', { device_id: `${ENDPOINT}/lwm2m:3303/1` });
      return r.result?.status === 'online' ? r.result : undefined;
    }, 5000, 'created instance registered');
    assert.equal(sensor.parent_id, deviceIdFor(ENDPOINT));
    const deleted = await t.rpc('lwm2m.delete', { device_id: ENDPOINT, path: '/3303/1' });
    assert.equal(deleted.error, undefined, JSON.stringify(deleted.error));
    assert.deepEqual(device.requests('delete').at(-1)?.data, { path: '/3303/1' });
    await eventually(async () => (await t.rpc('device.get', { device_id: `${ENDPOINT}/lwm2m:3303/1` })).error?.code === -32001, 5000, 'deleted instance deregistered');
    const resourceDelete = await t.rpc('lwm2m.delete', { device_id: ENDPOINT, path: '/3303/0/5700' });
    assert.equal(rpcError(resourceDelete).code, -32602);
  });

  it('observe answers the current value, stores every notification as telemetry; cancel_observe stops it', async () => {
    const sensorId = deviceIdFor(`${ENDPOINT}/lwm2m:3303/0`);
    device.script = (request) => (request.msgType === 'observe' ? content([{ path: '/3303/0/5700', value: 21 }]) : content([{ path: '/3303/0/5700', value: 22.5 }]));
    const observed = await t.rpc('lwm2m.observe', { device_id: ENDPOINT, path: '/3303/0/5700' });
    assert.equal(observed.error, undefined, JSON.stringify(observed.error));
    assert.equal(observed.result.value, 21);
    const observe = device.requests('observe').at(-1);
    assert.ok(observe);
    assert.deepEqual(observe.data, { path: '/3303/0/5700' });
    device.notify(observe, [{ path: '/3303/0/5700', value: 21.75 }], 2);
    device.notify(observe, [{ path: '/3303/0/5700', value: '22.25' }], 3);
    const series = await eventually(async () => {
      const r = await t.rpc('data.query', { device_ids: [sensorId], measurement_types: ['temperature'], order: 'asc' });
      const values = r.result?.series?.[0]?.points?.map((p: any) => p.value) ?? [];
      return values.includes(22.25) ? r.result.series[0] : undefined;
    }, 5000, 'notifications stored');
    assert.deepEqual(series.points.map((p: any) => p.value).slice(-3), [21, 21.75, 22.25]);
    assert.equal(series.unit, 'Cel');
    const cancelled = await t.rpc('lwm2m.cancel_observe', { device_id: ENDPOINT, path: '/3303/0/5700' });
    assert.equal(cancelled.error, undefined, JSON.stringify(cancelled.error));
    assert.deepEqual(device.requests('cancel-observe').at(-1)?.data, { path: '/3303/0/5700' });
    const before = await metricValue(t, 'llmiot_messages_rejected_total', 'protocol="lwm2m",reason="unobserved"');
    device.notify(observe, [{ path: '/3303/0/5700', value: 99 }], 4);
    await eventually(async () => (await metricValue(t, 'llmiot_messages_rejected_total', 'protocol="lwm2m",reason="unobserved"')) === before + 1, 5000, 'late notification refused');
    const latest = await t.rpc('data.latest', { device_ids: [sensorId], measurement_types: ['temperature'] });
    assert.notEqual(latest.result.readings[0].value, 99);
    assert.ok(device.acks('error').some((a) => /no observation/.test(a.data.reason)), 'the device is told');
  });

  it('an unanswered operation times out; async returns the command id at once', async () => {
    device.script = undefined;
    const slow = await t.rpc('lwm2m.read', { device_id: ENDPOINT, path: '/3/0/9', timeout_ms: 300 });
    assert.equal(rpcError(slow).code, -32003);
    const accepted = await t.rpc('lwm2m.read', { device_id: ENDPOINT, path: '/3/0/9', async: true });
    assert.equal(accepted.result.state, 'sent');
    const request = device.requests('read').at(-1);
    assert.ok(request);
    device.answer(request, content([{ path: '/3/0/9', value: 66 }]));
    const done = await t.rpc('command.get', { command_id: accepted.result.command_id, wait: true });
    assert.equal(done.result.state, 'succeeded');
    assert.equal(done.result.result.value, 66);
  });

  it('a device that disconnects mid-command fails it and goes offline', async () => {
    device.script = undefined;
    const pending = t.rpc('lwm2m.read', { device_id: ENDPOINT, path: '/3/0/1', timeout_ms: 20_000 });
    await eventually(() => device.requests('read').some((r) => r.data.path === '/3/0/1'));
    device.client.stream.destroy();
    const answer = await pending;
    assert.equal(answer.error?.code, -32009, JSON.stringify(answer));
    const got = await t.rpc('device.get', { device_id: ENDPOINT });
    assert.equal(got.result.status, 'offline');
    const list = await t.rpc('command.list', { device_id: ENDPOINT, method: 'lwm2m.read', limit: 1 });
    assert.equal(list.result.commands[0].state, 'failed');
  });
});
