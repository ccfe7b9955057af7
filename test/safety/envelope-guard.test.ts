/**
 * The safety envelopes one rule at a time: datasheet and policy ranges, allowed values, rate limits
 * (injected clock), interlocks on the latest value, quiet hours in a time zone, the batch cap, and
 * the policy file's validation naming the key at fault.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Device } from '../../src/core/device.ts';
import type { DeviceRegistry } from '../../src/core/device-registry.ts';
import { HubError } from '../../src/core/errors.ts';
import { LatestValueCache } from '../../src/core/latest-cache.ts';
import type { TelemetryPoint } from '../../src/core/telemetry.ts';
import { EnvelopeGuard, SHARED_READ_TIMEOUT_MS } from '../../src/safety/envelope-guard.ts';
import { parseEnvelopePolicy } from '../../src/safety/parse-envelopes.ts';
import { soilMoistureSchema } from '../../src/simulator/index.ts';
import { deviceRecord } from '../support/device-record.ts';

function device(id: string, overrides: Partial<Device> = {}): Device {
  return deviceRecord({ id: `00000000-0000-4000-8000-${id.padStart(12, '0')}`, hardwareId: `gh/${id}`, type: 'actuator', parentId: null, name: id, manufacturer: 'Generic', model: 'Valve', ...overrides });
}

const valve = device('1', { staticSchema: { configuration_options: { position_percent: { type: 'integer', minimum: 0, maximum: 100 } } } });
const pump = device('2', { model: 'Pump', staticSchema: { configuration_options: { state: { type: 'string', allowed_values: ['on', 'off'] } } } });
const tank = device('3', { type: 'sensor', model: 'Level Sensor' });
const soil = device('4', { type: 'sensor', model: 'Simple Soil Moisture Sensor', staticSchema: soilMoistureSchema('GP26', 12, false) });
const fleet = [valve, pump, tank, soil];
const registry = {
  get: (id: string) => fleet.find((d) => d.id === id),
  getByHardwareId: (hw: string) => fleet.find((d) => d.hardwareId === hw),
} as unknown as DeviceRegistry;

const GREENHOUSE = {
  time_zone: 'Europe/Berlin',
  envelopes: [
    { name: 'valves', match: { models: ['Valve'] }, config: { position_percent: { minimum: 10, maximum: 80 } }, rate_limits: [{ max: 2, per_seconds: 60 }] },
    {
      name: 'pump',
      match: { devices: ['gh/2'] },
      interlocks: [{ name: 'dry tank', when: { device: 'gh/3', measurement: 'water_level', below: 20, max_age_s: 600 }, forbid: { key: 'state', values: ['on'] } }],
      rate_limits: [{ max: 1, per_seconds: 300, capability: 'state' }],
    },
    { name: 'night', match: { zones: ['Zone A'] }, quiet_hours: [{ from: '22:00', to: '06:00' }], max_batch_devices: 3 },
  ],
};

function guard(now: { t: number }, cache = new LatestValueCache(), document: unknown = GREENHOUSE): EnvelopeGuard {
  return new EnvelopeGuard({ policy: parseEnvelopePolicy(document), registry, cache, now: () => now.t, isRead: (m) => m === 'sensor.read' });
}

/** The refusal's data, or undefined when it passed. */
function refusal(run: () => void): Record<string, unknown> | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof HubError && error.code === 'ENVELOPE_REFUSED', String(error));
    return { ...(error.data as Record<string, unknown>), message: error.message };
  }
}

const NOON = Date.parse('2026-01-15T11:00:00Z'); // 12:00 in Berlin (CET)

describe('safety envelopes', () => {
  it('refuses values outside the datasheet range and allowed values, naming the rule and its source', () => {
    const g = guard({ t: NOON });
    const settle = refusal(() => g.check(soil, 'sensor.configure', { config: { settle_ms: 5000 } }, true));
    assert.equal(settle?.['rule'], 'range');
    assert.equal(settle?.['envelope'], 'datasheet');
    assert.equal(settle?.['maximum'], 1000);
    assert.match(String(settle?.['message']), /Envelope refused sensor\.configure on gh\/4: range \(datasheet\): config\.settle_ms = 5000 is above the maximum 1000/);
    const mode = refusal(() => g.check(soil, 'sensor.configure', { config: { power_mode: 'turbo' } }, true));
    assert.equal(mode?.['rule'], 'allowed_values');
    assert.deepEqual(mode?.['allowed_values'], ['continuous', 'low_power']);
    assert.equal(refusal(() => g.check(soil, 'sensor.configure', { config: { power_mode: 'LOW_POWER', settle_ms: 200 } }, true)), undefined);
    assert.equal(refusal(() => g.check(soil, 'sensor.read', { config: { settle_ms: 99_999 } }, true)), undefined, 'reads pass every envelope');
  });

  it('narrows the datasheet with the policy: the valve may open 10–80 % though it could do 0–100', () => {
    const g = guard({ t: NOON });
    const open = refusal(() => g.check(valve, 'sensor.configure', { config: { position_percent: 90 } }, false));
    assert.equal(open?.['rule'], 'range');
    assert.equal(open?.['envelope'], 'datasheet + valves');
    assert.deepEqual([open?.['minimum'], open?.['maximum']], [10, 80]);
    assert.equal(refusal(() => g.check(valve, 'sensor.configure', { config: { position_percent: 'wide' } }, false))?.['rule'], 'range');
    assert.equal(refusal(() => g.check(valve, 'sensor.configure', { config: { position_percent: 50 } }, false)), undefined);
    assert.deepEqual(g.effective(valve).config['position_percent'], { minimum: 10, maximum: 80, sources: ['datasheet', 'valves'] });
  });

  it('limits the rate per device and per capability, with the time to wait', () => {
    const now = { t: NOON };
    const g = guard(now);
    const move = (p: number) => () => g.check(valve, 'sensor.configure', { config: { position_percent: p } }, true);
    assert.equal(refusal(move(20)), undefined);
    // A preview (before approval) does not count.
    g.check(valve, 'sensor.configure', { config: { position_percent: 25 } }, false);
    now.t += 10_000;
    assert.equal(refusal(move(30)), undefined);
    now.t += 10_000;
    const third = refusal(move(40));
    assert.equal(third?.['rule'], 'rate_limit');
    assert.equal(third?.['envelope'], 'valves');
    assert.equal(third?.['retry_after_s'], 40);
    now.t += 40_000;
    assert.equal(refusal(move(40)), undefined, 'the window slid');

    const cache = new LatestValueCache();
    cache.update([{ deviceId: tank.id, measurement: 'water_level', value: 50, ts: NOON }]);
    const p = guard({ t: NOON }, cache);
    assert.equal(refusal(() => p.check(pump, 'sensor.configure', { config: { state: 'on' } }, true)), undefined);
    assert.equal(refusal(() => p.check(pump, 'sensor.configure', { config: { state: 'off' } }, true))?.['capability'], 'state');
    assert.equal(refusal(() => p.check(pump, 'sensor.calibrate', {}, true)), undefined, 'other capabilities are not limited by it');
  });

  it('holds an interlock on the latest value: no pump on while the tank is low, or its level unknown or stale', () => {
    const now = { t: NOON };
    const cache = new LatestValueCache();
    const g = guard(now, cache);
    const on = () => g.check(pump, 'sensor.configure', { config: { state: 'on' } }, false);
    const unknown = refusal(on);
    assert.equal(unknown?.['rule'], 'interlock');
    assert.equal(unknown?.['value'], null);
    assert.match(String(unknown?.['message']), /interlock "dry tank": no fresh water_level from gh\/3/);
    cache.update([{ deviceId: tank.id, measurement: 'water_level', value: 12.5, ts: NOON - 1000 }]);
    const low = refusal(on);
    assert.equal(low?.['value'], 12.5);
    assert.match(String(low?.['message']), /pump.*gh\/3 water_level is 12\.5, below 20/);
    assert.equal(refusal(() => g.check(pump, 'sensor.configure', { config: { state: 'off' } }, false)), undefined, 'switching off is always allowed');
    cache.update([{ deviceId: tank.id, measurement: 'water_level', value: 35, ts: NOON }]);
    assert.equal(refusal(on), undefined);
    now.t += 601_000;
    assert.equal(refusal(on)?.['rule'], 'interlock', 'a level older than max_age_s is unknown');
  });

  it('clustered, decides an interlock on the newer of the cache and the shared store, and fails closed when the store cannot be read', async () => {
    const stored: TelemetryPoint[] = [];
    let reads = 0;
    let broken = false;
    const shared = {
      latest: async () => {
        reads++;
        if (broken) throw new Error('connection terminated');
        return stored;
      },
    };
    const cache = new LatestValueCache();
    // The pump envelope with its interlock only, allowing an unknown level.
    const pumpOnly = GREENHOUSE.envelopes[1] as { interlocks: Record<string, unknown>[] };
    const allowUnknown = { envelopes: [{ name: 'pump', match: { devices: ['gh/2'] }, interlocks: [{ ...pumpOnly.interlocks[0], if_unknown: 'allow' }] }] };
    const g = new EnvelopeGuard({ policy: parseEnvelopePolicy(allowUnknown), registry, cache, shared, now: () => NOON, isRead: (m) => m === 'sensor.read' });
    const on = async (): Promise<Record<string, unknown> | undefined> => {
      try {
        await g.admit({ device: pump, method: 'sensor.configure', params: { config: { state: 'on' } }, origin: { transport: 'internal' } });
        return undefined;
      } catch (error) {
        return refusal(() => {
          throw error;
        });
      }
    };
    cache.update([{ deviceId: tank.id, measurement: 'water_level', value: 50, ts: NOON - 60_000 }]);
    stored.push({ deviceId: tank.id, measurement: 'water_level', value: 10, ts: NOON - 1000 });
    assert.equal((await on())?.['value'], 10, "another instance's newer reading decides");
    const preview = await g.judge(pump, 'sensor.configure', { config: { state: 'on' } }, false)?.then(
      () => undefined,
      (error: unknown) => refusal(() => {
        throw error;
      }),
    );
    assert.equal(preview?.['value'], 10, 'so does a preview before an approval is asked for');
    cache.update([{ deviceId: tank.id, measurement: 'water_level', value: 40, ts: NOON }]);
    assert.equal(await on(), undefined, "this instance's own newer reading decides");
    broken = true;
    const down = await on();
    assert.equal(down?.['rule'], 'interlock');
    assert.match(String(down?.['message']), /the shared store could not be read/, 'refused though if_unknown allows: the cluster may know better');
    const before = reads;
    await g.admit({ device: pump, method: 'sensor.configure', params: { config: { state: 'off' } }, origin: { transport: 'internal' } });
    await g.admit({ device: valve, method: 'sensor.configure', params: { config: { position_percent: 50 } }, origin: { transport: 'internal' } });
    assert.equal(reads, before, 'a write no interlock forbids reads nothing from the store');
  });

  it('clustered, refuses when the shared store does not answer within the timeout (2 s, or sharedReadTimeoutMs)', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let reads = 0;
    // An unreachable PostgreSQL: the read never settles.
    const shared = { latest: () => (reads++, new Promise<TelemetryPoint[]>(() => undefined)) };
    const cache = new LatestValueCache();
    cache.update([{ deviceId: tank.id, measurement: 'water_level', value: 50, ts: NOON }]);
    const g = new EnvelopeGuard({ policy: parseEnvelopePolicy(GREENHOUSE), registry, cache, shared, now: () => NOON, isRead: (m) => m === 'sensor.read' });
    const outcome = g.admit({ device: pump, method: 'sensor.configure', params: { config: { state: 'on' } }, origin: { transport: 'internal' } })?.then(
      () => undefined,
      (error: unknown) => refusal(() => {
        throw error;
      }),
    );
    let settled = false;
    void outcome?.then(() => (settled = true));
    t.mock.timers.tick(SHARED_READ_TIMEOUT_MS - 1);
    await new Promise(setImmediate);
    assert.equal(settled, false, 'still waiting just before the timeout');
    t.mock.timers.tick(1);
    const refused = await outcome;
    assert.equal(reads, 1);
    assert.equal(refused?.['rule'], 'interlock', "refused, though this instance's own cache holds a safe level");
    assert.equal(refused?.['value'], null);
    assert.match(String(refused?.['message']), /interlock "dry tank": the shared store did not answer within 2000 ms .* refused to be safe/);
    const custom = new EnvelopeGuard({ policy: parseEnvelopePolicy(GREENHOUSE), registry, cache, shared, sharedReadTimeoutMs: 50, now: () => NOON, isRead: (m) => m === 'sensor.read' });
    const quick = custom.admit({ device: pump, method: 'sensor.configure', params: { config: { state: 'on' } }, origin: { transport: 'internal' } });
    t.mock.timers.tick(50);
    await assert.rejects(Promise.resolve(quick), /did not answer within 50 ms/);
  });

  it('refuses writes in quiet hours of the policy time zone, across midnight', () => {
    const at = (iso: string) => refusal(() => guard({ t: Date.parse(iso) }).check(soil, 'sensor.configure', { config: { power_mode: 'low_power' } }, false));
    assert.equal(at('2026-01-15T21:30:00Z')?.['rule'], 'quiet_hours', '22:30 in Berlin');
    assert.equal(at('2026-01-15T04:59:00Z')?.['rule'], 'quiet_hours', '05:59 in Berlin');
    assert.equal(at('2026-01-15T05:00:00Z'), undefined, '06:00 in Berlin');
    assert.equal(at('2026-07-15T20:30:00Z')?.['rule'], 'quiet_hours', '22:30 in Berlin, summer time');
    assert.equal(at('2026-01-15T20:30:00Z'), undefined, '21:30 in Berlin');
  });

  it('caps the devices of one batch', () => {
    const g = guard({ t: NOON });
    assert.doesNotThrow(() => g.admitBatch('sensor.configure', [valve, pump, soil]));
    assert.doesNotThrow(() => g.admitBatch('sensor.read', fleet), 'reads are not capped');
    const over = refusal(() => g.admitBatch('sensor.configure', fleet));
    assert.equal(over?.['rule'], 'max_batch_devices');
    assert.deepEqual([over?.['devices'], over?.['max'], over?.['envelope']], [4, 3, 'night']);
  });

  it('validates the policy file at start, naming the key at fault', () => {
    const bad = (document: unknown, message: RegExp) => assert.throws(() => parseEnvelopePolicy(document), message);
    bad({ envelopes: [{ match: { models: ['Valve'] }, config: { position_percent: { minimum: 90, maximum: 80 } } }] }, /envelopes\[0\]\.config\.position_percent\.minimum \(90\) is above maximum \(80\)/);
    bad({ envelopes: [{ match: { model: ['Valve'] }, max_batch_devices: 2 }] }, /envelopes\[0\]\.match\.model is not a known key/);
    bad({ envelopes: [{ interlocks: [{ when: { device: 'gh/3', measurement: 'level' }, forbid: { key: 'state' } }] }] }, /envelopes\[0\]\.interlocks\[0\]\.when needs below or above/);
    bad({ envelopes: [{ quiet_hours: [{ from: '22h', to: '06:00' }] }] }, /envelopes\[0\]\.quiet_hours\[0\]\.from must be a time HH:MM/);
    bad({ envelopes: [{ rate_limits: [{ max: 0, per_seconds: 60 }] }] }, /envelopes\[0\]\.rate_limits\[0\]\.max must be a number ≥ 1/);
    bad({ envelopes: [{ match: { zones: ['A'] } }] }, /envelopes\[0\] declares no rule/);
    bad({ time_zone: 'Mars/Olympus', envelopes: [] }, /time_zone "Mars\/Olympus" is not a time zone/);
    assert.equal(parseEnvelopePolicy({ rules: [] }).envelopes.length, 0);
  });
});

describe('the policy file example of docs/llm.md', () => {
  it('is a valid policy: the greenhouse valves, pump interlock, quiet hours and batch cap', async () => {
    const { readFileSync } = await import('node:fs');
    const { parsePolicy } = await import('../../src/tools/actuation-policy.ts');
    const doc = readFileSync(new URL('../../docs/llm.md', import.meta.url), 'utf8');
    const block = doc.slice(doc.indexOf('## Policy file')).match(/```json\n([\s\S]*?)```/)?.[1];
    assert.ok(block, 'the example is there');
    const example = JSON.parse(block) as unknown;
    assert.equal(parsePolicy(example).rules.length, 1);
    const policy = parseEnvelopePolicy(example);
    assert.deepEqual(policy.envelopes.map((e) => e.name), ['irrigation valves', 'main pump', 'sensor batches']);
    assert.equal(policy.timeZone, 'Europe/Berlin');
  });
});
