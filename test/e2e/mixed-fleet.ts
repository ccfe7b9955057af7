/**
 * A mixed greenhouse on one test hub: in Zone A a native MCU, a Sparkplug-only edge node, a LwM2M-only
 * client (its zone set by an operator with device.update) and a dual-protocol board; in Zone B a native
 * MCU and a dual-protocol board. Every board carries a BMP580 and a soil probe and reports telemetry
 * every 250 ms, so the hub holds live data of every protocol.
 */
import { deviceIdFor } from '../../src/core/device-id.ts';
import { DualProtocolDevice, SimulatedMcu } from '../../src/simulator/index.ts';
import { uniqueSuffix } from '../support/services.ts';
import { eventually, type TestHub } from '../support/test-hub.ts';

/** How a board speaks to the hub. */
export type BoardProtocol = 'native' | 'sparkplug' | 'lwm2m' | 'dual';

/** One board of the fleet and the hub ids of its sensors, per protocol representation. */
export interface FleetBoard {
  readonly hardwareId: string;
  readonly protocol: BoardProtocol;
  readonly zone: 'Zone A' | 'Zone B';
  readonly mcuId: string;
  /** The BMP580 as the native or Sparkplug device `{hw}/i2c:0x47` (absent on a LwM2M-only board). */
  readonly bmp?: string;
  /** The soil probe as the native or Sparkplug device `{hw}/analog:gpio1` (absent on a LwM2M-only board). */
  readonly soil?: string;
  /** IPSO instances the LwM2M side registers: 3303/0 (BMP580 temperature), 3304/0 (soil probe as Humidity). */
  readonly ipsoTemperature?: string;
  readonly ipsoHumidity?: string;
}

export interface MixedFleet {
  readonly boards: readonly FleetBoard[];
  /** The native boards' simulators, to look at what the firmware applied. */
  readonly native: readonly SimulatedMcu[];
  board(hardwareId: string): FleetBoard;
  close(): Promise<void>;
}

/** Options the hub must be started with for the fleet's Sparkplug nodes to birth. */
export function fleetHostId(): string {
  return `llm-iot-mix-${uniqueSuffix()}`;
}

const BMP = 'i2c:0x47';
const SOIL = 'analog:gpio1';

function describeBoard(hardwareId: string, protocol: BoardProtocol, zone: FleetBoard['zone']): FleetBoard {
  const id = (suffix: string): string => deviceIdFor(`${hardwareId}/${suffix}`);
  const lwm2m = protocol === 'lwm2m' || protocol === 'dual';
  return {
    hardwareId,
    protocol,
    zone,
    mcuId: deviceIdFor(hardwareId),
    ...(protocol !== 'lwm2m' && { bmp: id(BMP), soil: id(SOIL) }),
    ...(lwm2m && { ipsoTemperature: id('lwm2m:3303/0'), ipsoHumidity: id('lwm2m:3304/0') }),
  };
}

/** Start the fleet on `t` (whose Sparkplug host id is `hostId`) and wait until every device is registered and in its zone. */
export async function mixedFleet(t: TestHub, hostId: string): Promise<MixedFleet> {
  const groupId = `Mix${uniqueSuffix()}`;
  const sensors = ['bmp580', 'soil-moisture'] as const;
  const dual = { url: t.mqttUrl, board: 'esp32-s3', sensors, hostId, groupId, telemetryIntervalMs: 250, lwm2mIntervalMs: 400, connectOptions: { protocolVersion: 4 as const } };
  const nativeOptions = { url: t.mqttUrl, board: 'esp32-s3', sensors, telemetryIntervalMs: 250, heartbeatIntervalMs: 3_600_000 };
  const native = [new SimulatedMcu({ ...nativeOptions, hardwareId: 'mix-nat-a', zone: 'Zone A' }), new SimulatedMcu({ ...nativeOptions, hardwareId: 'mix-nat-b', zone: 'Zone B' })];
  const others = [
    new DualProtocolDevice({ ...dual, hardwareId: 'mix-spk-a', zone: 'Zone A', lwm2m: false }),
    // A LwM2M client has no way to say where it is installed: an operator sets its zone below.
    new DualProtocolDevice({ ...dual, hardwareId: 'mix-lwm-a', sparkplug: false }),
    new DualProtocolDevice({ ...dual, hardwareId: 'mix-dual-a', zone: 'Zone A' }),
    new DualProtocolDevice({ ...dual, hardwareId: 'mix-dual-b', zone: 'Zone B' }),
  ];
  const boards = [
    describeBoard('mix-nat-a', 'native', 'Zone A'),
    describeBoard('mix-spk-a', 'sparkplug', 'Zone A'),
    describeBoard('mix-lwm-a', 'lwm2m', 'Zone A'),
    describeBoard('mix-dual-a', 'dual', 'Zone A'),
    describeBoard('mix-nat-b', 'native', 'Zone B'),
    describeBoard('mix-dual-b', 'dual', 'Zone B'),
  ];
  await Promise.all([...native, ...others].map((device) => device.start()));
  const expected = boards.flatMap((b) => [b.mcuId, b.bmp, b.soil, b.ipsoTemperature, b.ipsoHumidity].filter((id): id is string => id !== undefined));
  await eventually(() => expected.every((id) => t.hub.registry.get(id) !== undefined), 10_000, 'every device of the mixed fleet registered');
  const moved = await t.rpc('device.update', { device_id: 'mix-lwm-a', zone: 'Zone A' });
  if (moved.error !== undefined) throw new Error(`device.update failed: ${JSON.stringify(moved.error)}`);
  await eventually(() => expected.every((id) => t.hub.registry.get(id)?.zone !== null), 10_000, 'every device in a zone');
  const byHardwareId = new Map(boards.map((b) => [b.hardwareId, b]));
  return {
    boards,
    native,
    board(hardwareId) {
      const board = byHardwareId.get(hardwareId);
      if (board === undefined) throw new Error(`no board ${hardwareId}`);
      return board;
    },
    async close() {
      await Promise.all([...native, ...others].map((device) => device.stop()));
    },
  };
}
