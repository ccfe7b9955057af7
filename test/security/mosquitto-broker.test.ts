/**
 * An external Mosquitto configured from `llm-iot broker-config --format mosquitto` (password_file in
 * Mosquitto's $7$ format, acl_file of pattern lines): the hub logs in with its own user, devices with
 * credentials from `llm-iot device credentials create`, and the broker-level forgeries all fail.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { runCli } from '../support/cli.ts';
import { PrivateMosquitto } from '../support/private-mosquitto.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';
import { DeviceCredentials } from '../../src/security/device-credentials.ts';
import { verifySecret } from '../../src/security/password-hash.ts';
import { openStores } from '../../src/storage/open-stores.ts';
import { forgeryTests, HONEST, INTRUDER, type BrokerUnderTest } from './broker-forgeries.ts';

const HUB_PASSWORD = 'hub-secret-for-tests';

async function cli(args: string[]): Promise<string> {
  const child = runCli(args, { LLMIOT_LOG_LEVEL: 'silent' });
  const code = await child.exit();
  assert.equal(code, 0, child.output());
  return child.output();
}

describe('external Mosquitto configured by llm-iot broker-config', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'llmiot-brokercfg-'));
  const out = join(dataDir, 'mosquitto');
  const passwords = new Map<string, string>();
  let broker: PrivateMosquitto;
  let t: TestHub;
  let revokedSecret = '';

  before(async () => {
    // One device through the command an operator runs; the others in-process (each CLI start costs seconds).
    const issued = JSON.parse(await cli(['device', 'credentials', 'create', HONEST, '--data-dir', dataDir])) as { username: string; password: string };
    assert.equal(issued.username, HONEST);
    passwords.set(HONEST, issued.password);
    const stores = await openStores({ store: 'sqlite', dataDir });
    try {
      const credentials = new DeviceCredentials({ store: stores.credentials });
      passwords.set(INTRUDER, (await credentials.create(INTRUDER)).password);
      revokedSecret = (await credentials.create('revoked-r')).password;
      await credentials.revoke('revoked-r');
    } finally {
      await stores.close();
    }
    const written = JSON.parse(await cli(['broker-config', '--format', 'mosquitto', '--out', out, '--data-dir', dataDir, '--mqtt-username', 'hub', '--mqtt-password', HUB_PASSWORD]));
    assert.deepEqual(written.hub, { username: 'hub' });
    const config = readFileSync(join(out, 'mosquitto.conf'), 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    broker = await PrivateMosquitto.start({ config });
    t = await startTestHub({ mqttUrl: broker.url, mqttUsername: 'hub', mqttPassword: HUB_PASSWORD }, dataDir);
  });
  after(async () => {
    await t?.close({ keepData: true });
    await broker?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('the forgeries', () => {
    forgeryTests((): BrokerUnderTest => ({ hub: t, url: broker.url, passwords, clientIdMismatch: 'replaced' }));
  });

  it('a revoked device is not in the password file and cannot log in', async () => {
    assert.doesNotMatch(readFileSync(join(out, 'password_file'), 'utf8'), /^revoked-r:/m);
    const refused = await mqtt.connectAsync(broker.url, { clientId: 'revoked-r', username: 'revoked-r', password: revokedSecret, protocolVersion: 4, reconnectPeriod: 0 }).then(
      async (client) => {
        await client.endAsync(true);
        return false;
      },
      () => true,
    );
    assert.ok(refused);
  });

  it("reads mosquitto_passwd's own hashes, and writes hashes its verifier accepts", async () => {
    const file = join(dataDir, 'mosquitto_passwd');
    writeFileSync(file, '');
    execFileSync('mosquitto_passwd', ['-b', file, 'someone', 'their-password']);
    const hash = readFileSync(file, 'utf8').trim().split(':')[1] ?? '';
    assert.match(hash, /^\$7\$\d+\$/);
    assert.equal(await verifySecret('their-password', hash), true);
    assert.equal(await verifySecret('not-it', hash), false);
    const ours = readFileSync(join(out, 'password_file'), 'utf8').split('\n').find((line) => line.startsWith(`${HONEST}:`))?.slice(HONEST.length + 1) ?? '';
    assert.match(ours, /^\$7\$210000\$/);
    assert.equal(await verifySecret(passwords.get(HONEST) ?? '', ours), true);
  });
});
