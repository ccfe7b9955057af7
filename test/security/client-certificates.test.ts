/** MQTTS with --tls-ca under --device-auth credentials: a client certificate's subject CN is the device identity. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { EmbeddedMqttBus } from '../../src/mqtt/embedded-bus.ts';
import { listenMqttTls, type MqttListener } from '../../src/mqtt/listeners.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

/** A throw-away PKI made with openssl: a CA, the server's certificate, and client certificates by CN. */
class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'llmiot-pki-'));

  constructor() {
    this.#ca('ca');
    this.#ca('rogue-ca');
    this.issue('server', 'localhost', 'ca');
  }

  #ca(name: string): void {
    this.#openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', this.path(`${name}.key`), '-out', this.path(`${name}.pem`)]);
  }

  issue(name: string, cn: string, ca: string): void {
    this.#openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${cn}`, '-keyout', this.path(`${name}.key`), '-out', this.path(`${name}.csr`)]);
    writeFileSync(this.path(`${name}.ext`), cn === 'localhost' ? 'subjectAltName=DNS:localhost\n' : 'extendedKeyUsage=clientAuth\n');
    this.#openssl(['x509', '-req', '-in', this.path(`${name}.csr`), '-CA', this.path(`${ca}.pem`), '-CAkey', this.path(`${ca}.key`), '-CAcreateserial', '-days', '2', '-out', this.path(`${name}.pem`), '-extfile', this.path(`${name}.ext`)]);
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  read(file: string): Buffer {
    return readFileSync(this.path(file));
  }

  #openssl(args: string[]): void {
    execFileSync('openssl', args, { stdio: 'ignore' });
  }
}

describe('client certificates on MQTTS (--tls-ca)', () => {
  let pki: TestPki;
  let t: TestHub;
  let tls: MqttListener;
  let url: string;

  const connect = (cert: string, clientId: string, extra: mqtt.IClientOptions = {}): Promise<number | 'connected'> =>
    mqtt.connectAsync(url, { ca: pki.read('ca.pem'), cert: pki.read(`${cert}.pem`), key: pki.read(`${cert}.key`), clientId, protocolVersion: 4, reconnectPeriod: 0, ...extra }).then(
      async (client) => {
        await client.endAsync(true);
        return 'connected' as const;
      },
      (error: { code?: number }) => error.code ?? -1,
    );

  before(async () => {
    pki = new TestPki();
    pki.issue('device', 'cert-dev-1', 'ca');
    pki.issue('rogue', 'cert-dev-1', 'rogue-ca');
    t = await startTestHub({ deviceAuth: 'credentials' });
    assert.ok(t.hub.bus instanceof EmbeddedMqttBus);
    tls = await listenMqttTls(t.hub.bus, { port: 0, host: '127.0.0.1', cert: pki.read('server.pem'), key: pki.read('server.key'), ca: pki.read('ca.pem') });
    url = `mqtts://localhost:${tls.port}`;
  });
  after(async () => {
    await tls?.close();
    await t?.close();
    rmSync(pki.dir, { recursive: true, force: true });
  });

  it('admits a certificate signed by the CA as the hardware id its CN names, with no password', async () => {
    assert.equal(await connect('device', 'cert-dev-1'), 'connected');
  });

  it('refuses a client id other than the CN (2) and a user name other than the CN (4)', async () => {
    assert.equal(await connect('device', 'cert-dev-2'), 2);
    assert.equal(await connect('device', 'cert-dev-1', { username: 'cert-dev-2', password: 'x' }), 4);
  });

  it("refuses a certificate another CA signed: it proves nothing, and there is no password (5)", async () => {
    assert.equal(await connect('rogue', 'cert-dev-1'), 5);
  });

  it('refuses a revoked identity even with a valid certificate (5)', async () => {
    await t.rpc('device.credentials.revoke', { hardware_id: 'cert-dev-1' });
    assert.equal(await connect('device', 'cert-dev-1'), 5);
  });
});
