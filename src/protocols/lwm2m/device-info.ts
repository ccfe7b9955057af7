// Reads the Device object (/3/0) of a registration into the hub's device description fields.
import type { Registration } from './registration.ts';
import type { Lwm2mResourceValue } from './value-conversion.ts';

/** What /3/0 says about the device (LwM2M Core TS 1.2 App. E.4); only the resources it reported. */
export interface DeviceInfo {
  /** /3/0/0 Manufacturer. */
  readonly manufacturer?: string;
  /** /3/0/1 Model Number. */
  readonly model?: string;
  /** /3/0/2 Serial Number. */
  readonly serialNumber?: string;
  /** /3/0/3 Firmware Version. */
  readonly firmwareVersion?: string;
  /** /3/0/6 Available Power Sources (0 DC, 1 internal battery, … 7 solar). */
  readonly powerSources?: readonly number[];
  /** /3/0/9 Battery Level, percent. */
  readonly batteryLevel?: number;
  /** /3/0/10 Memory Free, kilobytes. */
  readonly memoryFreeKb?: number;
  /** /3/0/11 Error Code values (0 = no error). */
  readonly errorCodes?: readonly number[];
  /** /3/0/13 Current Time, seconds since the Unix epoch. */
  readonly currentTime?: number;
  /** /3/0/14 UTC Offset, e.g. `UTC+X`. */
  readonly utcOffset?: string;
  /** /3/0/15 Timezone (IANA). */
  readonly timezone?: string;
  /** /3/0/16 Supported Binding and Modes. */
  readonly supportedBindings?: string;
  /** /3/0/17 Device Type. */
  readonly deviceType?: string;
  /** /3/0/18 Hardware Version. */
  readonly hardwareVersion?: string;
  /** /3/0/19 Software Version. */
  readonly softwareVersion?: string;
  /** /3/0/20 Battery Status (0 normal … 6 unknown). */
  readonly batteryStatus?: number;
  /** /3/0/21 Memory Total, kilobytes. */
  readonly memoryTotalKb?: number;
}

type Field = { [K in keyof DeviceInfo]-?: [K, number, 'string' | 'number' | 'numbers'] }[keyof DeviceInfo];

// Resource id and shape of each field, in /3 resource order.
const FIELDS: readonly Field[] = [
  ['manufacturer', 0, 'string'],
  ['model', 1, 'string'],
  ['serialNumber', 2, 'string'],
  ['firmwareVersion', 3, 'string'],
  ['powerSources', 6, 'numbers'],
  ['batteryLevel', 9, 'number'],
  ['memoryFreeKb', 10, 'number'],
  ['errorCodes', 11, 'numbers'],
  ['currentTime', 13, 'number'],
  ['utcOffset', 14, 'string'],
  ['timezone', 15, 'string'],
  ['supportedBindings', 16, 'string'],
  ['deviceType', 17, 'string'],
  ['hardwareVersion', 18, 'string'],
  ['softwareVersion', 19, 'string'],
  ['batteryStatus', 20, 'number'],
  ['memoryTotalKb', 21, 'number'],
];

/**
 * The Device object's description of the device: manufacturer, model, serial number, firmware
 * version and the other /3/0 resources the registration carried. Undefined when the registration
 * has no /3/0 instance (it is mandatory, but a registration may list objects without values).
 */
export function deviceInfoFromObject3(registration: Registration): DeviceInfo | undefined {
  const instance = registration.objects.find((o) => o.objectId === 3)?.instances.find((i) => i.instanceId === 0);
  if (instance === undefined) return undefined;
  const info: Record<string, string | number | readonly number[]> = {};
  for (const [field, resourceId, shape] of FIELDS) {
    const value = Object.hasOwn(instance.resources, resourceId) ? instance.resources[resourceId] : undefined;
    const read = value === undefined ? undefined : shape === 'string' ? asString(value) : shape === 'number' ? asNumber(value) : asNumbers(value);
    if (read !== undefined) info[field] = read;
  }
  return info as DeviceInfo;
}

function asString(value: Lwm2mResourceValue): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function asNumber(value: Lwm2mResourceValue): number | undefined {
  if (typeof value === 'number') return value;
  return typeof value === 'bigint' ? Number(value) : undefined;
}

function asNumbers(value: Lwm2mResourceValue): readonly number[] | undefined {
  if (!(value instanceof Map)) {
    const single = asNumber(value);
    return single === undefined ? undefined : [single];
  }
  const numbers = [...value.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, item]) => asNumber(item))
    .filter((item): item is number => item !== undefined);
  return numbers;
}
