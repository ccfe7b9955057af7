/**
 * The second seed's scenario end to end: a simulated device holding ONE MQTT connection that does
 * LwM2M management and Sparkplug B telemetry is ONE hub device; its Sparkplug metrics land in the
 * store, management goes over LwM2M, and the dashboard gauges count it (one endpoint, one edge node, its sensors).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HubConfig } from '../../src/config/options.ts';
import { deviceIdFor } from '../../src/core/device-id.ts';
import { DualProtocolDevice } from '../../src/simulator/index.ts';
import { MOSQUITTO_URL, uniqueSuffix } from '../support/services.ts';
import { eventually, startTestHub, type TestHub } from '../support/test-hub.ts';

function describeDual(name: string, config: () => Partial<HubConfig>): void {
  describe(`dual-protocol device (${name})`, () => {
    let t: TestHub;
    let device: DualProtocolDevice;
    const hostId = `llm-iot-${uniqueSuffix()}`;
    const hardwareId = `dual-${uniqueSuffix()}`;

    before(async () => {
      t = await startTestHub({ sparkplugHostId: hostId, ...config() });
      device = new DualProtocolDevice({
        url: t.mqttUrl,
        hardwareId,
        board: 'esp32-s3',
        sensors: ['bmp580', 'soil-moisture'],
        hostId,
        groupId: `G${uniqueSuffix()}`,
        telemetryIntervalMs: 200,
        lwm2mIntervalMs: 500,
        connectOptions: { protocolVersion: 4 },
      });
      await device.start();
    });
    after(async () => {
      await device.stop();
      await t.close();
    });

    it('is one registry entry speaking both protocols, with its attached sensors', async () => {
      const mcu = await eventually(async () => {
        const got = await t.rpc('device.get', { device_id: hardwareId });
        const protocols: string[] = got.result?.protocols ?? [];
        return protocols.includes('lwm2m') && protocols.includes('sparkplug') ? got.result : undefined;
      }, 10_000, 'both protocols registered');
      assert.equal(mcu.device_id, deviceIdFor(hardwareId));
      assert.equal(mcu.status, 'online');
      const mcus = await t.rpc('device.list', { type: 'mcu', search: hardwareId, include_schema: false });
      assert.equal(mcus.result.total, 1, 'one device, not one per protocol');
      assert.ok(mcu.attached.length >= 2, 'sensors from DBIRTH / IPSO objects are attached devices');
    });

    it('stores Sparkplug DDATA as telemetry that data.query returns', async () => {
      const series = await eventually(async () => {
        const q = await t.rpc('data.query', { filter: { parent_id: hardwareId }, time_range: { last: '1h' }, aggregation: 'count' });
        return (q.result?.series ?? []).length > 0 ? q.result.series : undefined;
      }, 10_000, 'telemetry stored');
      assert.ok(series.some((s: { points: { value: number }[] }) => (s.points[0]?.value ?? 0) > 0));
    });

    it('reads the device over LwM2M and counts it in the dashboard gauges: one endpoint, one edge node, its sensors as Sparkplug devices', async () => {
      const read = await t.rpc('lwm2m.read', { device_id: hardwareId, path: '/3/0/0' });
      assert.equal(read.error, undefined, JSON.stringify(read.error));
      const sensors = 2; // bmp580 and soil-moisture, each born with its own DBIRTH
      // On a shared broker the hub also hears other test files' devices (it takes every NBIRTH and asks
      // nodes it sees DATA from to rebirth): the gauges are this device's share plus theirs, counted from
      // the hub's registry right after the scrape, and read again until no birth or death fell in between.
      const mcuId = deviceIdFor(hardwareId);
      let seen = '';
      const counted = async (): Promise<boolean> => {
        const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
        const others = t.hub.registry.list({}).filter((d) => d.status === 'online' && d.id !== mcuId && d.parentId !== mcuId);
        const top = others.filter((d) => d.parentId === null);
        const expected: Record<string, number> = {
          llmiot_lwm2m_active_devices: 1 + top.filter((d) => d.protocols.includes('lwm2m')).length,
          llmiot_sparkplug_edge_nodes_online: 1 + top.filter((d) => d.protocols.includes('sparkplug')).length,
          llmiot_sparkplug_devices_online: sensors + others.filter((d) => d.parentId !== null && d.protocols.includes('sparkplug')).length,
        };
        // The seed dashboard's names are aliases of the same figures.
        expected['lwm2m_active_devices'] = expected['llmiot_lwm2m_active_devices'] as number;
        expected['sparkplug_devices_online'] = expected['llmiot_sparkplug_devices_online'] as number;
        const lines = Object.entries(expected).map(([name, value]) => `${name} ${value}`);
        seen = `expected ${lines.join(', ')} (${others.length} devices of other test files); scraped:\n${metrics.split('\n').filter((l) => Object.keys(expected).some((name) => l.startsWith(`${name} `))).join('\n')}`;
        return lines.every((line) => new RegExp(`^${line}$`, 'm').test(metrics));
      };
      await eventually(counted, 10_000, 'the fleet gauges').catch(() => assert.fail(seen));
    });
  });
}

describeDual('embedded broker', () => ({}));
describeDual(`Mosquitto ${MOSQUITTO_URL}`, () => ({ mqttUrl: MOSQUITTO_URL }));
