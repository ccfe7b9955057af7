// Maps a LwM2M registration to hub devices: the endpoint's MCU and one attached device per IPSO instance.
import { attachedHardwareId } from '../../../core/device-id.ts';
import type { Device, DeviceType, JsonObject } from '../../../core/device.ts';
import { ipsoModel } from '../application-type.ts';
import { deviceInfoFromObject3, type DeviceInfo } from '../device-info.ts';
import { sensorsFromRegistration, type SensorReading } from '../ipso-sensors.ts';
import type { ObjectModel } from '../object-model.ts';
import type { Registration } from '../registration.ts';

/** Static schema version the hub writes for LwM2M devices (schemas/mcu-static/v1.json, sensor-static/v1.json). */
export const LWM2M_SCHEMA_VERSION = '1.0.0';
/** Unit recorded when neither /…/5701 Sensor Units nor the object registry gives one. */
export const UNSPECIFIED_UNIT = 'unspecified';

/** Hardware id of the device an IPSO object instance becomes: `{endpoint}/lwm2m:{objectId}/{instanceId}`. */
export function ipsoHardwareId(endpoint: string, objectId: number, instanceId: number): string {
  return attachedHardwareId(endpoint, 'lwm2m', `${objectId}/${instanceId}`);
}

/** Registration location (Core TS 1.2 §6.2.1: the Location-Path of the 2.01 answer). */
export function registrationLocation(endpoint: string): string {
  return `/rd/${endpoint}`;
}

/**
 * The MCU's `mcu-static` 1.0.0 document: /3/0 gives manufacturer, model, serial number, hardware
 * revision and firmware version; the LwM2M specifics go in the `lwm2m` extension field. Fields the
 * registration does not give are left out, so what another protocol announced for the same hardware
 * id is kept (the registry merges top-level fields); manufacturer and model fall back to it, then "unknown".
 */
export function mcuStaticSchema(registration: Registration, existing: Device | undefined): JsonObject {
  const info = deviceInfoFromObject3(registration) ?? {};
  const known = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';
  const previous = existing?.staticSchema ?? {};
  const firmware = typeof previous['firmware'] === 'object' && previous['firmware'] !== null ? (previous['firmware'] as JsonObject) : {};
  return {
    manufacturer: known(info.manufacturer) ? info.manufacturer : known(existing?.manufacturer) && existing.manufacturer !== 'unknown' ? existing.manufacturer : 'unknown',
    model: known(info.model) ? info.model : known(existing?.model) && existing.model !== 'unknown' ? existing.model : 'unknown',
    ...(known(info.serialNumber) ? { serial_number: info.serialNumber } : {}),
    ...(known(info.hardwareVersion) ? { hardware_revision: info.hardwareVersion } : {}),
    ...(known(info.firmwareVersion) ? { firmware: { ...firmware, version: info.firmwareVersion } } : {}),
    // Kept as first announced (another protocol's), so an Update that changes nothing compares equal.
    hardware_id: typeof previous['hardware_id'] === 'string' ? previous['hardware_id'] : registration.endpoint,
    lwm2m: lwm2mExtension(registration),
  };
}

function lwm2mExtension(registration: Registration): JsonObject {
  return {
    endpoint: registration.endpoint,
    version: registration.version,
    binding: registration.binding.raw,
    queue_mode: registration.binding.queueMode,
    lifetime_s: registration.lifetimeS,
    location: registrationLocation(registration.endpoint),
    content_formats: [...registration.contentFormats],
    objects: registration.objects.map((object) => ({
      id: object.objectId,
      name: object.name,
      ...(object.version === undefined ? {} : { version: object.version }),
      instances: object.instances.map((instance) => instance.instanceId),
    })),
    unknown_objects: [...registration.unknownObjects],
  };
}

/** An `mcu-dynamic` patch from the /3/0 values a registration or read carried (empty when none). */
export function mcuDynamicPatch(info: DeviceInfo): JsonObject {
  const patch: JsonObject = {};
  if (info.firmwareVersion !== undefined && info.firmwareVersion !== '') patch['firmware_version'] = info.firmwareVersion;
  if (info.batteryLevel !== undefined && info.batteryLevel >= 0 && info.batteryLevel <= 100) patch['power'] = { battery_percent: info.batteryLevel };
  if (info.memoryFreeKb !== undefined && info.memoryFreeKb >= 0) patch['resources'] = { free_heap: Math.round(info.memoryFreeKb * 1024) };
  const errors = info.errorCodes?.filter((code) => code !== 0) ?? [];
  if (info.errorCodes !== undefined) patch['last_error'] = errors.length === 0 ? null : { code: errors[0] as number, message: `LwM2M /3/0/11 error code ${errors.join(', ')}` };
  const device: JsonObject = {};
  if (info.batteryStatus !== undefined) device['battery_status'] = info.batteryStatus;
  if (info.memoryTotalKb !== undefined) device['memory_total_kb'] = info.memoryTotalKb;
  if (info.softwareVersion !== undefined) device['software_version'] = info.softwareVersion;
  if (info.deviceType !== undefined) device['device_type'] = info.deviceType;
  if (info.supportedBindings !== undefined) device['supported_bindings'] = info.supportedBindings;
  if (info.currentTime !== undefined) device['current_time'] = info.currentTime;
  if (Object.keys(device).length > 0) patch['lwm2m'] = { device };
  return patch;
}

/** One attached device to create for an IPSO object instance. */
export interface AttachedDevicePlan {
  readonly objectId: number;
  readonly instanceId: number;
  readonly hardwareId: string;
  readonly type: DeviceType;
  readonly staticSchema: JsonObject;
  /** The instance's measurements with the values the registration carried (value null when none). */
  readonly readings: readonly SensorReading[];
}

const CATEGORIES: Readonly<Record<number, string>> = { 3303: 'environmental', 3304: 'environmental', 3315: 'environmental', 3323: 'environmental', 3336: 'position', 3347: 'other', 3311: 'light' };

/**
 * One plan per IPSO instance (3303, 3304, 3311, 3315, 3323, 3336, 3347): a `sensor-static` 1.0.0
 * document whose model is the part 5750 Application Type names (`… (BMP580 @ i2c:0x47)`), else
 * `IPSO {object name}`, with one measurement per value resource (unit from 5701, else the registry, else
 * "unspecified"), range from 5603/5604, and an `lwm2m` extension naming the object instance.
 */
export function attachedDevicePlans(registration: Registration, manufacturer: string, model: ObjectModel): AttachedDevicePlan[] {
  const byInstance = new Map<string, SensorReading[]>();
  for (const reading of sensorsFromRegistration(registration, model)) {
    const key = `${reading.objectId}/${reading.instanceId}`;
    byInstance.set(key, [...(byInstance.get(key) ?? []), reading]);
  }
  return [...byInstance.values()].map((readings) => {
    const first = readings[0] as SensorReading;
    const object = registration.objects.find((o) => o.objectId === first.objectId);
    const resources = object?.instances.find((i) => i.instanceId === first.instanceId)?.resources ?? {};
    const number = (id: number): number | undefined => {
      const value = Object.hasOwn(resources, id) ? resources[id] : undefined;
      return typeof value === 'number' ? value : undefined;
    };
    const rangeMin = number(5603);
    const rangeMax = number(5604);
    return {
      objectId: first.objectId,
      instanceId: first.instanceId,
      hardwareId: ipsoHardwareId(registration.endpoint, first.objectId, first.instanceId),
      type: first.kind,
      readings,
      staticSchema: {
        manufacturer,
        model: ipsoModel(first.objectName, first.applicationType),
        description: `LwM2M object ${first.objectId} ${first.objectName}, instance ${first.instanceId}${first.applicationType === undefined ? '' : ` (${first.applicationType})`}`,
        sensor_category: CATEGORIES[first.objectId] ?? 'other',
        measurements: readings.map((reading) => ({
          measurement_type: reading.measurementType,
          unit: reading.unit ?? UNSPECIFIED_UNIT,
          ...(reading.resourceId === 5700 && rangeMin !== undefined ? { range_min: rangeMin } : {}),
          ...(reading.resourceId === 5700 && rangeMax !== undefined ? { range_max: rangeMax } : {}),
        })),
        lwm2m: {
          path: `/${first.objectId}/${first.instanceId}`,
          object_id: first.objectId,
          instance_id: first.instanceId,
          object_name: first.objectName,
          ...(object?.version === undefined ? {} : { object_version: object.version }),
          ...(first.applicationType === undefined ? {} : { application_type: first.applicationType }),
        },
      },
    };
  });
}
