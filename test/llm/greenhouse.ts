/**
 * A small greenhouse on a test hub: Zone A has two scripted Pico W nodes (BMP580 + soil probe, whose
 * telemetry the test controls exactly), Zone B two simulated ESP32-S3 boards (BMP580, AS5600, soil
 * probe). A tap on `llmiot/v1/+/down` records every command the hub sends to any device.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { bmp580Schema, SimulatedMcu, soilMoistureSchema } from '../../src/simulator/index.ts';
import { DeviceLink, eventually, type TestHub } from '../support/test-hub.ts';

export interface ScriptedNode {
  readonly hardwareId: string;
  readonly link: DeviceLink;
  readonly mcuId: string;
  readonly bmp: string;
  readonly soil: string;
}

export interface SentCommand {
  readonly clientId: string;
  readonly method: string;
  readonly params: Record<string, any>;
}

/** Records every hub→device request on the native down topics. */
export class DownlinkTap {
  readonly sent: SentCommand[] = [];
  readonly #client: MqttClient;

  private constructor(client: MqttClient) {
    this.#client = client;
    client.on('message', (topic, payload) => {
      const message = JSON.parse(payload.toString());
      if (typeof message.method === 'string') this.sent.push({ clientId: topic.split('/')[2] ?? '', method: message.method, params: message.params ?? {} });
    });
  }

  static async open(url: string): Promise<DownlinkTap> {
    const client = await mqtt.connectAsync(url, { clientId: `tap-${process.pid}-${Date.now()}`, protocolVersion: 4, reconnectPeriod: 0 });
    await client.subscribeAsync('llmiot/v1/+/down', { qos: 1 });
    return new DownlinkTap(client);
  }

  /** Commands of one method (e.g. sensor.configure) sent since `from` (an index into `sent`). */
  commands(method: string, from = 0): SentCommand[] {
    return this.sent.slice(from).filter((c) => c.method === method);
  }

  /**
   * Wait until the tap has seen `count` commands of `method` since `from`. The broker hands each command
   * to the device and to the tap independently: a device's answer (and the hub's result built on it)
   * can come before the tap's copy.
   */
  async seen(method: string, count: number, from = 0): Promise<SentCommand[]> {
    await eventually(() => this.commands(method, from).length >= count, 10_000, `${count} ${method} commands on the tap`);
    return this.commands(method, from);
  }

  async close(): Promise<void> {
    await this.#client.endAsync(true);
  }
}

export interface Greenhouse {
  readonly zoneA: readonly ScriptedNode[];
  readonly zoneB: readonly SimulatedMcu[];
  readonly tap: DownlinkTap;
  /** UUIDs of every BMP580 / every soil probe in the fleet. */
  readonly bmp580s: string[];
  readonly soilProbes: string[];
  /** The temperature each Zone A BMP580 answers to sensor.read. */
  readonly liveTemperature: Readonly<Record<string, number>>;
  close(): Promise<void>;
}

async function scriptedNode(t: TestHub, hardwareId: string, liveTemperature: number): Promise<ScriptedNode> {
  const link = await DeviceLink.open(await t.device(hardwareId), hardwareId);
  const reg = await link.request('device.register', {
    device_type: 'mcu',
    hardware_id: hardwareId,
    static_schema: { manufacturer: 'Raspberry Pi', model: 'Pico W' },
    zone: 'Zone A',
    tags: ['greenhouse'],
  });
  const mcuId = reg.result.device_id as string;
  const bmp = (await link.request('sensor.discover', { mcu_id: mcuId, static_schema: bmp580Schema('0x47') })).result.sensor_id as string;
  const soil = (await link.request('sensor.discover', { mcu_id: mcuId, static_schema: soilMoistureSchema('GP26', 12, false) })).result.sensor_id as string;
  link.onCommand = (method, params) => {
    if (method === 'sensor.read' && params.sensor_id === bmp) {
      return { sensor_id: bmp, readings: [{ measurement_type: 'temperature', value: liveTemperature, unit: 'celsius' }] };
    }
    if (method === 'sensor.configure') return { sensor_id: params.sensor_id, config: params.config };
    throw new Error(`${hardwareId} does not script ${method}`);
  };
  return { hardwareId, link, mcuId, bmp, soil };
}

export async function greenhouse(t: TestHub): Promise<Greenhouse> {
  const tap = await DownlinkTap.open(t.mqttUrl);
  const zoneA = [await scriptedNode(t, 'pico-gh-a1', 22.4), await scriptedNode(t, 'pico-gh-a2', 23.1)];
  const zoneB = ['esp32-gh-b1', 'esp32-gh-b2'].map(
    (hardwareId) =>
      new SimulatedMcu({ hardwareId, board: 'esp32-s3', url: t.mqttUrl, zone: 'Zone B', tags: ['greenhouse'], telemetryIntervalMs: 3_600_000, heartbeatIntervalMs: 3_600_000 }),
  );
  await Promise.all(zoneB.map((mcu) => mcu.start()));
  await eventually(() => zoneB.every((mcu) => mcu.sensors().every((s) => s.sensorId !== null && t.hub.registry.get(s.sensorId) !== undefined)), 10_000, 'simulated sensors registered');
  const simulated = (kind: string): string[] => zoneB.flatMap((mcu) => mcu.sensors().filter((s) => s.kind === kind).map((s) => s.sensorId as string));
  return {
    zoneA,
    zoneB,
    tap,
    bmp580s: [...zoneA.map((n) => n.bmp), ...simulated('bmp580')],
    soilProbes: [...zoneA.map((n) => n.soil), ...simulated('soil-moisture')],
    liveTemperature: { [zoneA[0]!.bmp]: 22.4, [zoneA[1]!.bmp]: 23.1 },
    async close() {
      await Promise.all(zoneB.map((mcu) => mcu.stop()));
      await tap.close();
    },
  };
}
