/**
 * Issue 10 repros at the edge: a 6,000-level static schema (MQTT and HTTP), poison timestamps that
 * used to fail other devices' store batches (SQLite and PostgreSQL), and the -32602 cases.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { deviceIdFor } from '../../src/core/device-id.ts';
import { POSTGRES_URL, uniqueSuffix } from '../support/services.ts';
import { DeviceLink, eventually, startTestHub } from '../support/test-hub.ts';

const esp32 = { manufacturer: 'Espressif', model: 'ESP32-S3' };

/** `{"a":{"a":…{}…}}` as text: JSON.stringify of such a value would overflow the test's own stack. */
const nested = (depth: number): string => `${'{"a":'.repeat(depth)}{}${'}'.repeat(depth)}`;

describe('a 6,000-level static schema', () => {
  it('over MQTT: refused with -32602; device.get and device.list keep answering, the hub and other devices keep working', async () => {
    const t = await startTestHub();
    try {
      const deep = await DeviceLink.open(await t.device('deep-1'), 'deep-1');
      const good = await DeviceLink.open(await t.device('good-1'), 'good-1');
      deep.send(`{"jsonrpc":"2.0","id":"deep","method":"device.register","params":{"device_type":"mcu","static_schema":{"manufacturer":"Espressif","model":"ESP32-S3","x":${nested(6000)}}}}`);
      const reg = await eventually(() => deep.notifications.find((n) => n.id === 'deep'));
      assert.equal(reg.error?.code, -32602);
      assert.match(reg.error.data.issues[0].path, /^\/static_schema\/x/);
      assert.match(reg.error.data.issues[0].message, /nested deeper than 32 levels/);
      const get = await t.rpc('device.get', { device_id: 'deep-1' });
      assert.equal(get.error?.code, -32001, 'the refused device was never registered');
      const list = await t.rpc('device.list', {});
      assert.ok(Array.isArray(list.result.devices));
      const ok = await good.request('device.register', { device_type: 'mcu', static_schema: esp32 });
      assert.equal(ok.result.hardware_id, 'good-1');
      const ack = await good.request('telemetry.report', { readings: [{ measurement_type: 'cpu_temperature', value: 40 }] });
      assert.equal(ack.result.accepted, 1);
      assert.equal((await t.rpc('device.list', {})).result.devices.length, 1);
    } finally {
      await t.close();
    }
  });

  it('over HTTP: -32602 for deep params, -32600 for a deep envelope, and device.list keeps answering', async () => {
    const t = await startTestHub();
    try {
      const post = async (body: string) => (await (await fetch(`${t.httpUrl}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json()) as { id: unknown; error?: { code: number; data?: any } };
      const deepParams = await post(`{"jsonrpc":"2.0","id":6,"method":"device.list","params":{"filter":${nested(6000)}}}`);
      assert.equal(deepParams.error?.code, -32602);
      assert.match(deepParams.error?.data.issues[0].path, /^\/filter\/a/);
      const envelope = await post(`{"jsonrpc":"2.0","id":7,"method":"device.list","params":{},"extra":${nested(6000)}}`);
      assert.equal(envelope.error?.code, -32600);
      assert.equal(envelope.id, 7);
      assert.ok(Array.isArray((await t.rpc('device.list', {})).result.devices));
    } finally {
      await t.close();
    }
  });
});

describe('wrong codes', () => {
  it('a lone-surrogate hardware_id and a data.query time outside the Date range answer -32602', async () => {
    const t = await startTestHub();
    try {
      const surrogate = await t.rpc('device.get', { device_id: 'esp\uD800x' });
      assert.equal(surrogate.error?.code, -32602);
      assert.match(surrogate.error.message, /lone surrogate/);
      for (const time_range of [{ start: 1e20 }, { end: 1e20 }, { start: '+275760-09-13T00:00:00.001Z' }, { start: -1e16 }]) {
        const r = await t.rpc('data.query', { time_range });
        assert.equal(r.error?.code, -32602, JSON.stringify(time_range));
      }
      assert.ok((await t.rpc('data.query', { time_range: { last: '99999999w' } })).result, 'a window reaching before 1970 starts there');
      // start and last both name the start: refused, not one of them silently dropped.
      const both = await t.rpc('data.query', { time_range: { start: new Date(Date.now() - 3_600_000).toISOString(), last: '24h' } });
      assert.equal(both.error?.code, -32602);
      assert.equal(both.error.data.issues[0].path, '/time_range/last');
      assert.match(both.error.message, /time_range\.last cannot be given with start/);
    } finally {
      await t.close();
    }
  });
});

describe('hardware ids that could never be a topic', () => {
  it('a NUL or control character in hardware_id or in the serial number it is taken from answers -32602 and registers nothing', async () => {
    // Found by `npm run fuzz -- --entry http --seed 20261205`: a device registered as "a\u0000b" over HTTP,
    // and every later command to it answered -32603 (no MQTT topic name may contain U+0000).
    const t = await startTestHub();
    try {
      const attempts = [
        { device_type: 'mcu', static_schema: esp32, hardware_id: 'a\u0000b' },
        { device_type: 'mcu', static_schema: esp32, hardware_id: 'line\nbreak' },
        { device_type: 'mcu', static_schema: { ...esp32, serial_number: 'sn\u00001' } },
        { device_type: 'mcu', static_schema: { ...esp32, mac_address: 'aa:bb\u007f' } },
      ];
      for (const params of attempts) {
        const r = await t.rpc('device.register', params);
        assert.equal(r.error?.code, -32602, JSON.stringify(params));
        assert.equal(r.error.data.issues[0].path, '/hardware_id');
      }
      assert.deepEqual((await t.rpc('device.list', {})).result.devices, []);
      const ok = await t.rpc('device.register', { device_type: 'mcu', static_schema: esp32, hardware_id: 'esp32-a1' });
      assert.equal(ok.result.hardware_id, 'esp32-a1');
    } finally {
      await t.close();
    }
  });
});

describe('a device attached to itself', () => {
  it('sensor.discover naming the MCU\'s own hardware id answers -32602; the MCU deregisters normally', async () => {
    // Found by `npm run fuzz -- --entry http --seed 20261205` (input 836403): the MCU became its own parent,
    // and device.deregister then recursed until the stack overflowed (-32603).
    const t = await startTestHub();
    try {
      await t.rpc('device.register', { device_type: 'mcu', static_schema: esp32, hardware_id: 'self-1' });
      const self = await t.rpc('sensor.discover', { mcu_id: 'self-1', hardware_id: 'self-1', static_schema: { manufacturer: 'Bosch', model: 'BMP580' } });
      assert.equal(self.error?.code, -32602);
      assert.equal(self.error.data.issues[0].path, '/hardware_id');
      assert.equal((await t.rpc('device.get', { device_id: 'self-1' })).result.device_type, 'mcu');
      const gone = await t.rpc('device.deregister', { device_id: 'self-1' });
      assert.equal(gone.error, undefined);
    } finally {
      await t.close();
    }
  });
});

const pgSchema = `edge_${uniqueSuffix()}`;
after(async () => {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
  await client.end();
});

for (const [name, store] of [
  ['SQLite', 'sqlite'],
  ['PostgreSQL', `${POSTGRES_URL}?schema=${pgSchema}`],
] as const) {
  describe(`poison timestamps (${name})`, () => {
    it('a healthy device loses nothing while another sends fractional and out-of-range times; data.latest keeps working', async () => {
      const t = await startTestHub({ store, telemetryFlushMs: 20 });
      try {
        const good = await DeviceLink.open(await t.device('healthy-1'), 'healthy-1');
        const bad = await DeviceLink.open(await t.device('python-1'), 'python-1');
        await good.request('device.register', { device_type: 'mcu', static_schema: esp32 });
        await bad.request('device.register', { device_type: 'mcu', static_schema: esp32 });
        const base = Date.now() - 60_000;
        const sent = 30;
        const refusedAtWire: number[] = [];
        for (let i = 0; i < sent; i++) {
          // Python time.time() (fractional seconds), fractional ms, and an out-of-range time.
          bad.notify('telemetry.report', { readings: [{ measurement_type: 'cpu_temperature', value: i, timestamp: (base + i * 1000) / 1000 + 0.123 }] });
          bad.notify('telemetry.report', { readings: [{ measurement_type: 'uptime', value: i, timestamp: base + i * 1000 + 0.5 }] });
          const poisoned = await bad.request('telemetry.report', { readings: [{ measurement_type: 'cpu_temperature', value: i, timestamp: 1e20 }] });
          refusedAtWire.push(poisoned.error?.code);
          // Points from a protocol that bypasses the wire parse (Sparkplug, LwM2M) meet the pipeline's own check.
          void t.hub.ingress.report([
            { deviceId: deviceIdFor('python-1'), measurement: 'rssi', ts: 1e20, value: -60 },
            { deviceId: deviceIdFor('python-1'), measurement: 'rssi', ts: base + i + 0.7, value: -61 },
          ]).catch(() => {});
          const ack = await good.request('telemetry.report', { readings: [{ measurement_type: 'cpu_temperature', value: i, timestamp: base + i * 1000 }] });
          assert.equal(ack.result?.accepted, 1, `healthy report ${i}`);
        }
        assert.deepEqual(new Set(refusedAtWire), new Set([-32602]));
        await t.hub.pipeline.flush();
        const healthy = await t.rpc('data.query', { device_ids: ['healthy-1'], time_range: { start: base - 1, end: base + sent * 1000 } });
        assert.equal(healthy.result.series[0].points.length, sent, 'every healthy point stored');
        const python = await t.rpc('data.query', { device_ids: ['python-1'], time_range: { start: base - 1000, end: base + sent * 1000 } });
        const counts = Object.fromEntries(python.result.series.map((s: { measurement_type: string; points: unknown[] }) => [s.measurement_type, s.points.length]));
        assert.equal(counts['cpu_temperature'], sent, 'seconds converted to ms');
        assert.equal(counts['uptime'], sent, 'fractional ms rounded');
        assert.equal(counts['signal_strength'], sent, 'the in-range rssi points kept, the 1e20 ones refused alone');
        const stamp = python.result.series.find((s: { measurement_type: string }) => s.measurement_type === 'uptime').points[0];
        assert.equal(Date.parse(stamp.timestamp ?? stamp.ts), base + 1, 'fractional ms rounded to the nearest ms');
        const latest = await eventually(async () => {
          const r = await t.rpc('data.latest', {});
          return r.result?.readings?.length >= 2 ? r : undefined;
        });
        assert.ok(latest.result.readings.every((r: { timestamp: string }) => Date.parse(r.timestamp) < Date.now() + 1000));
        const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
        assert.match(metrics, new RegExp(`llmiot_messages_rejected_total\\{protocol="telemetry",reason="invalid_point"\\} ${sent}`));
      } finally {
        await t.close();
      }
    });
  });
}
