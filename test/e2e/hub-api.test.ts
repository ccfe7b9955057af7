/** The hub's JSON-RPC surface over real sockets: filters, errors, batches, subscriptions, export, persistence. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { createApiToken } from '../../src/auth/api-tokens.ts';
import { DeviceLink, eventually, startTestHub, type TestHub } from '../support/test-hub.ts';

const BMP580 = {
  manufacturer: 'Bosch',
  model: 'BMP580',
  sensor_category: 'environmental',
  communication: { primary_protocol: 'I2C', i2c: { address: '0x47' } },
  measurements: [
    { measurement_type: 'temperature', unit: 'celsius', range_min: -40, range_max: 85, accuracy: 0.5 },
    { measurement_type: 'pressure', unit: 'hPa', range_min: 300, range_max: 1250, accuracy: 0.5 },
  ],
};
const SOIL = {
  manufacturer: 'Adafruit',
  model: 'Soil Moisture Sensor',
  sensor_category: 'soil',
  communication: { primary_protocol: 'analog', analog: { pin: 26 } },
  measurements: [{ measurement_type: 'soil_moisture', unit: 'percent', range_min: 0, range_max: 100 }],
};

interface Node {
  link: DeviceLink;
  mcuId: string;
  bmp: string;
  soil: string;
}

async function node(t: TestHub, clientId: string, zone: string): Promise<Node> {
  const link = await DeviceLink.open(await t.device(clientId), clientId);
  const reg = await link.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Raspberry Pi', model: 'Pico W' }, zone, tags: ['greenhouse'] });
  const mcuId = reg.result.device_id;
  const bmp = (await link.request('sensor.discover', { mcu_id: mcuId, static_schema: BMP580 })).result.sensor_id;
  const soil = (await link.request('sensor.discover', { mcu_id: mcuId, static_schema: SOIL })).result.sensor_id;
  link.onCommand = (method, params) => {
    if (method === 'sensor.configure') return { sensor_id: params.sensor_id, config: params.config };
    throw new Error(`unsupported ${method}`);
  };
  return { link, mcuId, bmp, soil };
}

describe('hub JSON-RPC API', () => {
  let t: TestHub;
  let a: Node;
  let b: Node;

  before(async () => {
    t = await startTestHub();
    a = await node(t, 'pico-a', 'Zone A');
    b = await node(t, 'pico-b', 'Zone B');
  });
  after(async () => t.close());

  it('lists devices by zone, model, type and tag', async () => {
    const zoneA = await t.rpc('device.list', { zone: 'Zone A', include_schema: false });
    assert.deepEqual(zoneA.result.devices.map((d: { device_id: string }) => d.device_id).sort(), [a.mcuId, a.bmp, a.soil].sort());
    const bmps = await t.rpc('device.list', { model: 'BMP580' });
    assert.equal(bmps.result.total, 2);
    const mcus = await t.rpc('device.list', { type: 'mcu', tags: ['greenhouse'] });
    assert.equal(mcus.result.total, 2);
    const children = await t.rpc('device.list', { parent_id: 'pico-b' });
    assert.deepEqual(children.result.devices.map((d: { device_id: string }) => d.device_id).sort(), [b.bmp, b.soil].sort());
  });

  it('rejects an invalid static schema with -32602 naming the field', async () => {
    const answer = await t.rpc('device.register', { device_type: 'mcu', hardware_id: 'bad-1', static_schema: { manufacturer: 'X', model: 'Y', memory: { ram_total: -5 } } });
    assert.equal(answer.error?.code, -32602);
    assert.ok(answer.error?.data.issues.some((i: { path: string }) => i.path === '/static_schema/memory/ram_total'), JSON.stringify(answer.error));
  });

  it('rejects an unknown schema major with -32005 and accepts a newer minor with its unknown fields listed', async () => {
    const major = await t.rpc('device.register', { device_type: 'mcu', hardware_id: 'v2', schema_version: '2.0.0', static_schema: { manufacturer: 'X', model: 'Y' } });
    assert.equal(major.error?.code, -32005);
    const minor = await t.rpc('device.register', { device_type: 'mcu', hardware_id: 'v1-9', schema_version: '1.9.0', static_schema: { manufacturer: 'X', model: 'Y', memory: { ram_total: 1, sram_banks: 3 } } });
    assert.equal(minor.error, undefined, JSON.stringify(minor.error));
    assert.ok(minor.result.unknown_fields.includes('/static_schema/memory/sram_banks'), JSON.stringify(minor.result));
    await t.rpc('device.deregister', { device_id: 'v1-9' });
  });

  it('answers unknown device ids with -32001', async () => {
    const answer = await t.rpc('sensor.read', { sensor_id: '6f1c2a4e-0000-4000-8000-000000000000' });
    assert.equal(answer.error?.code, -32001);
    const byName = await t.rpc('device.get', { device_id: 'no-such-board' });
    assert.equal(byName.error?.code, -32001);
  });

  it('serves data.latest and sensor.read with max_age from the cache without asking the device', async () => {
    a.link.notify('telemetry.report', { readings: [{ sensor_id: a.bmp, measurement_type: 'temperature', value: 21.5 }, { sensor_id: a.bmp, measurement_type: 'pressure', value: 1012.2 }] });
    const latest = await eventually(async () => {
      const r = await t.rpc('data.latest', { device_ids: [a.bmp] });
      return r.result.readings.length === 2 ? r : undefined;
    });
    assert.deepEqual(latest.result.readings.map((r: { measurement_type: string; value: number; unit: string }) => [r.measurement_type, r.value, r.unit]).sort(), [
      ['pressure', 1012.2, 'hPa'],
      ['temperature', 21.5, 'Cel'],
    ]);
    const before = a.link.commands.length;
    const cached = await t.rpc('sensor.read', { sensor_id: a.bmp, max_age: 60 });
    assert.equal(cached.result.source, 'cache');
    assert.equal(a.link.commands.length, before);
  });

  it('configures every soil sensor through batch.execute with a result per device, reporting offline ones as failed', async () => {
    b.link.onCommand = undefined;
    const offline = await t.rpc('device.offline', { device_id: b.mcuId });
    assert.equal(offline.result.status, 'offline');
    const answer = await t.rpc('batch.execute', { method: 'sensor.configure', filter: { model: 'Soil Moisture Sensor' }, params: { config: { power_mode: 'low_power' } } });
    assert.equal(answer.result.total, 2);
    const bySensor = Object.fromEntries(answer.result.results.map((r: { device_id: string }) => [r.device_id, r]));
    assert.equal(bySensor[a.soil].status, 'succeeded');
    assert.deepEqual(bySensor[a.soil].result.config, { power_mode: 'low_power' });
    assert.equal(bySensor[b.soil].status, 'failed');
    assert.equal(bySensor[b.soil].error.code, -32002);
    const sent = a.link.commands.find((c) => c.method === 'sensor.configure');
    assert.deepEqual(sent.params, { sensor_id: a.soil, config: { power_mode: 'low_power' } });
  });

  it('refuses a batch without a selection rather than hitting the whole fleet', async () => {
    const answer = await t.rpc('batch.execute', { method: 'mcu.reboot' });
    assert.equal(answer.error?.code, -32602);
  });

  it('returns a command id at once for async commands; command.get follows it', async () => {
    a.link.onCommand = (method) => (method === 'mcu.get_config' ? { config: { telemetry_interval_ms: 1000 } } : {});
    const answer = await t.rpc('mcu.get_config', { mcu_id: a.mcuId, async: true });
    assert.equal(typeof answer.result.command_id, 'string');
    const done = await t.rpc('command.get', { command_id: answer.result.command_id, wait: true });
    assert.equal(done.result.state, 'succeeded');
    assert.deepEqual(done.result.result, { config: { telemetry_interval_ms: 1000 } });
    assert.equal(done.result.origin.transport, 'http');
  });

  it('streams live telemetry to a WebSocket subscriber, filtered by zone and measurement', async () => {
    const ws = new WebSocket(`${t.httpUrl.replace('http', 'ws')}/ws`);
    await new Promise((resolve) => ws.once('open', resolve));
    const messages: any[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'data.subscribe', params: { filter: { zone: 'Zone A' }, measurement_types: ['temperature'] } }));
    const sub = await eventually(() => messages.find((m) => m.id === 1));
    assert.equal(sub.result.notification, 'data.telemetry');
    await t.rpc('device.heartbeat', { device_id: b.mcuId });
    b.link.notify('telemetry.report', { readings: [{ sensor_id: b.bmp, measurement_type: 'temperature', value: 30 }] });
    a.link.notify('telemetry.report', { readings: [{ sensor_id: a.bmp, measurement_type: 'pressure', value: 1000 }, { sensor_id: a.bmp, measurement_type: 'temperature', value: 22.25 }] });
    const note = await eventually(() => messages.find((m) => m.method === 'data.telemetry'));
    assert.equal(note.params.subscription_id, sub.result.subscription_id);
    assert.deepEqual(note.params.readings.map((r: { device_id: string; value: number }) => [r.device_id, r.value]), [[a.bmp, 22.25]]);
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'data.unsubscribe', params: { subscription_id: sub.result.subscription_id } }));
    assert.equal((await eventually(() => messages.find((m) => m.id === 2))).result.unsubscribed, true);
    ws.close();
  });

  it('accepts devices over MQTT-over-WebSocket at /mqtt on the HTTP port, beside JSON-RPC /ws', async () => {
    const client = await mqtt.connectAsync(`${t.httpUrl.replace('http', 'ws')}/mqtt`, { clientId: 'ws-board', protocolVersion: 4, reconnectPeriod: 0 });
    try {
      const link = await DeviceLink.open(client, 'ws-board');
      const reg = await link.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Arduino', model: 'Nano 33 IoT' } });
      assert.equal(reg.result.hardware_id, 'ws-board');
    } finally {
      await client.endAsync();
    }
  });

  it('refuses data.subscribe over plain HTTP with -32011', async () => {
    const answer = await t.rpc('data.subscribe', {});
    assert.equal(answer.error?.code, -32011);
  });

  it('exports CSV through data.export and streams it at GET /export', async () => {
    await t.hub.pipeline.flush();
    const answer = await t.rpc('data.export', { device_ids: [a.bmp], measurement_types: ['temperature'], format: 'csv' });
    const lines = answer.result.content.trim().split('\n');
    assert.equal(lines[0], 'timestamp,device_id,measurement_type,value,unit,quality,source_measurement,source_unit');
    assert.ok(lines.slice(1).every((l: string) => l.includes(`,${a.bmp},temperature,`)));
    assert.equal(answer.result.rows, lines.length - 1);
    const response = await fetch(`${t.httpUrl}/export?device_id=${a.bmp}&measurement_type=temperature&format=jsonl`);
    assert.equal(response.headers.get('content-type'), 'application/x-ndjson');
    const rows = (await response.text()).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, answer.result.rows);
    assert.equal(rows[0].device_id, a.bmp);
  });

  it('publishes an OpenRPC document of every method through rpc.discover', async () => {
    const answer = await t.rpc('rpc.discover');
    const names = answer.result.methods.map((m: { name: string }) => m.name);
    for (const name of ['device.register', 'sensor.read', 'data.query', 'batch.execute', 'command.list', 'mcu.execute_script']) assert.ok(names.includes(name), name);
  });
});

describe('hub restart', () => {
  it('keeps devices, telemetry and commands across a restart of the same data directory', async () => {
    const first = await startTestHub();
    const link = await DeviceLink.open(await first.device('esp-persist'), 'esp-persist');
    const reg = await link.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3' } });
    const ack = await link.request('telemetry.report', { readings: [{ measurement_type: 'cpu_temperature', value: 41.5, timestamp: '2026-01-01T00:00:00Z' }] });
    assert.equal(ack.result.accepted, 1);
    const dataDir = first.dataDir;
    await first.close({ keepData: true });
    const second = await startTestHub({}, dataDir);
    try {
      const got = await second.rpc('device.get', { device_id: reg.result.device_id });
      assert.equal(got.result.status, 'offline');
      const q = await second.rpc('data.query', { device_ids: ['esp-persist'], time_range: { start: '2026-01-01T00:00:00Z', end: '2026-01-01T00:00:01Z' } });
      assert.equal(q.result.series[0].points[0].value, 41.5);
      const latest = await second.rpc('data.latest', { device_ids: ['esp-persist'] });
      assert.equal(latest.result.readings[0].value, 41.5);
    } finally {
      await second.close();
    }
  });
});

describe('batch.execute and the role of the method it runs', () => {
  let t: TestHub;
  let n: Node;
  let operator: { id: string; token: string };
  let admin: { id: string; token: string };
  const BATCH = { method: 'mcu.execute_script', filter: { type: 'mcu' }, params: { script: 'print(1)' } };

  before(async () => {
    t = await startTestHub();
    n = await node(t, 'pico-rbac', 'Zone R');
    n.link.onCommand = (method) => (method === 'mcu.execute_script' ? { output: '1\n', exit_code: 0 } : {});
    operator = await createApiToken(t.hub.stores.tokens, { role: 'operator', name: 'ops' });
    admin = await createApiToken(t.hub.stores.tokens, { role: 'admin', name: 'root' });
  });
  after(async () => t.close());

  const call = async (token: string, method: string, params: unknown): Promise<{ result?: any; error?: { code: number; message: string; data?: any } }> =>
    (await fetch(`${t.httpUrl}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    })).json() as never;

  it("refuses an operator's batch of an admin-only method once, before any command is created, and audits the refusal", async () => {
    const answer = await call(operator.token, 'batch.execute', BATCH);
    assert.equal(answer.result, undefined, 'no fan-out: one refusal, not a result per device');
    assert.equal(answer.error?.code, -32031);
    assert.deepEqual(answer.error?.data, { method: 'mcu.execute_script', required_role: 'admin', role: 'operator' });
    assert.match(answer.error?.message ?? '', /mcu\.execute_script .*needs the admin role/);
    assert.deepEqual((await call(admin.token, 'command.list', { method: 'mcu.execute_script' })).result.commands, []);
    assert.deepEqual(n.link.commands.map((c) => c.method), []);
    const audit = (await call(admin.token, 'audit.list', { principal: `token:${operator.id}` })).result.entries;
    assert.deepEqual(
      audit.map((e: any) => [e.method, e.decision, e.outcome, e.error?.code]),
      [['batch.execute', 'deny', 'denied', -32031]],
    );
  });

  it("runs an admin's batch of the same method on every selected device", async () => {
    const answer = await call(admin.token, 'batch.execute', BATCH);
    assert.deepEqual([answer.result?.total, answer.result?.succeeded], [1, 1], JSON.stringify(answer));
    assert.deepEqual(answer.result.results[0].result, { output: '1\n', exit_code: 0 });
    assert.deepEqual(n.link.commands.map((c) => [c.method, c.params.script]), [['mcu.execute_script', 'print(1)']]);
    assert.equal((await call(admin.token, 'command.list', { method: 'mcu.execute_script' })).result.commands.length, 1);
    const audit = (await call(admin.token, 'audit.list', { principal: `token:${admin.id}`, method: 'batch.execute' })).result.entries;
    assert.deepEqual(audit.map((e: any) => [e.decision, e.outcome]), [['allow', 'succeeded']]);
  });
});
