/**
 * The generic device methods (`sensor.*`, `mcu.*`) carried over LwM2M: which ones, on which devices, and
 * the mapping each runs. The method × protocol table is in docs/generic-methods.md.
 */
import type { CommandRecord } from '../../../core/command.ts';
import type { Device, JsonObject } from '../../../core/device.ts';
import type { ObjectModel } from '../object-model.ts';
import type { Registration } from '../registration.ts';
import { configResources, type ConfigResource } from './config-resources.ts';
import { GenericMethodFailure, type GenericContext, type IpsoInstance } from './generic-context.ts';
import { endpointConfigResources, mcuGetConfig, mcuGetStatus, mcuReboot, mcuSetConfig } from './generic-mcu-methods.ts';
import { sensorCalibrate, sensorConfigure, sensorHealth, sensorRead, sensorReadRaw, sensorReset } from './generic-sensor-methods.ts';
import { errorObject } from '../../../core/errors.ts';

type SensorMethod = (ctx: GenericContext, ipso: IpsoInstance, params: JsonObject) => Promise<JsonObject>;
type McuMethod = (ctx: GenericContext, params: JsonObject) => Promise<JsonObject>;

/** Generic sensor methods on an attached IPSO instance. */
const SENSOR_METHODS: Readonly<Record<string, SensorMethod>> = {
  'sensor.read': sensorRead,
  'sensor.read_raw': (ctx, ipso) => sensorReadRaw(ctx, ipso),
  'sensor.configure': sensorConfigure,
  'sensor.calibrate': sensorCalibrate,
  'sensor.reset': (ctx, ipso) => sensorReset(ctx, ipso),
  'sensor.health': (ctx, ipso) => sensorHealth(ctx, ipso),
};

/** Generic MCU methods on the endpoint. */
const MCU_METHODS: Readonly<Record<string, McuMethod>> = {
  'mcu.get_status': (ctx) => mcuGetStatus(ctx),
  'mcu.get_config': mcuGetConfig,
  'mcu.set_config': mcuSetConfig,
  'mcu.reboot': mcuReboot,
};

export const LWM2M_GENERIC_SENSOR_METHODS: readonly string[] = Object.keys(SENSOR_METHODS);
export const LWM2M_GENERIC_MCU_METHODS: readonly string[] = Object.keys(MCU_METHODS);

export function isGenericSensorMethod(method: string): boolean {
  return Object.hasOwn(SENSOR_METHODS, method);
}

export function isGenericMcuMethod(method: string): boolean {
  return Object.hasOwn(MCU_METHODS, method);
}

/** The IPSO instance an attached device stands for (its `lwm2m` static-schema extension), or undefined. */
export function ipsoInstanceOf(device: Device): IpsoInstance | undefined {
  if (device.parentId === null || !device.protocols.includes('lwm2m')) return undefined;
  const extension = device.staticSchema['lwm2m'];
  if (typeof extension !== 'object' || extension === null) return undefined;
  const { object_id: objectId, instance_id: instanceId } = extension as Record<string, unknown>;
  if (typeof objectId !== 'number' || typeof instanceId !== 'number') return undefined;
  return { device, objectId, instanceId, path: `/${objectId}/${instanceId}` };
}

/**
 * Whether the LwM2M mapping takes these params: `sensor.configure` / `mcu.set_config` only when every
 * `config` key, and `mcu.get_config` only when every `keys` entry, names a writable LwM2M resource of the
 * target (config-resources.ts). Otherwise the channel declines, so the executor carries the call over the
 * device's next protocol that takes it (a dual device's Sparkplug `Config/*` metrics); with none, over
 * LwM2M after all, which refuses naming the keys. Other methods take any params.
 */
export function takesParams(model: ObjectModel, registration: Registration | undefined, device: Device, method: string, params: JsonObject): boolean {
  const keys = method === 'mcu.get_config' ? params['keys'] : method === 'sensor.configure' || method === 'mcu.set_config' ? params['config'] : undefined;
  if (keys === undefined || keys === null || typeof keys !== 'object') return true;
  const names = Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : Object.keys(keys);
  let available: readonly ConfigResource[];
  if (method === 'sensor.configure') {
    const ipso = ipsoInstanceOf(device);
    if (ipso === undefined) return true;
    available = configResources(model, [ipso]);
  } else {
    if (registration === undefined) return true;
    available = endpointConfigResources(model, registration);
  }
  return names.every((key) => available.some((r) => r.key === key || String(r.resourceId) === key));
}

/**
 * Run a generic method: `sensor` is the attached device the command names (undefined for `mcu.*`).
 * Resolves with the result; rejects with GenericMethodFailure carrying the error the command ends with.
 */
export function runGenericMethod(ctx: GenericContext, command: Pick<CommandRecord, 'method' | 'params'>, sensor: Device | undefined): Promise<JsonObject> {
  const mcuMethod = MCU_METHODS[command.method];
  if (mcuMethod !== undefined && sensor === undefined) return mcuMethod(ctx, command.params);
  const sensorMethod = SENSOR_METHODS[command.method];
  const ipso = sensor === undefined ? undefined : ipsoInstanceOf(sensor);
  if (sensorMethod !== undefined && ipso !== undefined) return sensorMethod(ctx, ipso, command.params);
  return Promise.reject(
    new GenericMethodFailure(
      errorObject('UNSUPPORTED_OPERATION', `${command.method} is not carried over LwM2M for ${sensor === undefined ? `endpoint ${ctx.session.endpoint}` : `device ${sensor.id}, which is no IPSO object instance`}`),
    ),
  );
}
