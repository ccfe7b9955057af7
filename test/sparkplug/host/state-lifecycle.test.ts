// Host Application STATE across a broker restart (a private Mosquitto the test restarts) and at a clean
// shutdown of the CLI on the embedded broker (the offline STATE reaches the devices before their connections close).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { DualProtocolDevice } from '../../../src/simulator/dual-protocol-device.ts';
import { runCli } from '../../support/cli.ts';
import { PrivateMosquitto } from '../../support/private-mosquitto.ts';
import { uniqueSuffix } from '../../support/services.ts';
import { eventually, type TestHub } from '../../support/test-hub.ts';
import { startSparkplugHub } from './host-fixtures.ts';

interface StateSeen {
  readonly online: boolean;
  readonly timestamp: number;
  readonly retain: boolean;
}

/** An MQTT client on a STATE topic that reconnects on its own and keeps every STATE it receives. */
async function stateWatcher(url: string, topic: string): Promise<{ client: MqttClient; seen: StateSeen[] }> {
  const seen: StateSeen[] = [];
  const client = await mqtt.connectAsync(url, { clientId: `state-watch-${uniqueSuffix()}`, protocolVersion: 4, reconnectPeriod: 100, resubscribe: true });
  client.on('error', () => {});
  client.on('message', (_topic, payload, packet) => {
    const { online, timestamp } = JSON.parse(payload.toString()) as { online: boolean; timestamp: number };
    seen.push({ online, timestamp, retain: packet.retain });
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return { client, seen };
}

describe('Sparkplug host: STATE across broker restarts and shutdown', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  it('[tck-id-host-topic-phid-birth-required][tck-id-operational-behavior-host-application-connect-birth] after a broker crash and restart the hub publishes its online STATE again (retained, the will\'s timestamp) and an edge node waiting for it births again', async () => {
    const broker = await PrivateMosquitto.start();
    cleanups.push(() => broker.close());
    const t: TestHub = await startSparkplugHub({ mqttUrl: broker.url });
    cleanups.push(() => t.close());
    const hostId = t.hub.config.sparkplugHostId;
    const topic = `spBv1.0/STATE/${hostId}`;
    const watcher = await stateWatcher(broker.url, topic);
    cleanups.push(() => watcher.client.endAsync(true));
    const first = await eventually(() => watcher.seen.find((s) => s.online), 5000, 'the online STATE');

    const device = new DualProtocolDevice({ url: broker.url, hardwareId: `sp-restart-${uniqueSuffix()}`, board: 'esp32-s3', hostId, lwm2m: false, telemetryIntervalMs: 200 });
    device.on('problem', () => {});
    cleanups.push(() => device.stop());
    await device.start();
    await eventually(() => device.stats().sparkplug.births >= 1 || undefined, 10_000, 'the NBIRTH');
    const birthsBefore = device.stats().sparkplug.births;

    // A crash (no will is published: the hub never sees its own offline STATE) and a restart that,
    // without persistence, forgets the retained STATE and every session.
    await broker.restart('SIGKILL');
    const seenBefore = watcher.seen.length;
    const again = await eventually(() => watcher.seen.slice(seenBefore).find((s) => s.online), 15_000, 'the online STATE after the restart');
    assert.equal(again.timestamp, first.timestamp, 'the same timestamp as the will of the (re)connection');
    await eventually(() => device.stats().sparkplug.births > birthsBefore || undefined, 15_000, 'a new NBIRTH after the restart');

    // The STATE is retained again: a client connecting now learns the host is online.
    const late = await stateWatcher(broker.url, topic);
    cleanups.push(() => late.client.endAsync(true));
    const retained = await eventually(() => late.seen[0], 5000, 'the retained STATE');
    assert.deepEqual(retained, { online: true, timestamp: first.timestamp, retain: true });
  });

  it('[tck-id-operational-behavior-host-application-termination][tck-id-operational-behavior-host-application-disconnect-intentional] on SIGTERM the CLI\'s offline STATE reaches a device subscribed over TCP to the embedded broker', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmiot-state-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const hostId = `llmiot-test-${uniqueSuffix()}`;
    const hub = runCli(['start', '--http-port', '0', '--mqtt-port', '0', '--http-host', '127.0.0.1', '--mqtt-host', '127.0.0.1', '--data-dir', dataDir, '--sparkplug-host-id', hostId]);
    const line = JSON.parse(await hub.waitFor(/llm-iot hub listening/)) as { mqtt: string };
    const watcher = await stateWatcher(line.mqtt, `spBv1.0/STATE/${hostId}`);
    watcher.client.options.reconnectPeriod = 0;
    cleanups.push(() => watcher.client.endAsync(true));
    const online = await eventually(() => watcher.seen.find((s) => s.online), 5000, 'the online STATE');
    hub.child.kill('SIGTERM');
    assert.equal(await hub.exit(), 0);
    assert.deepEqual(watcher.seen.at(-1), { online: false, timestamp: online.timestamp, retain: false });
  });
});
