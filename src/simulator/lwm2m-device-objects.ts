/** The LwM2M objects of a simulated board: /1 Server, /3 Device, /4 Connectivity, /5 Firmware, IPSO sensors from its models. */
import type { AttachedSensor } from './attached-sensor.ts';
import type { BoardProfile } from './board-profiles.ts';
import type { FirmwareUpdate } from './lwm2m-firmware.ts';
import type { Lwm2mObjectTree, ResourceSlot } from './lwm2m-object-tree.ts';
import type { McuResources } from './mcu-dynamics.ts';
import { hash01, seedFromString } from './random.ts';
import type { Clock } from './sim-clock.ts';
import { ENG_UNITS } from './sparkplug-metric-catalog.ts';

/** The binding the simulated client registers with (the seed's "UQ": queue mode, over the MQTT connection). */
export const LWM2M_BINDING = 'UQ';

export interface DeviceObjectsInit {
  readonly hardwareId: string;
  readonly board: BoardProfile;
  readonly sensors: readonly AttachedSensor[];
  readonly clock: Clock;
  readonly lifetimeS: number;
  /** IPSO object of pressure readings: 3315 Barometer, or 3323 Pressure with 5821 Current Calibration. */
  readonly pressureObject?: 3315 | 3323;
  readonly resources: () => McuResources;
  readonly firmware: FirmwareUpdate;
  readonly firmwareVersion: () => string;
  /** /3/0/4: reply first, then power-cycle. */
  readonly reboot: () => void;
  /** /3/0/5: settings back to defaults. */
  readonly factoryReset: () => void;
  /** /1/0/8: send an update now. */
  readonly updateTrigger: () => void;
}

/** Which IPSO object each measurement becomes, its UCUM unit comes from {@link ENG_UNITS}, and its datasheet range. */
const IPSO_OBJECTS: Readonly<Record<string, { readonly objectId: number; readonly range: readonly [number, number]; readonly use: string }>> = {
  temperature: { objectId: 3303, range: [-40, 85], use: 'greenhouse air temperature' },
  pressure: { objectId: 3315, range: [300, 1250], use: 'barometric pressure' },
  soil_moisture: { objectId: 3304, range: [0, 100], use: 'soil moisture' },
};

/** Fill `tree` with the objects of one board. AS5600 readings have no IPSO object here: they go out over Sparkplug only. */
export function buildDeviceObjects(tree: Lwm2mObjectTree, init: DeviceObjectsInit): void {
  const { board, hardwareId, clock } = init;
  const kb = (bytes: number): number => Math.round(bytes / 1024);
  let clockOffsetS = 0;
  tree.addInstance(1, 0, {
    0: { value: 1 },
    1: { value: init.lifetimeS },
    6: { value: false },
    7: { value: LWM2M_BINDING },
    8: { execute: () => init.updateTrigger() },
  });
  const framework = (board.staticSchema['firmware'] as { framework?: string } | undefined)?.framework ?? '';
  tree.addInstance(3, 0, {
    0: { value: String(board.staticSchema['manufacturer']) },
    1: { value: String(board.staticSchema['model']) },
    2: { value: `SN-${seedFromString(hardwareId).toString(16).toUpperCase().padStart(8, '0')}` },
    3: { get: () => init.firmwareVersion() },
    4: { execute: () => init.reboot() },
    5: { execute: () => init.factoryReset() },
    6: { value: [0] },
    7: { value: [3300] },
    10: { get: () => kb(init.resources().freeHeap) },
    11: { value: [0] },
    13: {
      get: () => Math.floor(clock.now() / 1000) + clockOffsetS,
      set: (value) => {
        clockOffsetS = Number(value) - Math.floor(clock.now() / 1000);
      },
    },
    14: { value: 'UTC+00:00' },
    15: { value: 'Etc/UTC' },
    16: { value: LWM2M_BINDING },
    17: { value: 'MCU' },
    18: { value: board.label },
    19: { value: framework },
    21: { value: kb(board.ramTotal) },
  });
  const address = hash01(seedFromString(hardwareId), 41);
  tree.addInstance(4, 0, {
    0: { value: 21 }, // WLAN (Core TS 1.2 App. E.5)
    1: { value: [21] },
    2: { get: () => init.resources().rssiDbm },
    4: { value: [`10.42.${Math.floor(address * 250) + 1}.${Math.floor(hash01(Math.floor(address * 2 ** 31), 42) * 250) + 2}`] },
  });
  tree.addInstance(5, 0, init.firmware.slots());
  const nextInstance = new Map<number, number>();
  for (const sensor of init.sensors) {
    for (const reading of sensor.model.read(clock.now())) {
      const mapped = IPSO_OBJECTS[reading.measurement_type];
      if (mapped === undefined) continue;
      const ipso = mapped.objectId === 3315 && init.pressureObject === 3323 ? { ...mapped, objectId: 3323 } : mapped;
      const instanceId = nextInstance.get(ipso.objectId) ?? 0;
      nextInstance.set(ipso.objectId, instanceId + 1);
      tree.addInstance(ipso.objectId, instanceId, ipsoSlots(sensor, reading.measurement_type, ENG_UNITS[reading.unit] ?? reading.unit, ipso, clock));
    }
  }
}

/** An IPSO sensor instance (Temperature/Humidity/Barometer layout): value, unit, min/max measured, range, application type. */
function ipsoSlots(sensor: AttachedSensor, measurement: string, unit: string, ipso: (typeof IPSO_OBJECTS)[string], clock: Clock): Record<number, ResourceSlot> {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  // 3323 Pressure: 5821 Current Calibration, an offset added to every value.
  const calibration: ResourceSlot = { value: 0 };
  const sample = (): number => {
    const reading = sensor.model.read(clock.now()).find((r) => r.measurement_type === measurement);
    const offset = ipso.objectId === 3323 && typeof calibration.value === 'number' ? calibration.value : 0;
    const value = typeof reading?.value === 'number' ? Math.round((reading.value + offset) * 1e4) / 1e4 : Number.NaN;
    if (Number.isFinite(value)) {
      sensor.readingsCount++;
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    return value;
  };
  return {
    5601: { get: () => (sample(), min) },
    5602: { get: () => (sample(), max) },
    5603: { value: ipso.range[0] },
    5604: { value: ipso.range[1] },
    5605: {
      execute: () => {
        min = Number.POSITIVE_INFINITY;
        max = Number.NEGATIVE_INFINITY;
      },
    },
    5700: { get: sample },
    5701: { value: unit },
    5750: { value: `${ipso.use} (${sensor.name})` },
    ...(ipso.objectId === 3323 ? { 5821: calibration } : {}),
  };
}
