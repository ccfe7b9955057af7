/**
 * Closed inputs over real sockets: unknown params and filter keys fail naming the key, selectors never
 * widen by mistake, a valid filter that matches nothing says so, and device.register needs a hardware id
 * where nothing else identifies the caller.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { DeviceLink, eventually, startTestHub, type TestHub } from '../support/test-hub.ts';

const BMP580 = {
  manufacturer: 'Bosch',
  model: 'BMP580',
  sensor_category: 'environmental',
  communication: { primary_protocol: 'I2C', i2c: { address: '0x47' } },
  measurements: [{ measurement_type: 'temperature', unit: 'celsius', range_min: -40, range_max: 85, accuracy: 0.5 }],
};
const PICO = { manufacturer: 'Raspberry Pi', model: 'Pico W' };

describe('closed inputs', () => {
  let t: TestHub;
  let link: DeviceLink;
  let bmp: string;

  before(async () => {
    t = await startTestHub();
    link = await DeviceLink.open(await t.device('closed-pico'), 'closed-pico');
    const mcu = await link.request('device.register', { device_type: 'mcu', static_schema: PICO, zone: 'Zone A' });
    bmp = (await link.request('sensor.discover', { mcu_id: mcu.result.device_id, static_schema: BMP580 })).result.sensor_id;
    link.onCommand = (method, params) => {
      if (method === 'sensor.read') return { sensor_id: params.sensor_id, readings: [{ measurement_type: 'temperature', value: 21.5, unit: 'celsius' }] };
      if (method === 'sensor.configure') return { sensor_id: params.sensor_id, config: params.config };
      throw new Error(`unsupported ${method}`);
    };
  });
  after(async () => t.close());

  it('refuses an unknown param with -32602 naming it, and sends the device nothing', async () => {
    const before = link.commands.length;
    const answer = await t.rpc('sensor.read', { sensor_id: bmp, async: true });
    assert.equal(answer.error?.code, -32602);
    assert.match(answer.error?.message ?? '', /unknown param "async"/);
    assert.match(answer.error?.message ?? '', /known: sensor_id/);
    assert.deepEqual(answer.error?.data.issues.map((i: { path: string }) => i.path), ['/async']);
    assert.equal(link.commands.length, before, 'no command reached the device');
    // Without the stray key the same call reads the sensor.
    assert.equal((await t.rpc('sensor.read', { sensor_id: bmp })).result.readings[0].value, 21.5);
  });

  it('refuses a misspelt filter key in batch.execute instead of running on every device', async () => {
    const before = link.commands.length;
    const answer = await t.rpc('batch.execute', { method: 'sensor.read', filter: { modle: 'BMP580' } });
    assert.equal(answer.error?.code, -32602);
    assert.match(answer.error?.message ?? '', /unknown key "modle" in filter/);
    assert.deepEqual(answer.error?.data.issues.map((i: { path: string }) => i.path), ['/filter/modle']);
    assert.equal(link.commands.length, before);
  });

  it('refuses unknown keys in device.list and in the filters of data.*', async () => {
    const list = await t.rpc('device.list', { bogus: 1 });
    assert.equal(list.error?.code, -32602);
    assert.match(list.error?.message ?? '', /unknown param "bogus"/);
    const query = await t.rpc('data.query', { filter: { zome: 'Zone A' } });
    assert.equal(query.error?.code, -32602);
    assert.match(query.error?.message ?? '', /unknown key "zome" in filter/);
    const range = await t.rpc('data.query', { filter: { zone: 'Zone A' }, time_range: { lats: '1h' } });
    assert.match(range.error?.message ?? '', /unknown key "lats" in time_range/);
  });

  it('never reads an empty filter as "every device"', async () => {
    const before = link.commands.length;
    const calls = [
      ['batch.execute', { method: 'sensor.read', filter: {} }],
      ['data.query', { filter: {} }],
      ['data.latest', { filter: {} }],
    ] as const;
    for (const [method, params] of calls) {
      const answer = await t.rpc(method, params);
      assert.equal(answer.error?.code, -32602, method);
      assert.match(answer.error?.message ?? '', /\/filter must name at least one key/, method);
    }
    assert.equal(link.commands.length, before);
  });

  it('reports a valid filter that matches nothing: an error for batch and data, an empty list for device.list', async () => {
    const before = link.commands.length;
    const batch = await t.rpc('batch.execute', { method: 'sensor.configure', params: { config: { mode: 'low_power' } }, filter: { model: 'SHT45' } });
    assert.equal(batch.error?.code, -32014);
    assert.match(batch.error?.message ?? '', /No device matched: filter \{"model":"SHT45"\}/);
    assert.deepEqual(batch.error?.data, { filter: { model: 'SHT45' } });
    assert.equal(link.commands.length, before);
    const query = await t.rpc('data.query', { filter: { zone: 'Zone Q' }, aggregation: 'avg' });
    assert.equal(query.error?.code, -32014);
    assert.match(query.error?.message ?? '', /Zone Q/);
    const latest = await t.rpc('data.latest', { filter: { zone: 'Zone Q' } });
    assert.equal(latest.error?.code, -32014);
    assert.deepEqual((await t.rpc('device.list', { zone: 'Zone Q' })).result, { devices: [], total: 0 });
    // The same selections that do match still work.
    const ok = await t.rpc('batch.execute', { method: 'sensor.read', filter: { model: 'BMP580' } });
    assert.deepEqual([ok.result.total, ok.result.succeeded], [1, 1]);
  });

  it('refuses an unknown query parameter of GET /export', async () => {
    const response = await fetch(`${t.httpUrl}/export?zome=Zone%20A&last=1h`);
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { code: number; message: string } };
    assert.equal(body.error.code, -32602);
    assert.match(body.error.message, /unknown query parameter "zome"/);
  });

  // [query, the data.export params it stands for, what the message must say]
  const invalidExports: [string, Record<string, unknown>, RegExp][] = [
    ['format=xml', { format: 'xml' }, /query parameter "format" must be one of "csv", "jsonl"$/],
    ['format=', { format: '' }, /query parameter "format" must be one of "csv", "jsonl"$/],
    ['last=bogus', { time_range: { last: 'bogus' } }, /query parameter "last" must match pattern/],
    ['last=10y', { time_range: { last: '10y' } }, /query parameter "last" must match pattern/],
    ['last=0h', { time_range: { last: '0h' } }, /query parameter "last" must be a positive duration/],
    ['type=bogus', { filter: { type: 'bogus' } }, /query parameter "type" must be one of "mcu", "sensor", "actuator"$/],
    ['start=yesterday', { time_range: { start: 'yesterday' } }, /query parameter "start" is not a time/],
  ];
  for (const [query, params, message] of invalidExports) {
    it(`refuses GET /export?${query} with 400 and the -32602 data.export gives for ${JSON.stringify(params)}`, async () => {
      const response = await fetch(`${t.httpUrl}/export?${query}`);
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('content-type'), 'application/json');
      const body = (await response.json()) as { error: { code: number; message: string; data: { issues: unknown[] } } };
      assert.equal(body.error.code, -32602);
      assert.match(body.error.message, message);
      const rpc = await t.rpc('data.export', params);
      assert.equal(rpc.error?.code, -32602);
      assert.deepEqual(body.error.data.issues, rpc.error?.data.issues, 'the same issues as data.export');
    });
  }

  it('says which values data.export allows', async () => {
    const rpc = await t.rpc('data.export', { format: 'xml' });
    assert.equal(rpc.error?.message, 'Invalid params: /format must be one of "csv", "jsonl"');
  });

  it('refuses a repeated single-valued GET /export parameter; device_id and measurement_type are lists', async () => {
    for (const [query, key] of [
      ['zone=Zone%20A&zone=Zone%20B', 'zone'],
      ['format=csv&format=jsonl', 'format'],
      ['last=1h&last=2h', 'last'],
    ]) {
      const response = await fetch(`${t.httpUrl}/export?${query}`);
      assert.equal(response.status, 400, query);
      const body = (await response.json()) as { error: { code: number; message: string } };
      assert.equal(body.error.code, -32602, query);
      assert.match(body.error.message, new RegExp(`query parameter "${key}" takes one value, given 2`), query);
    }
    const lists = await fetch(`${t.httpUrl}/export?device_id=${bmp}&device_id=closed-pico&measurement_type=temperature&measurement_type=humidity&last=1h`);
    assert.equal(lists.status, 200);
    await lists.text();
  });

  it('still streams valid GET /export queries', async () => {
    await link.request('telemetry.report', { readings: [{ measurement_type: 'cpu_temperature', value: 40.5 }] });
    await t.hub.pipeline.flush();
    const csv = await fetch(`${t.httpUrl}/export?zone=Zone%20A&type=mcu&last=1h&format=csv`);
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
    const lines = (await csv.text()).trim().split('\n');
    assert.equal(lines[0], 'timestamp,device_id,measurement_type,value,unit,quality,source_measurement,source_unit');
    assert.ok(lines.slice(1).some((line) => line.includes(',cpu_temperature,40.5,')), lines.join('\n'));
    const jsonl = await fetch(`${t.httpUrl}/export?device_id=closed-pico&measurement_type=cpu_temperature&format=jsonl`);
    assert.equal(jsonl.status, 200);
    assert.equal(jsonl.headers.get('content-type'), 'application/x-ndjson');
    const rows = (await jsonl.text()).trim().split('\n').map((line) => JSON.parse(line));
    assert.ok(rows.length > 0 && rows.every((row) => row.measurement_type === 'cpu_temperature'));
  });

  it('needs a hardware id for device.register over HTTP and WebSocket, and mints no device', async () => {
    const total = (await t.rpc('device.list', { include_schema: false })).result.total;
    const http = await t.rpc('device.register', { device_type: 'mcu', static_schema: PICO });
    assert.equal(http.error?.code, -32602);
    assert.match(http.error?.message ?? '', /hardware_id is required over http/);
    assert.deepEqual(http.error?.data.issues.map((i: { path: string }) => i.path), ['/hardware_id']);

    const ws = new WebSocket(`${t.httpUrl.replace('http', 'ws')}/ws`);
    await new Promise((resolve) => ws.once('open', resolve));
    const messages: any[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'device.register', params: { device_type: 'mcu', static_schema: PICO } }));
    const answer = await eventually(() => messages.find((m) => m.id === 1));
    ws.close();
    assert.equal(answer.error?.code, -32602);
    assert.match(answer.error?.message ?? '', /hardware_id is required over websocket/);
    assert.equal((await t.rpc('device.list', { include_schema: false })).result.total, total, 'no anon- device was created');

    // With one, registering twice is one device.
    const first = await t.rpc('device.register', { device_type: 'mcu', static_schema: PICO, hardware_id: 'pico-over-http' });
    const again = await t.rpc('device.register', { device_type: 'mcu', static_schema: PICO, hardware_id: 'pico-over-http' });
    assert.equal(again.result.device_id, first.result.device_id);
    assert.deepEqual([first.result.created, again.result.created], [true, false]);
  });

  it('over native MQTT: the client id is the hardware id, and unknown keys fail the same way', async () => {
    const other = await DeviceLink.open(await t.device('closed-nano'), 'closed-nano');
    const registered = await other.request('device.register', { device_type: 'mcu', static_schema: PICO });
    assert.equal(registered.result.hardware_id, 'closed-nano');
    const stray = await other.request('device.heartbeat', { uptime: 5 });
    assert.equal(stray.error?.code, -32602);
    assert.match(stray.error?.message ?? '', /unknown param "uptime"/);
    const reported = await other.request('telemetry.report', { readings: [{ measurement_type: 'cpu_temperature', value: 40 }], modle: 'Pico W' });
    assert.equal(reported.error?.code, -32602);
    assert.match(reported.error?.message ?? '', /unknown param "modle"/);
  });

  it('gives MCP tools closed input schemas, filters included, and refuses unknown arguments', async () => {
    const tool = t.hub.tools.tool('configure_device');
    assert.ok(tool, 'configure_device is a tool');
    assert.equal(tool.inputSchema.additionalProperties, false);
    const where = (tool.inputSchema.properties as Record<string, Record<string, unknown>>)['where'];
    assert.equal(where?.['additionalProperties'], false);
    assert.ok(!('confirm_token' in (tool.inputSchema.properties ?? {})), 'no approval token: only a person approves, on the hub');
    const outcome = await t.hub.tools.call('find_devices', { bogus: 1 }, { principal: { id: 'test', kind: 'local', role: 'admin' }, via: 'mcp' });
    assert.equal(outcome.status, 'error');
    assert.equal(outcome.status === 'error' && outcome.error.code, -32602);
  });
});
