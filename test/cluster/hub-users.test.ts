/**
 * Several hub instances behind a Mosquitto configured by `llm-iot broker-config --hub-users`: one
 * broker user per instance (its client id, forced by use_username_as_clientid), one shared password,
 * so a survivor logs in as a dead instance and adopts its kept session.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { adopterCredentials } from '../../src/cluster/hub-cluster.ts';
import { instanceFilter } from '../../src/cluster/instance-topics.ts';
import { adoptSession } from '../../src/cluster/session-adopter.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { mosquittoFiles } from '../../src/security/mosquitto-config.ts';
import { matchTopic } from '../../src/mqtt/topic-filter.ts';
import { runCli } from '../support/cli.ts';
import { PrivateMosquitto } from '../support/private-mosquitto.ts';

const PASSWORD = 'hubs-secret-for-tests';
const dataDir = mkdtempSync(join(tmpdir(), 'llmiot-hubusers-'));
const out = join(dataDir, 'mosquitto');
let broker: PrivateMosquitto;
let written: { hub: { username: string; usernames?: string[] } };

before(async () => {
  const child = runCli(['broker-config', '--format', 'mosquitto', '--out', out, '--data-dir', dataDir, '--hub-users', 'hub-a,hub-b', '--hub-users', 'hub-c', '--mqtt-password', PASSWORD], { LLMIOT_LOG_LEVEL: 'silent' });
  assert.equal(await child.exit(), 0, child.output());
  written = JSON.parse(child.output()) as typeof written;
  const config = readFileSync(join(out, 'mosquitto.conf'), 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  broker = await PrivateMosquitto.start({ config });
});

after(async () => {
  await broker.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('llm-iot broker-config --hub-users', { timeout: 60_000 }, () => {
  it('writes one hub user per instance, each allowed everything', () => {
    assert.deepEqual(written.hub, { username: 'hub-a', usernames: ['hub-a', 'hub-b', 'hub-c'] });
    const users = readFileSync(join(out, 'password_file'), 'utf8').split('\n').filter((line) => line !== '').map((line) => line.split(':')[0]);
    assert.deepEqual(users, ['hub-a', 'hub-b', 'hub-c']);
    const acl = readFileSync(join(out, 'acl_file'), 'utf8');
    for (const user of ['hub-a', 'hub-b', 'hub-c']) assert.match(acl, new RegExp(`^user ${user}\\ntopic readwrite #$`, 'm'));
  });

  it("lets a survivor log in as a dead instance's user and adopt its session", async () => {
    // hub-a's session as the hub leaves it; Mosquitto names the client after its user whatever id it asks for.
    const dead = await mqtt.connectAsync(broker.url, { clientId: 'ignored', username: 'hub-a', password: PASSWORD, protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: 300 }, reconnectPeriod: 0 });
    await dead.subscribeAsync('$share/hubs/dev/+/up', { qos: 1 });
    await dead.subscribeAsync(instanceFilter('hub-a'), { qos: 1 });
    await new Promise<void>((resolve) => {
      dead.once('close', () => resolve());
      dead.stream.destroy();
      dead.end(true);
    });
    const sender = await mqtt.connectAsync(broker.url, { username: 'hub-b', password: PASSWORD, protocolVersion: 5, reconnectPeriod: 0 });
    for (let n = 0; n < 10; n++) await sender.publishAsync('dev/x/up', String(n), { qos: 1 });
    await sender.endAsync();
    // hub-b's view: its user is its client id, so it adopts hub-a's session as user hub-a.
    const credentials = adopterCredentials({ mqttUsername: 'hub-b', mqttPassword: PASSWORD }, broker.url, 'hub-b')('hub-a');
    assert.deepEqual(credentials, { username: 'hub-a', password: PASSWORD });
    const taken = new Set<string>();
    const outcome = await adoptSession({
      url: broker.url,
      dead: 'hub-a',
      sharedGroup: 'hubs',
      subscriptions: [{ filter: 'dev/+/up', qos: 1, shared: true, handler: (_topic, payload) => void taken.add(payload.toString()) }],
      connection: { ...credentials, sessionExpirySeconds: 300 },
      drainTimeoutMs: 10_000,
      logger: silentLogger,
    });
    assert.deepEqual(outcome, { kind: 'drained', messages: 10 });
    assert.equal(taken.size, 10);
  });

  it('gives devices no way to a hub client id or to the instances\' topics (the shared hub password widens nothing for them)', () => {
    const hubs = ['hub-a', 'hub-b'].map((username) => ({ username, hash: `$7$hub-${username}` }));
    const device = (hardwareId: string) => ({ hardwareId, state: 'active' as const, hash: `$7$dev-${hardwareId}`, createdAt: 0, updatedAt: 0 });
    // A device credential named like a hub instance never becomes a broker user: it could log in with that client id.
    const files = mosquittoFiles([device('hub-b'), device('pump-1')], hubs, '/etc/mosquitto');
    const users = files.passwordFile.split('\n').filter((line) => line !== '');
    assert.deepEqual(users, ['hub-a:$7$hub-hub-a', 'hub-b:$7$hub-hub-b', 'pump-1:$7$dev-pump-1']);
    // Device patterns (%u = the device) reach no topic under llmiot/hub/ (relays, command deliveries, answers, adoption markers).
    const patterns = files.aclFile.split('\n').filter((line) => line.startsWith('pattern ')).map((line) => line.split(' ')[2]?.replaceAll('%u', 'pump-1') ?? '');
    for (const topic of ['llmiot/hub/hub-a/relay/lwm2m', 'llmiot/hub/hub-a/deliver', 'llmiot/hub/hub-a/answer', 'llmiot/hub/hub-a/adopted', 'llmiot/hub-fanout/telemetry']) {
      assert.deepEqual(patterns.filter((p) => matchTopic(p, topic)), [], topic);
    }
    assert.match(files.config, /^use_username_as_clientid true$/m);
  });

  it('keeps one shared hub user as it is', () => {
    assert.deepEqual(adopterCredentials({ mqttUsername: 'hubs', mqttPassword: 'p' }, 'mqtt://broker', 'hub-b')('hub-a'), { username: 'hubs', password: 'p' });
    assert.deepEqual(adopterCredentials({ mqttUsername: undefined, mqttPassword: undefined }, 'mqtt://hub-b:p%40ss@broker', 'hub-b')('hub-a'), { username: 'hub-a', password: 'p@ss' });
  });
});
