/**
 * Interlocks across hub instances: two instances on one broker group and one PostgreSQL schema
 * (docs/deployment.md, Scale-out). The tank level ingested through instance A decides a pump write
 * through instance B, though B's own latest-value cache holds an older, harmless level.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { HubError } from '../../src/core/errors.ts';
import type { Hub } from '../../src/hub.ts';
import { MOSQUITTO_URL, POSTGRES_URL, uniqueSuffix } from '../support/services.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

const suffix = uniqueSuffix();
const schema = `llmiot_interlock_${suffix}`;
const pumpHw = `pump-${suffix}`;
const tankHw = `tank-${suffix}`;
const policyFile = join(mkdtempSync(join(tmpdir(), 'llmiot-interlock-')), 'policy.json');
writeFileSync(
  policyFile,
  JSON.stringify({
    envelopes: [{ name: 'pump', match: { devices: [pumpHw] }, interlocks: [{ name: 'dry tank', when: { device: tankHw, measurement: 'water_level', below: 20, max_age_s: 600 }, forbid: { key: 'state', values: ['on'] } }] }],
  }),
);

let a: TestHub;
let b: TestHub;

const instance = (name: string): Promise<TestHub> =>
  startTestHub({ mqttUrl: MOSQUITTO_URL, mqttSharedGroup: `interlock${suffix}`, mqttClientId: `hub-${name}-${suffix}`, store: `${POSTGRES_URL}?schema=${schema}`, llmPolicy: policyFile });

/** A tank reading ingested by `hub` and committed to the shared store. */
async function level(hub: Hub, tankId: string, ts: number, value: number): Promise<void> {
  await hub.pipeline.submit([{ deviceId: tankId, measurement: 'water_level', ts, value }]);
  await hub.pipeline.flush();
}

/** The ENVELOPE_REFUSED data of switching the pump on through `hub`, or undefined when it was let through. */
async function switchOn(hub: Hub, pumpId: string): Promise<Record<string, unknown> | undefined> {
  try {
    await hub.executor.submit({ deviceId: pumpId, method: 'mcu.set_config', params: { config: { state: 'on' } }, origin: { transport: 'internal' }, timeoutMs: 1000 });
    return undefined;
  } catch (error) {
    assert.ok(error instanceof HubError && error.code === 'ENVELOPE_REFUSED', String(error));
    return { ...(error.data as Record<string, unknown>), message: error.message };
  }
}

describe('interlocks on a scaled-out hub', () => {
  before(async () => {
    a = await instance('a');
    b = await instance('b');
  });

  after(async () => {
    await b?.close();
    await a?.close();
    const db = new pg.Client({ connectionString: POSTGRES_URL });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.end();
  });

  it('refuses a write through B on a reading ingested through A, naming the interlock', async () => {
    const register = (hardwareId: string, type: 'mcu' | 'sensor') =>
      a.hub.registry.register({ hardwareId, type, parentId: null, staticSchema: { manufacturer: 'Generic', model: type === 'mcu' ? 'Pump' : 'Level Sensor' }, schemaVersion: '1.0', protocol: 'native' });
    // B learns of both devices through the shared registry (device.registered on its event bus).
    const known = new Set<string>();
    const bothKnown = new Promise<void>((resolve) => {
      const off = b.hub.events.on('device.registered', ({ device }) => {
        known.add(device.hardwareId);
        if (known.has(pumpHw) && known.has(tankHw)) resolve(off());
      });
    });
    const pump = (await register(pumpHw, 'mcu')).device;
    const tank = (await register(tankHw, 'sensor')).device;
    await bothKnown;
    const unknown = await switchOn(b.hub, pump.id);
    assert.equal(unknown?.['value'], null, 'no level in the cache nor the store: refused, as on one hub');
    const t0 = Date.now();
    // B ingested a full tank a minute ago; A ingests the newer, low level now.
    await level(b.hub, tank.id, t0 - 60_000, 80);
    await level(a.hub, tank.id, t0, 10);
    assert.equal(b.hub.cache.forDevice(tank.id, ['water_level'])[0]?.value, 80, "B's own cache still holds the older level");
    const refused = await switchOn(b.hub, pump.id);
    assert.equal(refused?.['rule'], 'interlock');
    assert.equal(refused?.['interlock'], 'dry tank');
    assert.equal(refused?.['value'], 10);
    assert.match(String(refused?.['message']), /interlock "dry tank": .* water_level is 10, below 20/);
    // Refilled (through A again): B lets the write through; a newer local reading still counts.
    await level(a.hub, tank.id, t0 + 1000, 60);
    assert.equal(await switchOn(b.hub, pump.id), undefined);
    await level(b.hub, tank.id, t0 + 2000, 5);
    assert.equal((await switchOn(b.hub, pump.id))?.['value'], 5, "B's own newer reading wins over the store's");
  });
});
