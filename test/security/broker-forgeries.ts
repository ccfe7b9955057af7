/**
 * The broker-level forgeries of issue "device identity", replayed against a hub whose broker enforces
 * the device ACL (the embedded one under --device-auth credentials, or a Mosquitto configured from
 * `llm-iot broker-config`). Each must fail and leave no trace while an honest device keeps working.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { DeviceLink, eventually, type TestHub } from '../support/test-hub.ts';

export const HONEST = 'honest-b';
export const INTRUDER = 'intruder-c';

export interface BrokerUnderTest {
  readonly hub: TestHub;
  readonly url: string;
  /** Passwords of HONEST and INTRUDER. */
  readonly passwords: ReadonlyMap<string, string>;
  /** Embedded: a client id that is not the login is refused (CONNACK 2); Mosquitto: replaced by the user name. */
  readonly clientIdMismatch: 'refused' | 'replaced';
}

interface Honest {
  readonly client: MqttClient;
  readonly link: DeviceLink;
  readonly deviceId: string;
  closed: boolean;
}

/** Register the tests; `setup` runs in the caller's `before`. */
export function forgeryTests(target: () => BrokerUnderTest): void {
  let honest: Honest;
  const seen: string[] = [];

  const login = (hardwareId: string, extra: mqtt.IClientOptions = {}): Promise<MqttClient> => {
    const t = target();
    return mqtt.connectAsync(t.url, { clientId: hardwareId, username: hardwareId, password: t.passwords.get(hardwareId) ?? '', protocolVersion: 4, reconnectPeriod: 0, ...extra });
  };

  /** Publish a forgery, then a sentinel on the intruder's own topic: the broker has handled the forgery once the sentinel arrived or it closed the connection. */
  const forge = async (topic: string, payload: string | Buffer): Promise<void> => {
    const onTopic = (): number => seen.filter((s) => s.startsWith(`${topic} `)).length;
    const already = onTopic();
    const client = await login(INTRUDER);
    let closed = false;
    client.on('close', () => void (closed = true));
    const sentinel = `llmiot/v1/${INTRUDER}/up`;
    const marker = `${seen.length}-${Math.random()}`;
    client.publish(topic, payload, { qos: 1 });
    client.publish(sentinel, JSON.stringify({ jsonrpc: '2.0', method: 'device.heartbeat', params: { marker } }), { qos: 1 });
    await eventually(() => closed || seen.includes(`${sentinel} ${marker}`), 10_000, `the broker handling a publish on ${topic}`);
    await client.endAsync(true).catch(() => {});
    assert.equal(onTopic(), already, `the forged publish on ${topic} reached the hub`);
  };

  const connectRefused = async (options: mqtt.IClientOptions): Promise<number> => {
    const error = await mqtt.connectAsync(target().url, { protocolVersion: 4, reconnectPeriod: 0, ...options }).then(
      async (client) => {
        await client.endAsync(true);
        return undefined;
      },
      (e: unknown) => e as { code?: number },
    );
    assert.ok(error !== undefined, `CONNECT ${JSON.stringify({ ...options, password: '…' })} was accepted`);
    return error.code ?? -1;
  };

  it('setup: the hub sees every message the broker accepts, an honest device registers', async () => {
    const t = target();
    await t.hub.hub.bus.subscribe('#', (topic, payload) => {
      const text = payload.toString();
      const marker = /"marker":"([^"]+)"/.exec(text)?.[1];
      seen.push(`${topic} ${marker ?? ''}`);
    });
    const client = await login(HONEST);
    const link = await DeviceLink.open(client, HONEST);
    const reg = await link.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3' }, zone: 'Zone A' });
    assert.equal(typeof reg.result?.device_id, 'string', JSON.stringify(reg));
    link.onCommand = (method) => ({ answered: method });
    honest = { client, link, deviceId: reg.result.device_id, closed: false };
    client.on('close', () => void (honest.closed = true));
  });

  it("subscribing to '#' or to another device's down topic reads none of its commands", async () => {
    const spy = await login(INTRUDER);
    const got: string[] = [];
    spy.on('message', (topic) => got.push(topic));
    for (const filter of ['#', `llmiot/v1/${HONEST}/down`, `lwm2m/${HONEST}/dn`, `spBv1.0/+/NCMD/${HONEST}`]) {
      // The embedded broker answers SUBACK 0x80 (mqtt.js rejects); Mosquitto grants and then delivers nothing.
      const granted = await spy.subscribeAsync(filter, { qos: 1 }).then((g) => g[0]?.qos, () => 128);
      if (target().clientIdMismatch === 'refused') assert.equal(granted, 128, `SUBSCRIBE ${filter}`);
    }
    const answer = await target().hub.rpc('mcu.get_config', { mcu_id: honest.deviceId });
    assert.equal(answer.error, undefined, JSON.stringify(answer));
    assert.ok(honest.link.commands.some((c) => c.method === 'mcu.get_config'), 'the honest device got its command');
    // The spy's own sentinel proves its subscriptions are live and everything before it was routed.
    await spy.publishAsync(`llmiot/v1/${INTRUDER}/up`, '{"jsonrpc":"2.0","method":"device.heartbeat","params":{}}', { qos: 1 });
    assert.deepEqual(got.filter((topic) => topic.includes(HONEST)), []);
    await spy.endAsync(true);
  });

  it('forged commands on the native, LwM2M and Sparkplug downlinks never reach the device', async () => {
    const before = honest.link.commands.length;
    await forge(`llmiot/v1/${HONEST}/down`, JSON.stringify({ jsonrpc: '2.0', id: 'forged-1', method: 'mcu.reboot', params: {} }));
    await forge(`lwm2m/${HONEST}/dn`, JSON.stringify({ reqID: 1, msgType: 'execute', data: { path: '/3/0/4' } }));
    await forge(`spBv1.0/greenhouse/NCMD/${HONEST}`, Buffer.from([0x08, 0x01]));
    await forge(`spBv1.0/greenhouse/DCMD/${HONEST}/sensor`, Buffer.from([0x08, 0x01]));
    assert.equal(honest.link.commands.length, before);
  });

  it("forged uplink as another device (native, LwM2M, Sparkplug) and forged STATE change nothing", async () => {
    const registry = JSON.stringify(target().hub.hub.registry.getByHardwareId(HONEST));
    await forge(`llmiot/v1/${HONEST}/up`, JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'device.register', params: { device_type: 'mcu', static_schema: { manufacturer: 'Evil', model: 'X' }, zone: 'Zone Z' } }));
    await forge(`lwm2m/${HONEST}/update`, JSON.stringify({ lt: 1 }));
    await forge(`lwm2m/${HONEST}/dereg`, '{}');
    await forge(`spBv1.0/greenhouse/NBIRTH/${HONEST}`, Buffer.from([0x08, 0x01]));
    await forge(`spBv1.0/greenhouse/NDEATH/${HONEST}`, Buffer.from([0x08, 0x01]));
    await forge(`spBv1.0/greenhouse/DDATA/${HONEST}/sensor`, Buffer.from([0x08, 0x01]));
    await forge('spBv1.0/STATE/llm-iot', JSON.stringify({ online: false, timestamp: Date.now() }));
    assert.equal(JSON.stringify(target().hub.hub.registry.getByHardwareId(HONEST)), registry);
  });

  it("a client id of another device cannot throw that device off", async () => {
    const t = target();
    if (t.clientIdMismatch === 'refused') {
      assert.equal(await connectRefused({ clientId: HONEST, username: INTRUDER, password: t.passwords.get(INTRUDER) ?? '' }), 2);
    } else {
      const other = await login(INTRUDER, { clientId: HONEST });
      await other.publishAsync(`llmiot/v1/${INTRUDER}/up`, '{"jsonrpc":"2.0","method":"device.heartbeat","params":{}}', { qos: 1 });
      await other.endAsync(true);
    }
    assert.equal(honest.closed, false, 'the honest device was thrown off');
  });

  it('bad, missing and borrowed credentials are refused at CONNECT', async () => {
    const t = target();
    assert.equal(await connectRefused({ clientId: HONEST, username: HONEST, password: 'not-the-secret' }), t.clientIdMismatch === 'refused' ? 4 : 5);
    assert.ok([4, 5].includes(await connectRefused({ clientId: HONEST })));
    assert.ok([4, 5].includes(await connectRefused({ clientId: HONEST, username: HONEST, password: t.passwords.get(INTRUDER) ?? '' })));
    assert.equal(honest.closed, false);
  });

  it('the honest device still works: a command round trip after all of the above', async () => {
    const answer = await target().hub.rpc('mcu.get_status', { mcu_id: honest.deviceId });
    assert.equal(answer.error, undefined, JSON.stringify(answer));
    assert.equal(honest.link.commands.at(-1)?.method, 'mcu.get_status');
    assert.equal(honest.closed, false);
    await honest.client.endAsync(true);
  });
}
