/**
 * Interop with Eclipse Tahu's Node edge node (npm sparkplug-client 3.2.4) as an external client:
 * its NBIRTH / DBIRTH / DDATA reach the registry and the store, a rebirth request from the hub
 * reaches it and its new births are taken, a DCMD reaches it, and its QoS 0 NDEATH Will is honoured.
 *
 * The node behaves as a real one: its BIRTHs carry its current values. On the shared broker every
 * other Sparkplug host (the hubs of test files running at the same time) may ask it to rebirth at
 * any moment (`data_before_birth` for a node born before that host started); a node that answered
 * with its first values would turn the latest ones back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import sparkplugClient from 'sparkplug-client';
import type { HubConfig } from '../../../src/config/options.ts';
import { deviceIdFor } from '../../../src/core/device-id.ts';
import { commandTopic, rebirthPayload } from '../../../src/protocols/sparkplug/host/command-payloads.ts';
import { uniqueSuffix } from '../../support/services.ts';
import { eventually, type TestHub } from '../../support/test-hub.ts';
import { counterTotal, counterValue, startSparkplugHub } from './host-fixtures.ts';

type Client = ReturnType<typeof sparkplugClient.newClient>;
type TahuPayload = Parameters<Client['publishNodeBirth']>[0];
type TahuMetric = NonNullable<TahuPayload['metrics']>[number];

const REBIRTHS = 'llmiot_sparkplug_rebirth_requests_total';

export function describeTahuInterop(name: string, config: () => Partial<HubConfig>): void {
  describe(`Sparkplug host ↔ Tahu sparkplug-client (${name})`, () => {
    let t: TestHub;
    let client: Client;
    const suffix = uniqueSuffix();
    const groupId = `tahu-${suffix}`;
    const edgeNode = `tahu-node-${suffix}`;
    const births: number[] = [];
    const ncmds: TahuPayload[] = [];
    const dcmds: { device: string; payload: TahuPayload }[] = [];

    // sensor-1's current values: each DBIRTH carries them ([tck-id-operational-behavior-data-publish-dbirth-values]), each DDATA updates them.
    const current: Record<string, number | string> = { Humidity: 40, Offset: -5, Mode: 'auto' };

    function publishBirths(): void {
      const ts = Date.now();
      births.push(ts);
      client.publishNodeBirth({
        timestamp: ts,
        metrics: [
          { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
          { name: 'Properties/Hardware Make', type: 'String', value: 'Eclipse Tahu' },
          { name: 'Uptime', type: 'Int64', value: 12 },
        ],
      });
      client.publishDeviceBirth('sensor-1', {
        timestamp: ts,
        metrics: [
          { name: 'Humidity', type: 'Float', value: current['Humidity'], properties: { engUnit: { type: 'String', value: 'percent' } } },
          { name: 'Offset', type: 'Int32', value: current['Offset'] },
          { name: 'Mode', type: 'String', value: current['Mode'] },
        ],
      });
    }

    /** DDATA from sensor-1; its known metrics become the device's current values. */
    function publishDeviceData(metrics: TahuMetric[], ts = Date.now()): void {
      for (const { name, value } of metrics) if (typeof name === 'string' && name in current && (typeof value === 'number' || typeof value === 'string')) current[name] = value;
      client.publishDeviceData('sensor-1', { timestamp: ts, metrics });
    }

    before(async () => {
      t = await startSparkplugHub(config());
      client = sparkplugClient.newClient({
        serverUrl: t.mqttUrl,
        username: '',
        password: '',
        groupId,
        edgeNode,
        clientId: `tahu-${suffix}`,
        publishDeath: true,
        version: 'spBv1.0',
        mqttOptions: { reconnectPeriod: 0 },
      });
      client.on('birth', publishBirths);
      client.on('ncmd', (payload) => {
        ncmds.push(payload);
        // Tahu leaves rebirth to the application: answer it as the spec asks.
        if (payload.metrics?.some((m) => m.name === 'Node Control/Rebirth' && m.value === true)) publishBirths();
      });
      client.on('dcmd', (device, payload) => dcmds.push({ device, payload }));
      client.on('error', () => {});
    });
    after(async () => {
      client.stop();
      await t.close();
    });

    async function latestMode(): Promise<{ value: unknown; timestamp: string } | undefined> {
      const r = await t.rpc('data.latest', { device_ids: [deviceIdFor(`${edgeNode}/sensor-1`)], measurement_types: ['Mode'] });
      return r.result?.readings?.[0];
    }

    it('registers the Tahu NBIRTH and DBIRTH (bdSeq 0, UInt64) as one MCU and its sensor', async () => {
      const node = await eventually(async () => (await t.rpc('device.get', { device_id: edgeNode })).result, 10_000, 'Tahu edge node registered');
      assert.equal(node.device_id, deviceIdFor(edgeNode));
      assert.deepEqual(node.protocols, ['sparkplug']);
      assert.equal(node.manufacturer, 'Eclipse Tahu');
      assert.equal(node.dynamic_state.sparkplug.bd_seq, 0);
      const sensor = await eventually(async () => (await t.rpc('device.get', { device_id: `${edgeNode}/sensor-1` })).result, 5000, 'Tahu device registered');
      assert.equal(sensor.parent_id, node.device_id);
      assert.equal(sensor.static_schema.measurements.find((m: { measurement_type: string }) => m.measurement_type === 'Humidity').unit, 'percent');
    });

    it('stores its DDATA (Tahu sends the datatype in DATA) with signed values intact', async () => {
      const ts = Date.now();
      publishDeviceData(
        [
          { name: 'Humidity', type: 'Float', value: 41.5, timestamp: ts },
          { name: 'Offset', type: 'Int32', value: -7, timestamp: ts },
        ],
        ts,
      );
      const sensorId = deviceIdFor(`${edgeNode}/sensor-1`);
      const values = await eventually(async () => {
        const r = await t.rpc('data.query', { device_ids: [sensorId], time_range: { start: ts, end: ts } });
        const series = (r.result?.series ?? []) as { measurement_type: string; points: { value: unknown }[] }[];
        return series.length === 2 ? Object.fromEntries(series.map((s) => [s.measurement_type, s.points[0]?.value])) : undefined;
      }, 5000, 'DDATA stored');
      // `Humidity` names a known quantity: stored as `humidity` (docs/measurements.md), `Offset` as reported.
      assert.deepEqual(values, { humidity: 41.5, Offset: -7 });
    });

    it('sends it a rebirth request it acts on, and takes the new births (seq back to 0)', async () => {
      const asked = ncmds.length;
      const before = births.length;
      const rebirths = await counterValue(t.hub, REBIRTHS, { reason: 'unknown_metric' });
      const requested = await counterTotal(t.hub, REBIRTHS);
      // A metric its DBIRTH never announced: the host's picture is stale, so it asks for a rebirth.
      publishDeviceData([{ name: 'Pressure', type: 'Double', value: 1 }]);
      await eventually(() => ncmds.length > asked, 5000, 'NCMD at the Tahu client');
      const request = ncmds.at(-1);
      assert.ok(request?.metrics?.some((m) => m.name === 'Node Control/Rebirth' && m.value === true));
      assert.equal(await counterValue(t.hub, REBIRTHS, { reason: 'unknown_metric' }), rebirths + 1);
      await eventually(() => births.length > before, 5000, 'rebirth published');
      const ts = Date.now();
      publishDeviceData([{ name: 'Mode', type: 'String', value: 'manual', timestamp: ts }], ts);
      await eventually(async () => (await latestMode())?.value === 'manual', 5000, 'DATA after the rebirth stored');
      // One stale picture, one request: the new births and the DATA after them asked for nothing more.
      assert.equal(await counterTotal(t.hub, REBIRTHS), requested + 1);
    });

    it('takes births another host asked for, asks for none itself, and keeps the node\'s current values', async () => {
      const before = births.length;
      const requested = await counterTotal(t.hub, REBIRTHS);
      // Any Sparkplug host on the broker may send the rebirth request (here: one that joined after the node's births).
      const otherHost = await mqtt.connectAsync(t.mqttUrl, { clientId: `other-host-${suffix}`, reconnectPeriod: 0 });
      try {
        await otherHost.publishAsync(commandTopic(groupId, edgeNode), Buffer.from(rebirthPayload(Date.now())), { qos: 0 });
      } finally {
        await otherHost.endAsync();
      }
      await eventually(() => births.length > before, 5000, 'rebirth published');
      const bornAt = births.at(-1) as number;
      // The DBIRTH's values are current values: Mode is stored again at the birth's timestamp, still 'manual'.
      const mode = await eventually(async () => {
        const reading = await latestMode();
        return reading !== undefined && Date.parse(reading.timestamp) >= bornAt ? reading : undefined;
      }, 5000, 'DBIRTH of the unsolicited rebirth stored');
      assert.equal(mode.value, 'manual');
      assert.equal(await counterTotal(t.hub, REBIRTHS), requested);
    });

    it('delivers device.write_metric to it as a DCMD it decodes', async () => {
      const answer = await t.rpc('device.write_metric', { device_id: `${edgeNode}/sensor-1`, metric: 'Mode', value: 'off', timeout_ms: 400 });
      assert.equal(answer.result?.sent, true, JSON.stringify(answer));
      const dcmd = await eventually(() => dcmds.find((d) => d.payload.metrics?.some((m) => m.name === 'Mode')), 5000, 'DCMD at the Tahu client');
      assert.equal(dcmd.device, 'sensor-1');
      assert.equal(dcmd.payload.metrics?.find((m) => m.name === 'Mode')?.value, 'off');
    });

    it('honours its QoS 0 NDEATH (accepted with a warning): node and sensor go offline', async () => {
      client.stop(); // publishDeath: the client publishes NDEATH (bdSeq 0) before disconnecting
      await eventually(async () => (await t.rpc('device.get', { device_id: edgeNode })).result?.status === 'offline', 5000, 'node offline');
      const sensor = await t.rpc('device.get', { device_id: `${edgeNode}/sensor-1` });
      assert.equal(sensor.result.status, 'offline');
    });
  });
}
