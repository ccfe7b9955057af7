/**
 * Accountability: an LLM confirmation token is bound to the principal that asked for the plan. Over
 * JSON-RPC with two API tokens: the other principal's `llm.confirm` neither runs the plan nor spends
 * the token; the principal that asked redeems it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiToken } from '../../src/auth/api-tokens.ts';
import { soilMoistureSchema } from '../../src/simulator/sensor-schemas.ts';
import { startTestHub, type DeviceLink, type TestHub } from '../support/test-hub.ts';


let t: TestHub;
let link: DeviceLink;
let soilId = '';
before(async () => {
  t = await startTestHub({}, undefined, { bus: 'memory' });
  link = await t.link('pico-confirm');
  const mcuId = (await link.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Raspberry Pi', model: 'Pico W' } })).result.device_id;
  soilId = (await link.request('sensor.discover', { mcu_id: mcuId, static_schema: soilMoistureSchema('GP26', 12, true) })).result.sensor_id;
  link.onCommand = (method, params) => ({ method, ...params });
});
after(() => t.close());

const confirm = async (token: string, confirmToken: string): Promise<{ result?: { status: string }; error?: { code: number; message: string } }> =>
  (await fetch(`${t.httpUrl}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'llm.confirm', params: { confirm_token: confirmToken } }),
  }).then((res) => res.json())) as never;

describe('confirmation tokens and principals', () => {
  it('only the principal that asked can redeem a confirmation token; another one neither runs nor spends it', async () => {
    const asker = await createApiToken(t.hub.stores.tokens, { role: 'operator', name: 'asker' });
    const other = await createApiToken(t.hub.stores.tokens, { role: 'admin', name: 'other' });
    const held = await t.hub.tools.call('sensor_configure', { sensor_id: soilId, config: { power_mode: 'low_power' } }, { principal: { id: `token:${asker.id}`, kind: 'token', role: 'operator' }, via: 'llm' });
    assert.equal(held.status, 'confirmation_required');
    if (held.status !== 'confirmation_required') return;

    const stolen = await confirm(other.token, held.confirm_token);
    assert.ok(stolen.error, 'an admin who is not the asker is refused too');
    assert.equal(link.commands.filter((c) => c.method === 'sensor.configure').length, 0, 'nothing ran');

    const redeemed = await confirm(asker.token, held.confirm_token);
    assert.equal(redeemed.error, undefined, JSON.stringify(redeemed.error));
    assert.equal(link.commands.filter((c) => c.method === 'sensor.configure').length, 1);
  });
});
