/**
 * Seed 002 (shared/seeds/002_139d5ad678545706.txt) as written: its device registers on
 * `lwm2m/device-temp-001/reg` and answers on `lwm2m/{device_id}/resp/*`; those answers complete
 * `lwm2m.read` like answers on the EMQX topic `up/resp` do.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startTestHub, type TestHub } from '../../support/test-hub.ts';
import { metricValue, ScriptedDevice, SEED_REGISTRATION } from './scripted-device.ts';

describe('seed 002 answers on lwm2m/{device_id}/resp/*', () => {
  let t: TestHub;
  let device: ScriptedDevice;

  before(async () => {
    t = await startTestHub();
    device = await ScriptedDevice.connect(t, 'device-temp-001');
    device.publish('reg', SEED_REGISTRATION);
    await eventually(() => device.acks('register')[0], 5000, 'register ack');
  });
  after(async () => t.close());

  for (const suffix of ['resp/read', 'resp']) {
    it(`completes lwm2m.read with an answer on lwm2m/device-temp-001/${suffix}`, async () => {
      const before = device.requests('read').length;
      const pending = t.rpc('lwm2m.read', { device_id: 'device-temp-001', path: '/3/0/0', timeout_ms: 3000 });
      const request = await device.request('read', before);
      device.publish(suffix, JSON.stringify({ reqID: request.reqID, msgType: 'read', data: { reqPath: '/3/0/0', code: '2.05', codeMsg: 'content', content: [{ path: '/3/0/0', value: 'IoT Testing Corp' }] } }));
      const answer = await pending;
      assert.equal(answer.error, undefined, JSON.stringify(answer.error));
      assert.equal(answer.result.value, 'IoT Testing Corp');
      assert.equal(answer.result.code, '2.05');
    });
  }

  it('counts the seed answers as LwM2M responses and keeps the device at one active registration', async () => {
    assert.equal(await metricValue(t, 'llmiot_messages_received_total', 'protocol="lwm2m",type="response"'), 2);
    assert.equal(await metricValue(t, 'lwm2m_active_devices', ''), 1);
  });
});
