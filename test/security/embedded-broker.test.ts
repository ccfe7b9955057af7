/** The embedded broker under --device-auth credentials: who may connect, publish and subscribe (docs/security.md). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { eventually, startTestHub, type TestHub } from '../support/test-hub.ts';
import { forgeryTests, HONEST, INTRUDER, type BrokerUnderTest } from './broker-forgeries.ts';

const ENROLLMENT_KEY = 'fleet-key-for-tests';

async function issue(t: TestHub, hardwareId: string): Promise<string> {
  const answer = await t.rpc('device.credentials.create', { hardware_id: hardwareId });
  assert.equal(answer.result?.username, hardwareId, JSON.stringify(answer));
  return answer.result.password as string;
}

function refusal(url: string, options: mqtt.IClientOptions): Promise<number | undefined> {
  return mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, ...options }).then(
    async (client) => {
      await client.endAsync(true);
      return undefined;
    },
    (error: { code?: number }) => error.code,
  );
}

describe('embedded broker, --device-auth credentials', () => {
  let t: TestHub;
  const passwords = new Map<string, string>();
  before(async () => {
    t = await startTestHub({ deviceAuth: 'credentials', enrollmentKey: ENROLLMENT_KEY });
    passwords.set(HONEST, await issue(t, HONEST));
    passwords.set(INTRUDER, await issue(t, INTRUDER));
  });
  after(async () => t.close());

  describe('the forgeries', () => {
    forgeryTests((): BrokerUnderTest => ({ hub: t, url: t.mqttUrl, passwords, clientIdMismatch: 'refused' }));
  });

  it('refuses a CONNECT without credentials (5), with a client id not its identity (2) and counts each', async () => {
    assert.equal(await refusal(t.mqttUrl, { clientId: 'anonymous-1' }), 5);
    assert.equal(await refusal(t.mqttUrl, { clientId: 'someone-else', username: INTRUDER, password: passwords.get(INTRUDER) ?? '' }), 2);
    const metrics = await t.hub.metrics.registry.metrics();
    assert.match(metrics, /llmiot_device_auth_denied_total\{stage="connect",reason="no_credentials"\} [1-9]/);
    assert.match(metrics, /llmiot_device_auth_denied_total\{stage="connect",reason="client_id_mismatch"\} [1-9]/);
  });

  it("refuses a will on another device's topic at CONNECT", async () => {
    const code = await refusal(t.mqttUrl, {
      clientId: INTRUDER,
      username: INTRUDER,
      password: passwords.get(INTRUDER) ?? '',
      will: { topic: `spBv1.0/greenhouse/NDEATH/${HONEST}`, payload: Buffer.from([0]), qos: 1, retain: false },
    });
    assert.equal(code, 5);
  });

  it('the enrollment key admits and pins a new device, never one holding its own secret, and a wrong key is refused', async () => {
    const fresh = await mqtt.connectAsync(t.mqttUrl, { clientId: 'enrolled-e', username: 'enrolled-e', password: ENROLLMENT_KEY, protocolVersion: 4, reconnectPeriod: 0 });
    await fresh.endAsync(true);
    const list = await t.rpc('device.credentials.list');
    assert.equal(list.result.credentials.find((c: { hardware_id: string }) => c.hardware_id === 'enrolled-e')?.state, 'enrolled');
    assert.equal(await refusal(t.mqttUrl, { clientId: 'enrolled-f', username: 'enrolled-f', password: 'wrong-key' }), 4);
    assert.equal(await refusal(t.mqttUrl, { clientId: HONEST, username: HONEST, password: ENROLLMENT_KEY }), 4);
    // Once it has its own secret, the key no longer admits it.
    const own = await issue(t, 'enrolled-e');
    assert.equal(await refusal(t.mqttUrl, { clientId: 'enrolled-e', username: 'enrolled-e', password: ENROLLMENT_KEY }), 4);
    const again = await mqtt.connectAsync(t.mqttUrl, { clientId: 'enrolled-e', username: 'enrolled-e', password: own, protocolVersion: 4, reconnectPeriod: 0 });
    await again.endAsync(true);
  });

  it('revocation drops the live connection and refuses the secret and the enrollment key afterwards; rotation retires the old secret', async () => {
    const secret = await issue(t, 'revoked-r');
    const live = await mqtt.connectAsync(t.mqttUrl, { clientId: 'revoked-r', username: 'revoked-r', password: secret, protocolVersion: 4, reconnectPeriod: 0 });
    let closed = false;
    live.on('close', () => void (closed = true));
    const revoked = await t.rpc('device.credentials.revoke', { hardware_id: 'revoked-r' });
    assert.equal(revoked.result.state, 'revoked');
    await eventually(() => closed, 5000, 'the revoked device disconnected');
    assert.equal(await refusal(t.mqttUrl, { clientId: 'revoked-r', username: 'revoked-r', password: secret }), 5);
    assert.equal(await refusal(t.mqttUrl, { clientId: 'revoked-r', username: 'revoked-r', password: ENROLLMENT_KEY }), 5);

    const first = await issue(t, 'rotated-q');
    const rotated = await t.rpc('device.credentials.rotate', { hardware_id: 'rotated-q' });
    assert.notEqual(rotated.result.password, first);
    assert.equal(await refusal(t.mqttUrl, { clientId: 'rotated-q', username: 'rotated-q', password: first }), 4);
    const client = await mqtt.connectAsync(t.mqttUrl, { clientId: 'rotated-q', username: 'rotated-q', password: rotated.result.password, protocolVersion: 4, reconnectPeriod: 0 });
    await client.endAsync(true);
  });

  it('credentials methods: create twice is CREDENTIALS_EXIST, rotate of nothing CREDENTIALS_NOT_FOUND, list shows no secret', async () => {
    const twice = await t.rpc('device.credentials.create', { hardware_id: HONEST });
    assert.equal(twice.error?.code, -32032);
    const none = await t.rpc('device.credentials.rotate', { hardware_id: 'never-seen' });
    assert.equal(none.error?.code, -32033);
    const list = await t.rpc('device.credentials.list');
    assert.doesNotMatch(JSON.stringify(list), /\$7\$|password/);
  });
});
