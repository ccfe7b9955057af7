/** Bad LwM2M input is refused (4.00 where a device waits), logged and counted; other devices carry on. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startTestHub, type TestHub } from '../../support/test-hub.ts';
import { content, metricValue, rpcError, ScriptedDevice } from './scripted-device.ts';

const rejected = (t: TestHub, reason: string): Promise<number> => metricValue(t, 'llmiot_messages_rejected_total', `protocol="lwm2m",reason="${reason}"`);

describe('LwM2M bad input', () => {
  let t: TestHub;
  let good: ScriptedDevice;
  before(async () => {
    t = await startTestHub({ maxMessageBytes: 4096, commandTimeout: 3000 });
    good = await ScriptedDevice.connect(t, 'good-node');
    await good.register({ endpoint: 'good-node', version: '1.2', lifetime: 300, objects: { '3': { '0': { '0': 'Acme', '1': 'Good' } }, '3303': { '0': { '5700': 20 } } } });
  });
  after(async () => t.close());

  it('refuses broken registrations with a 4.00 naming the problem, and creates no device', async () => {
    const cases: { endpoint: string; body: string; reason: string; text: RegExp }[] = [
      { endpoint: 'bad-json', body: '{"endpoint": "bad-json", ', reason: 'malformed_json', text: /not UTF-8 JSON/ },
      { endpoint: 'no-endpoint', body: JSON.stringify({ version: '1.2', objects: {} }), reason: 'invalid_registration', text: /endpoint: expected a non-empty endpoint client name/ },
      { endpoint: 'wrong-lifetime', body: JSON.stringify({ endpoint: 'wrong-lifetime', lifetime: '3600', version: '1.2', objects: {} }), reason: 'invalid_registration', text: /lifetime: expected whole seconds/ },
      { endpoint: 'wrong-value', body: JSON.stringify({ endpoint: 'wrong-value', version: '1.2', objects: { '3303': { '0': { '5700': 'hot' } } } }), reason: 'invalid_value', text: /\/3303\/0\/5700: expected Float, received "hot"/ },
      { endpoint: 'unknown-resource', body: JSON.stringify({ endpoint: 'unknown-resource', version: '1.2', objects: { '3': { '0': { '99': 1 } } } }), reason: 'invalid_path', text: /\/3\/0\/99.*has no resource 99/ },
      { endpoint: 'topic-a', body: JSON.stringify({ endpoint: 'topic-b', version: '1.2', objects: {} }), reason: 'endpoint_mismatch', text: /"topic-b" does not match the topic's "topic-a"/ },
    ];
    for (const c of cases) {
      const before = await rejected(t, c.reason);
      const device = await ScriptedDevice.connect(t, c.endpoint);
      const ack = await device.register(c.body);
      assert.equal(ack.data.code, '4.00', `${c.endpoint}: ${JSON.stringify(ack)}`);
      assert.equal(ack.data.codeMsg, 'bad_request');
      assert.match(ack.data.reason, c.text, c.endpoint);
      assert.equal(await rejected(t, c.reason), before + 1, c.endpoint);
      assert.equal((await t.rpc('device.get', { device_id: c.endpoint })).error?.code, -32001, `${c.endpoint} not registered`);
    }
    assert.equal((await t.rpc('device.get', { device_id: 'topic-b' })).error?.code, -32001);
  });

  it('refuses an oversized message with a 4.00 on dn', async () => {
    const device = await ScriptedDevice.connect(t, 'big-node');
    const before = await rejected(t, 'oversized');
    // The embedded broker itself closes a client that publishes past maxMessageBytes; the hub's own
    // publish reaches the adapter's check (the external-broker flow covers a real device).
    await t.hub.bus.publish('lwm2m/big-node/reg', JSON.stringify({ endpoint: 'big-node', version: '1.2', objects: {}, pad: 'x'.repeat(5000) }));
    const ack = await eventually(() => device.acks('register')[0], 5000, 'oversized ack');
    assert.equal(ack.data.code, '4.00');
    assert.match(ack.data.reason, /message too large: \d+ bytes, limit 4096/);
    assert.equal(await rejected(t, 'oversized'), before + 1);
  });

  it('refuses a publish on another endpoint\'s topics (client id ≠ endpoint)', async () => {
    const before = await rejected(t, 'spoofed_topic');
    const mallory = await t.device('mallory');
    await mallory.publishAsync('lwm2m/good-node/dereg', '{}', { qos: 1 });
    await mallory.publishAsync('lwm2m/victim/reg', JSON.stringify({ endpoint: 'victim', version: '1.2', objects: {} }), { qos: 1 });
    await eventually(async () => (await rejected(t, 'spoofed_topic')) === before + 2, 5000, 'spoofs counted');
    assert.equal((await t.rpc('device.get', { device_id: 'victim' })).error?.code, -32001);
    assert.equal((await t.rpc('device.get', { device_id: 'good-node' })).result.status, 'online');
  });

  it('Update and De-register without a registration are 4.04', async () => {
    const device = await ScriptedDevice.connect(t, 'stranger');
    assert.equal((await device.send('update', { lifetime: 60 })).data.code, '4.04');
    assert.equal((await device.send('dereg', '')).data.code, '4.04');
    assert.ok((await rejected(t, 'not_registered')) >= 2);
  });

  it('an unreadable answer fails its command at once; wrongly typed content fails it too; both are counted', async () => {
    good.script = (request) => {
      if (request.data.path === '/3/0/9') {
        good.publish('up/resp', JSON.stringify({ reqID: request.reqID, msgType: 'read', data: { code: 205 } }));
        return undefined;
      }
      return content([{ path: '/3303/0/5700', value: 'hot' }]);
    };
    const invalidBefore = await rejected(t, 'invalid_message');
    const started = Date.now();
    const unreadable = await t.rpc('lwm2m.read', { device_id: 'good-node', path: '/3/0/9', timeout_ms: 20_000 });
    assert.ok(Date.now() - started < 5000, 'not left to time out');
    assert.equal(unreadable.error?.code, -32004, JSON.stringify(unreadable));
    assert.match(rpcError(unreadable).data.device_error.message, /read \/3\/0\/9: unreadable answer: data.code: expected a CoAP response code/);
    assert.equal(await rejected(t, 'invalid_message'), invalidBefore + 1);
    const valueBefore = await rejected(t, 'invalid_value');
    const wrongType = await t.rpc('lwm2m.read', { device_id: 'good-node', path: '/3303/0/5700' });
    assert.equal(wrongType.error?.code, -32004);
    assert.match(rpcError(wrongType).data.device_error.message, /invalid content: invalid value for \/3303\/0\/5700: expected Float, received "hot"/);
    assert.equal(await rejected(t, 'invalid_value'), valueBefore + 1);
    await eventually(() => good.acks('error').length >= 2, 5000, 'the device is told twice');
  });

  it('garbage on up/resp and up/notify is refused and counted; unknown paths in notifications too', async () => {
    const jsonBefore = await rejected(t, 'malformed_json');
    const unmatchedBefore = await rejected(t, 'unmatched_response');
    const pathBefore = await rejected(t, 'invalid_path');
    good.publish('up/resp', '{"reqID": 1, "msgType": ');
    good.publish('up/notify', Buffer.from([0xff, 0xfe, 0x00]));
    good.publish('up/resp', JSON.stringify({ reqID: 987654, msgType: 'read', data: { code: '2.05', content: [] } }));
    good.script = () => content([{ path: '/3303/0/5700', value: 20.5 }]);
    const observed = await t.rpc('lwm2m.observe', { device_id: 'good-node', path: '/3303/0' });
    assert.equal(observed.error, undefined, JSON.stringify(observed.error));
    const observe = good.requests('observe').at(-1);
    assert.ok(observe);
    good.notify(observe, [{ path: '/3303/0/9999', value: 1 }]);
    await eventually(async () => (await rejected(t, 'malformed_json')) === jsonBefore + 2, 5000, 'bad JSON counted');
    await eventually(async () => (await rejected(t, 'unmatched_response')) === unmatchedBefore + 1, 5000, 'unmatched answer counted');
    await eventually(async () => (await rejected(t, 'invalid_path')) === pathBefore + 1, 5000, 'unknown path counted');
  });

  it('after all that, the good device still works', async () => {
    good.script = (request) => content([{ path: request.data.path, value: 'Acme' }]);
    const answer = await t.rpc('lwm2m.read', { device_id: 'good-node', path: '/3/0/0' });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    assert.equal(answer.result.value, 'Acme');
    assert.equal((await t.rpc('device.get', { device_id: 'good-node' })).result.status, 'online');
    assert.equal((await good.send('update', { lifetime: 300 })).data.code, '2.04');
  });
});
