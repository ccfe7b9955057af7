/** device.summary: the fleet overview's counts, computed on the hub so a page never lists every device. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

let t: TestHub;
before(async () => {
  t = await startTestHub();
});
after(() => t.close());

describe('device.summary', () => {
  it('counts devices by status, type, protocol, zone and model, within a filter', async () => {
    for (const [id, zone] of [
      ['sum-mcu-1', 'Zone A'],
      ['sum-mcu-2', 'Zone B'],
    ] as const) {
      const answer = await t.rpc('device.register', {
        hardware_id: id,
        device_type: 'mcu',
        name: id,
        zone,
        static_schema: { schema_version: '1.0.0', device_type: 'mcu', manufacturer: 'Espressif', model: 'ESP32-S3', serial_number: id },
      });
      assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    }
    const all = (await t.rpc('device.summary', {})).result;
    assert.equal(all.total, 2);
    assert.deepEqual(all.by_status, { online: 2 });
    assert.deepEqual(all.by_zone, { 'Zone A': 1, 'Zone B': 1 });
    assert.deepEqual(all.by_type, { mcu: 2 });
    assert.deepEqual(all.by_model, { 'ESP32-S3': 2 });
    assert.deepEqual(all.by_protocol, { native: 2 });
    const zoneA = (await t.rpc('device.summary', { filter: { zone: 'Zone A' } })).result;
    assert.equal(zoneA.total, 1);
    const refused = await t.rpc('device.summary', { filter: { zome: 'Zone A' } });
    assert.equal(refused.error?.code, -32602);
  });
});
