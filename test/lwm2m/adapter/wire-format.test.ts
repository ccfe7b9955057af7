/** The LwM2M-over-MQTT wire: topics, downlink requests built from the object model, uplink answers parsed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ObjectModel } from '../../../src/protocols/lwm2m/object-model.ts';
import { typeContent } from '../../../src/protocols/lwm2m/adapter/content-values.ts';
import { buildDownlink } from '../../../src/protocols/lwm2m/adapter/downlink-request.ts';
import { Lwm2mMessageError } from '../../../src/protocols/lwm2m/adapter/lwm2m-message-error.ts';
import { downlinkTopic, LWM2M_UPLINK_FILTERS, parseUplinkTopic } from '../../../src/protocols/lwm2m/adapter/topics.ts';
import { parseUplinkMessage } from '../../../src/protocols/lwm2m/adapter/uplink-message.ts';
import { matchTopic } from '../../../src/mqtt/topic-filter.ts';

const model = new ObjectModel();
const context = { model, customObjects: new Set<number>() };

describe('topics', () => {
  it('parses every uplink topic and nothing else', () => {
    assert.deepEqual(parseUplinkTopic('lwm2m/ep-1/reg'), { endpoint: 'ep-1', kind: 'reg' });
    assert.deepEqual(parseUplinkTopic('lwm2m/ep-1/update'), { endpoint: 'ep-1', kind: 'update' });
    assert.deepEqual(parseUplinkTopic('lwm2m/ep-1/dereg'), { endpoint: 'ep-1', kind: 'dereg' });
    assert.deepEqual(parseUplinkTopic('lwm2m/urn:imei:490154203237518/up/resp'), { endpoint: 'urn:imei:490154203237518', kind: 'resp' });
    assert.deepEqual(parseUplinkTopic('lwm2m/ep-1/up/notify'), { endpoint: 'ep-1', kind: 'notify' });
    for (const topic of ['lwm2m/ep-1/dn', 'lwm2m//reg', 'lwm2m/ep-1/up/other', 'spBv1.0/g/NBIRTH/ep-1', 'lwm2m/ep-1/reg/x']) assert.equal(parseUplinkTopic(topic), undefined, topic);
    assert.equal(downlinkTopic('ep-1'), 'lwm2m/ep-1/dn');
  });

  it('never subscribes the hub to its own downlink', () => {
    assert.equal(LWM2M_UPLINK_FILTERS.some((filter) => matchTopic(filter, 'lwm2m/ep-1/dn')), false);
    assert.ok(LWM2M_UPLINK_FILTERS.some((filter) => matchTopic(filter, 'lwm2m/ep-1/up/notify')));
  });
});

describe('buildDownlink', () => {
  it('builds the EMQX request of every operation', () => {
    assert.deepEqual(buildDownlink('read', { path: '/3/0/1' }, context), { msgType: 'read', data: { path: '/3/0/1' }, path: '/3/0/1' });
    assert.deepEqual(buildDownlink('discover', { path: '/3303' }, context).data, { path: '/3303' });
    assert.deepEqual(buildDownlink('observe', { path: '/3303/0/5700' }, context).data, { path: '/3303/0/5700' });
    assert.deepEqual(buildDownlink('cancel-observe', { path: '/3303/0/5700' }, context).data, { path: '/3303/0/5700' });
    assert.deepEqual(buildDownlink('execute', { path: '/3/0/4' }, context).data, { path: '/3/0/4' });
    assert.deepEqual(buildDownlink('delete', { path: '/3303/1' }, context).data, { path: '/3303/1' });
    assert.deepEqual(buildDownlink('write-attr', { path: '/3303/0/5700', pmin: 1, pmax: 10, gt: 30, lt: 5, st: 1 }, context).data, { path: '/3303/0/5700', pmin: 1, pmax: 10, gt: 30, lt: 5, st: 1 });
  });

  it('converts written values to the resource type and names the EMQX type', () => {
    assert.deepEqual(buildDownlink('write', { path: '/1/0/1', value: '300' }, context).data, { path: '/1/0/1', type: 'Integer', value: 300 });
    assert.deepEqual(buildDownlink('write', { path: '/3311/0/5850', value: 'true' }, context).data, { path: '/3311/0/5850', type: 'Boolean', value: true });
    assert.deepEqual(buildDownlink('write', { path: '/3323/0/5821', value: 1.25 }, context).data, { path: '/3323/0/5821', type: 'Float', value: 1.25 });
    const opaque = buildDownlink('write', { path: '/5/0/0', value: 'AAEC' }, context);
    assert.equal(opaque.encoding, 'hex');
    assert.deepEqual(opaque.data, { path: '/5/0/0', type: 'Opaque', value: '000102' });
    assert.deepEqual(buildDownlink('write', { path: '/1/0/7', value: 'UQ' }, context).data, { path: '/1/0/7', type: 'String', value: 'UQ' });
  });

  it('writes instances and multiple-instance resources as a batch relative to basePath', () => {
    assert.deepEqual(buildDownlink('write', { path: '/1/0', value: { '1': 600, '7': 'M' } }, context).data, {
      basePath: '/1/0',
      content: [
        { path: '/1', type: 'Integer', value: 600 },
        { path: '/7', type: 'String', value: 'M' },
      ],
    });
    assert.deepEqual(buildDownlink('write', { path: '/3/0/13', value: 0 }, context).data, { path: '/3/0/13', type: 'Time', value: 0 });
    assert.deepEqual(buildDownlink('create', { path: '/3303', values: { '5750': 'Cellar' } }, context).data, { basePath: '/3303', content: [{ path: '/5750', type: 'String', value: 'Cellar' }] });
  });

  it('refuses what the object model forbids, naming the path', () => {
    assert.throws(() => buildDownlink('write', { path: '/3/0/0', value: 'x' }, context), { name: 'Lwm2mOperationError', path: '/3/0/0' });
    assert.throws(() => buildDownlink('write', { path: '/3/0', value: { '0': 'x' } }, context), { name: 'Lwm2mOperationError', path: '/3/0/0' });
    assert.throws(() => buildDownlink('write', { path: '/3323/0/5821', value: 'warm' }, context), { name: 'Lwm2mValueError', path: '/3323/0/5821' });
    assert.throws(() => buildDownlink('write', { path: '/3303/0/5700', value: 20 }, context), /write not allowed on \/3303\/0\/5700: resource 5700 Sensor Value allows R only/);
    assert.throws(() => buildDownlink('write', { path: '/3311/0/5851', value: 101 }, context), /expected Integer in 0..100/);
    assert.throws(() => buildDownlink('read', { path: '/3/0/4' }, context), { name: 'Lwm2mOperationError' });
    assert.throws(() => buildDownlink('execute', { path: '/3/0' }, context), { name: 'Lwm2mOperationError' });
    assert.throws(() => buildDownlink('read', { path: '/0/0/0' }, context), /Bootstrap-Server only/);
    assert.throws(() => buildDownlink('read', { path: '/32769/0/1' }, context), { name: 'Lwm2mPathError', path: '/32769/0/1' });
    assert.throws(() => buildDownlink('delete', { path: '/3303' }, context), /Delete targets an object instance/);
    assert.throws(() => buildDownlink('write-attr', { path: '/3303/0/5700' }, context), /at least one of pmin, pmax, gt, lt, st/);
    assert.throws(() => buildDownlink('write-attr', { path: '/3303/0/5700', gt: 5, lt: 10 }, context), /lt < gt/);
    assert.throws(() => buildDownlink('write-attr', { path: '/3303/0', st: 1 }, context), /numeric resource/);
  });

  it('reaches objects the model does not know when the device registered them', () => {
    const custom = { model, customObjects: new Set([32769]) };
    assert.deepEqual(buildDownlink('read', { path: '/32769/0/1' }, custom).data, { path: '/32769/0/1' });
    assert.deepEqual(buildDownlink('write', { path: '/32769/0/2', value: 7.5 }, custom).data, { path: '/32769/0/2', type: 'Float', value: 7.5 });
  });
});

describe('parseUplinkMessage and typeContent', () => {
  it('reads the notes\' EMQX answer and notification as written', () => {
    const answer = parseUplinkMessage('{"reqID":1,"msgType":"read","data":{"reqPath":"/3/0/1","code":"2.05","codeMsg":"content","content":[{"path":"/3/0/1","value":"Lightweight M2M Client"}]}}');
    assert.equal(answer.reqID, 1);
    assert.equal(answer.code, '2.05');
    assert.deepEqual(answer.content, [{ path: '/3/0/1', value: 'Lightweight M2M Client' }]);
    const notify = parseUplinkMessage('{"reqID":10,"msgType":"notify","seqNum":3,"data":{"reqPath":"/3303/0/5700","code":"2.05","codeMsg":"content","content":[{"path":"/3303/0/5700","value":21.5}]}}');
    assert.equal(notify.seqNum, 3);
    assert.deepEqual(typeContent(model, notify.content, new Set()), [{ objectId: 3303, instanceId: 0, resourceId: 5700, path: '/3303/0/5700', value: 21.5 }]);
    const discover = parseUplinkMessage('{"reqID":"2","msgType":"discover","data":{"code":"2.05","codeMsg":"content","content":["</3/0>;dim=8","</3/0/0>"]}}');
    assert.equal(discover.reqID, 2);
    assert.deepEqual(discover.links, ['</3/0>;dim=8', '</3/0/0>']);
    assert.equal(parseUplinkMessage('{"reqID":4,"msgType":"ack"}').code, undefined);
  });

  it('splits multiple-instance resources and types each value', () => {
    const entries = typeContent(model, [{ path: '/3/0/11', value: [0, 5] }, { path: '/3/0/13', value: '2024-01-01T00:00:00Z' }], new Set());
    assert.deepEqual(entries.map((e) => [e.path, e.value]), [['/3/0/11/0', 0], ['/3/0/11/1', 5], ['/3/0/13', 1_704_067_200]]);
  });

  it('refuses malformed answers with a reason', () => {
    const reason = (payload: string): string => {
      try {
        parseUplinkMessage(payload);
      } catch (error) {
        assert.ok(error instanceof Lwm2mMessageError);
        return `${error.reason}: ${error.message}`;
      }
      return 'accepted';
    };
    assert.match(reason('{"reqID":1,'), /^malformed_json/);
    assert.match(reason('[1]'), /^invalid_message: message: expected a JSON object/);
    assert.match(reason('{"reqID":1,"msgType":"read","data":{"code":"205"}}'), /data.code: expected a CoAP response code/);
    assert.match(reason('{"reqID":-1,"msgType":"read","data":{"code":"2.05"}}'), /reqID: expected an integer/);
    assert.match(reason('{"reqID":1,"msgType":"read","data":{"code":"2.05","content":{"path":"/3/0/1"}}}'), /data.content: expected an array/);
    assert.match(reason('{"reqID":1,"msgType":"read","data":{"code":"2.05","content":[{"path":"/3/0/1"}]}}'), /data.content\[0\].value: expected a value/);
    assert.throws(() => typeContent(model, [{ path: '/3/0', value: 1 }], new Set()), /a content entry carries a resource value/);
    assert.throws(() => typeContent(model, [{ path: '/3/0/9', value: 'full' }], new Set()), /\/3\/0\/9: expected Integer in 0..100/);
  });
});
