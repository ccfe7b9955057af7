/**
 * The verb tools on a real hub: find_devices filters and paging, arguments checked against each
 * device's schema (the error lists what is valid for that device), and query_telemetry's bounded
 * summary of a 100,000-point series.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { ToolOutcome } from '../../src/tools/tool-runner.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

const example = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../../schemas/examples/${name}.static.json`, import.meta.url), 'utf8'));
const BMP580 = example('bmp580');
const SOIL = example('soil-moisture');
const admin = { principal: { id: 'verb-llm', kind: 'token' as const, role: 'admin' as const }, via: 'llm' as const };
const HOUR = 3_600_000;

function error(outcome: ToolOutcome): { code: number; message: string; data?: any } {
  assert.equal(outcome.status, 'error', JSON.stringify(outcome));
  return (outcome as Extract<ToolOutcome, { status: 'error' }>).error;
}
function ok(outcome: ToolOutcome): any {
  assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
  return (outcome as Extract<ToolOutcome, { status: 'ok' }>).result;
}

describe('verb tools', () => {
  let t: TestHub;
  const mcus: string[] = [];
  const bmps: string[] = [];
  const soils: string[] = [];

  before(async () => {
    t = await startTestHub({}, undefined, { bus: 'memory' });
    // 12 MCUs over two zones, each with a BMP580 and a soil probe (both with their datasheet schemas).
    for (let i = 0; i < 12; i++) {
      const zone = i < 8 ? 'Zone A' : 'Zone B';
      const reg = await t.hub.dispatcher.invoke(
        'device.register',
        { device_type: 'mcu', hardware_id: `verb-${String(i).padStart(2, '0')}`, static_schema: { manufacturer: 'Raspberry Pi', model: 'Pico W' }, zone, tags: i % 2 ? ['odd'] : [] },
        { transport: 'internal' },
      );
      const mcu = (reg as { device_id: string }).device_id;
      mcus.push(mcu);
      bmps.push(((await t.hub.dispatcher.invoke('sensor.discover', { mcu_id: mcu, static_schema: BMP580 }, { transport: 'internal' })) as { sensor_id: string }).sensor_id);
      soils.push(((await t.hub.dispatcher.invoke('sensor.discover', { mcu_id: mcu, static_schema: SOIL }, { transport: 'internal' })) as { sensor_id: string }).sensor_id);
    }
  });
  after(async () => t.close());

  const call = (name: string, args: Record<string, unknown>): Promise<ToolOutcome> => t.hub.tools.call(name, args, admin);

  it('find_devices filters by zone, type, tag, model, measurement and capability', async () => {
    assert.equal(ok(await call('find_devices', { zone: 'Zone B', type: 'mcu' })).total, 4);
    assert.equal(ok(await call('find_devices', { type: 'mcu', tag: 'odd' })).total, 6);
    assert.equal(ok(await call('find_devices', { model: 'bmp580' })).total, 12, 'model is case-insensitive');
    assert.equal(ok(await call('find_devices', { measurement: 'soil_moisture', zone: 'Zone A' })).total, 8);
    // Capabilities come from each device's schema: only the BMP580 has power_mode, only MCUs reboot.
    const powerMode = ok(await call('find_devices', { capability: 'power_mode', limit: 100 }));
    assert.deepEqual(powerMode.devices.map((d: { id: string }) => d.id).sort(), [...bmps].sort());
    assert.ok(powerMode.devices.every((d: { model: string }) => d.model === 'BMP580'));
    assert.equal(ok(await call('find_devices', { capability: 'reboot' })).total, 12);
    assert.equal(ok(await call('find_devices', { capability: 'sample_interval_s', zone: 'Zone B' })).total, 4);
    assert.equal(ok(await call('find_devices', { status: 'deregistered' })).total, 0);
  });

  it('find_devices pages with a cursor, small rows only', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = ok(await call('find_devices', { limit: 10, ...(cursor !== undefined && { cursor }) }));
      assert.equal(page.total, 36);
      assert.ok(page.devices.length <= 10);
      for (const d of page.devices) assert.deepEqual(Object.keys(d), ['id', 'hardware_id', 'name', 'type', 'model', 'zone', 'status']);
      seen.push(...page.devices.map((d: { id: string }) => d.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== undefined);
    assert.equal(pages, 4);
    assert.equal(new Set(seen).size, 36, 'every device once');
    assert.equal(error(await call('find_devices', { cursor: 'abc' })).code, -32602);
    assert.equal(error(await call('find_devices', { limit: 500 })).code, -32602, 'the input schema bounds the page');
  });

  it('configure_device refuses a setting the device does not have, listing the ones it has', async () => {
    const refused = error(await call('configure_device', { device: soils[0], settings: { power_mode: 'low_power' } }));
    assert.equal(refused.code, -32011, 'UNSUPPORTED_OPERATION');
    assert.match(refused.message, /has no setting "power_mode"; its settings: sample_interval_s: integer 1\.\.86400 s; settle_ms: integer 0\.\.1000 ms; samples_averaged: one of 1, 2, 4, 8, 16, 32/);
    assert.deepEqual(refused.data.valid_settings.map((s: { name: string }) => s.name), ['sample_interval_s', 'settle_ms', 'samples_averaged']);
  });

  it('configure_device refuses a value outside the datasheet through the safety envelope, naming the rule and what is allowed', async () => {
    const range = error(await call('configure_device', { device: soils[0], settings: { sample_interval_s: 0 } }));
    assert.equal(range.code, -32040, 'ENVELOPE_REFUSED');
    assert.match(range.message, /range \(datasheet\): config\.sample_interval_s = 0 is below the minimum 1/);
    assert.deepEqual([range.data.rule, range.data.key, range.data.minimum, range.data.maximum], ['range', 'sample_interval_s', 1, 86400]);
    const choice = error(await call('configure_device', { device: bmps[0], settings: { power_mode: 'low_power' } }));
    assert.equal(choice.data.rule, 'allowed_values');
    assert.match(choice.message, /config\.power_mode = "low_power" is not one of "deep_standby", "standby", "normal", "forced", "continuous"/);
    const oversampling = error(await call('configure_device', { device: bmps[0], settings: { pressure_oversampling: 3 } }));
    assert.match(oversampling.message, /config\.pressure_oversampling = 3 is not one of 1, 2, 4, 8, 16, 32, 64, 128/);
    const type = error(await call('configure_device', { device: soils[0], settings: { settle_ms: 2.5 } }));
    assert.equal(type.code, -32602, 'a value of the wrong type does not fit the device schema');
    assert.match(type.message, /settle_ms must be an integer, got 2\.5 \(allowed: integer 0\.\.1000 ms\)/);
    assert.deepEqual(type.data.issues.map((i: { path: string }) => i.path), ['/settings/settle_ms']);
    // Nothing was held for a call the device cannot take: the audit log has the refusals and failures only.
    const audit = await t.hub.stores.audit.list({ principal: 'verb-llm', tool: 'configure_device' });
    assert.ok(audit.length >= 4 && audit.every((e) => e.outcome === 'denied' || e.outcome === 'failed'), audit.map((e) => e.outcome).join());
    assert.equal(audit.filter((e) => e.error?.code === -32040).length, 3);
  });

  it('configure_device over a filter checks every device and names those that cannot', async () => {
    const mixed = error(await call('configure_device', { where: { zone: 'Zone B', type: 'sensor' }, settings: { power_mode: 'standby' } }));
    assert.equal(mixed.code, -32011);
    assert.match(mixed.message, /^4 of 8 selected devices cannot do this: /);
    assert.equal(mixed.data.devices.length, 4);
    const fits = await call('configure_device', { where: { zone: 'Zone B', model: 'BMP580' }, settings: { power_mode: 'standby' } });
    assert.equal(fits.status, 'confirmation_required', 'valid for every device: held for a person as usual');
    if (fits.status !== 'confirmation_required') return;
    assert.equal(fits.plan.method, 'batch.execute');
    assert.equal(fits.plan.devices.length, 4);
  });

  it('a verb tool call and the same JSON-RPC call name one method in the audit log, and one filter finds both', async () => {
    // The same write both ways, refused at once by the datasheet's envelope (no device has to answer).
    const settings = { power_mode: 'low_power' };
    assert.equal(error(await t.hub.tools.call('configure_device', { device: bmps[5], settings }, { ...admin, principal: { ...admin.principal, id: 'audit-llm' } })).code, -32040);
    assert.equal(((await t.rpc('sensor.configure', { sensor_id: bmps[5], config: settings })) as { error: { code: number } }).error.code, -32040);
    const operator = { principal: { id: 'audit-operator', kind: 'token' as const, role: 'operator' as const }, via: 'llm' as const };
    assert.equal(error(await t.hub.tools.call('run_command', { device: mcus[5], command: 'reboot' }, operator)).code, -32031);
    const names = (entries: { principal: string; tool: string; method?: string }[]): string[] =>
      entries.filter((e) => ['audit-llm', 'local', 'audit-operator'].includes(e.principal)).map((e) => `${e.principal} ${e.tool} ${e.method ?? '-'}`);
    const list = async (params: Record<string, unknown>): Promise<string[]> => names(((await t.rpc('audit.list', params)) as { result: { entries: never[] } }).result.entries);
    const both = ['local sensor_configure sensor.configure', 'audit-llm configure_device sensor.configure'];
    assert.deepEqual(await list({ method: 'sensor.configure' }), both);
    assert.deepEqual(await list({ tool: 'sensor.configure' }), both, 'the tool filter takes a method too');
    assert.deepEqual(await list({ tool: 'sensor_configure' }), both, 'in the tools\' spelling as well');
    assert.deepEqual(await list({ tool: 'configure_device' }), ['audit-llm configure_device sensor.configure']);
    // A call refused for the role its arguments need names the method it would have run.
    assert.deepEqual(await list({ method: 'mcu.reboot' }), ['audit-operator run_command mcu.reboot']);
  });

  it('run_command checks the command and its arguments against the device', async () => {
    const unknown = error(await call('run_command', { device: bmps[0], command: 'reboot' }));
    assert.equal(unknown.code, -32011);
    assert.match(unknown.message, /has no command "reboot"; its commands: read_raw, health, calibrate, reset/);
    const args = error(await call('run_command', { device: mcus[0], command: 'reboot', args: { delay: 5 } }));
    assert.equal(args.code, -32602);
    assert.match(args.message, /reboot takes delay_ms, timeout_ms; not delay/);
    const reset = await call('run_command', { device: bmps[0], command: 'reset' });
    assert.equal(reset.status, 'denied', 'a sensor reset is destructive: the default policy refuses it');
    const status = await call('run_command', { device: mcus[0], command: 'get_status' });
    assert.notEqual(status.status, 'confirmation_required', 'get_status is a read: never held');
  });

  it('read_device refuses a measurement the device does not report, listing the ones it does', async () => {
    const wrong = error(await call('read_device', { device: bmps[0], measurements: ['humidity'] }));
    assert.equal(wrong.code, -32011);
    assert.match(wrong.message, /does not measure humidity; it measures: pressure \(hPa\), temperature \(celsius\)/);
    assert.equal(error(await call('read_device', { device: bmps[0], where: { zone: 'Zone A' } })).code, -32602, 'device or where, not both');
  });

  it('describe_device lists measurements, settings and commands from the datasheet schema', async () => {
    const doc = ok(await call('describe_device', { device: bmps[0] }));
    assert.equal(doc.model, 'BMP580');
    assert.deepEqual(doc.measurements.find((m: { name: string }) => m.name === 'temperature'), { name: 'temperature', unit: 'celsius', range_min: -40, range_max: 85 });
    assert.ok(doc.settings.some((s: { name: string; summary: string }) => s.name === 'power_mode' && /one of deep_standby/.test(s.summary)));
    assert.deepEqual(doc.commands.map((c: { name: string; kind: string }) => `${c.name}:${c.kind}`), ['read_raw:read', 'health:read', 'calibrate:write', 'reset:destructive']);
  });

  it('query_telemetry answers a 100,000-point series in one small summary, with the interval it chose', async (context) => {
    const now = t.hub.services.now();
    const points = Array.from({ length: 100_000 }, (_, i) => ({
      deviceId: bmps[11] as string,
      measurement: 'temperature',
      unit: 'Cel',
      ts: now - 24 * HOUR + 60_000 + Math.floor((i * (24 * HOUR - 120_000)) / 100_000),
      value: 20 + (i % 100) / 10,
    }));
    for (let i = 0; i < points.length; i += 10_000) await t.hub.stores.telemetry.write(points.slice(i, i + 10_000));
    const answer = ok(await call('query_telemetry', { device: bmps[11], measurements: ['temperature'], last: '24h' }));
    const bytes = JSON.stringify(answer).length;
    assert.ok(bytes < 6_000, `${bytes} bytes`);
    context.diagnostic(`100,000 points → ${answer.points} buckets of ${answer.interval}, ${bytes} bytes of JSON`);
    assert.equal(answer.max_points, 60);
    assert.ok(answer.points <= 60, `${answer.points} buckets`);
    assert.equal(answer.interval, '30m');
    assert.match(answer.interval_note, /^chosen: at most 60 buckets per series/);
    const [series] = answer.series;
    assert.deepEqual([series.measurement, series.unit, series.summary.count, series.summary.min, series.summary.max], ['temperature', 'Cel', 100_000, 20, 29.9]);
    assert.ok(Math.abs(series.summary.mean - 24.95) < 1e-3, String(series.summary.mean));
    assert.deepEqual(answer.columns, ['start', 'min', 'max', 'mean', 'count']);
    assert.equal(series.buckets.reduce((n: number, b: number[]) => n + (b[4] as number), 0), 100_000, 'every point counted once');

    const tight = ok(await call('query_telemetry', { device: bmps[11], measurements: ['temperature'], last: '24h', interval: '1m', max_points: 10 }));
    assert.ok(tight.points <= 10);
    assert.match(tight.interval_note, /^widened from the interval asked/);
    const perDevice = ok(await call('query_telemetry', { device: bmps[11], group_by: 'device', last: '24h' }));
    assert.deepEqual(perDevice.columns, ['start', 'min', 'max', 'mean', 'count', 'last']);
    assert.equal(perDevice.series[0].hardware_id, 'verb-11/i2c:0x47');
    assert.equal(perDevice.series[0].summary.last, 29.9, 'the latest value of the series');
  });
});
