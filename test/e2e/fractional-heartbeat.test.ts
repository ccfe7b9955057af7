/** A fractional heartbeat_interval (found by the fuzzer, test/fuzz) is kept in whole milliseconds, so the device is stored and survives a restart. */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DeviceLink, startTestHub } from '../support/test-hub.ts';

describe('device.register with a fractional heartbeat_interval', () => {
  it('stores the device (1.0005 s becomes 1.001 s) and finds it after a restart', async () => {
    const t = await startTestHub();
    const dataDir = t.dataDir;
    try {
      const link = await DeviceLink.open(await t.device('frac-hb-1'), 'frac-hb-1');
      const reg = await link.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3' }, heartbeat_interval: 1.0005 });
      assert.equal(reg.result?.heartbeat_interval, 1.001);
      // A device registers only itself: the second one speaks on its own link.
      const other = await DeviceLink.open(await t.device('frac-hb-2'), 'frac-hb-2');
      const tiny = await other.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Espressif', model: 'ESP32-C3' }, heartbeat_interval: 0.0001 });
      assert.equal(tiny.result?.heartbeat_interval, 0.001, 'at least 1 ms');
    } finally {
      await t.close({ keepData: true });
    }
    const again = await startTestHub({}, dataDir);
    try {
      const got = await again.rpc('device.get', { device_id: 'frac-hb-1' });
      assert.equal(got.result?.hardware_id, 'frac-hb-1', JSON.stringify(got));
      assert.equal(got.result?.heartbeat_interval, 1.001);
      assert.equal((await again.rpc('device.get', { device_id: 'frac-hb-2' })).result?.heartbeat_interval, 0.001);
    } finally {
      await again.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
