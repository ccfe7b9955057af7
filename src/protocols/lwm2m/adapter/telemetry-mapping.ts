// Turns typed LwM2M resource values into telemetry points of the endpoint's MCU or its attached IPSO devices.
import type { TelemetryPoint } from '../../../core/telemetry.ts';
import { ipsoMeasurementName } from '../application-type.ts';
import { IPSO_MEASUREMENTS } from '../ipso-sensors.ts';
import type { ObjectModel } from '../object-model.ts';
import type { TypedEntry } from './content-values.ts';

const SENSOR_VALUE = 5700;
const SENSOR_UNITS = 5701;
const DEVICE_OBJECT = 3;
/** Besides its value resources, an IPSO instance reports 5601 Min / 5602 Max Measured Value (the rest is configuration). */
const IPSO_EXTRA_MEASUREMENTS: ReadonlySet<number> = new Set([5601, 5602]);

/** Where points go and which unit a sensor reported. */
export interface TelemetryTargets {
  /** UUID of the endpoint's MCU. */
  readonly mcuId: string;
  /** UUID of the attached device of IPSO instance `/objectId/instanceId`, if it is registered. */
  attachedId(objectId: number, instanceId: number): string | undefined;
  /** /…/5701 Sensor Units last reported for an IPSO instance. */
  unitFor(objectId: number, instanceId: number): string | undefined;
  /** /…/5750 Application Type of the attached device as registered (it may name the measurement). */
  applicationTypeFor(objectId: number, instanceId: number): string | undefined;
}

/** `Battery Level` → `battery_level`. */
export function snakeCase(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * Points for the values that are measurements:
 * - IPSO value resources (3303/5700 → `temperature` …) on the instance's attached device, unit from
 *   5701 (in the same batch, else the last reported), else the registry, else none;
 * - IPSO 5700 Sensor Value named by 5750 Application Type when that begins with another quantity of
 *   the same dimension (`soil moisture (…)` on 3304 → `soil_moisture`, application-type.ts);
 * - 5601 / 5602 Min / Max Measured Value of an IPSO instance on its attached device, named after the
 *   resource (`min_measured_value`), in the unit of the instance's 5700; its other resources (ranges,
 *   application type) are configuration;
 * - numeric or boolean resources of /3 Device on the MCU, named after the resource (`battery_level`);
 *   of other objects `{object}_{resource}` (`firmware_update_state`); of objects the model does not
 *   know `lwm2m_{o}_{r}`. Resource instances add `_{ri}`.
 * Strings, Time, Opaque and Objlnk values are not measurements (except an IPSO value given as text).
 */
export function pointsFromEntries(model: ObjectModel, entries: readonly TypedEntry[], targets: TelemetryTargets, ts: number): TelemetryPoint[] {
  const batchUnits = new Map<string, string>();
  for (const entry of entries) {
    if (entry.resourceId === SENSOR_UNITS && typeof entry.value === 'string' && entry.value !== '') batchUnits.set(`${entry.objectId}/${entry.instanceId}`, entry.value);
  }
  const points: TelemetryPoint[] = [];
  for (const entry of entries) {
    const point = pointFor(model, entry, targets, batchUnits, ts);
    if (point !== undefined) points.push(point);
  }
  return points;
}

function pointFor(model: ObjectModel, entry: TypedEntry, targets: TelemetryTargets, batchUnits: ReadonlyMap<string, string>, ts: number): TelemetryPoint | undefined {
  const suffix = entry.resourceInstanceId === undefined ? '' : `_${entry.resourceInstanceId}`;
  const resource = model.resource(entry.objectId, entry.resourceId);
  const object = model.object(entry.objectId);
  const spec = IPSO_MEASUREMENTS.get(entry.objectId);
  if (spec !== undefined) {
    const deviceId = targets.attachedId(entry.objectId, entry.instanceId);
    if (deviceId === undefined) return undefined;
    // 5701 Sensor Units qualifies 5700 Sensor Value, and so the 5601 / 5602 min / max of it.
    const sensorUnit = (): string | undefined =>
      batchUnits.get(`${entry.objectId}/${entry.instanceId}`) ?? targets.unitFor(entry.objectId, entry.instanceId) ?? model.resource(entry.objectId, SENSOR_VALUE)?.units ?? undefined;
    const measurement = spec.measurements.find((m) => m.resourceId === entry.resourceId);
    if (measurement !== undefined) {
      const value = measurementValue(entry.value, true);
      if (value === undefined) return undefined;
      const reported = entry.resourceId === SENSOR_VALUE ? sensorUnit() : undefined;
      const unit = reported ?? resource?.units ?? measurement.defaultUnit;
      const name = ipsoMeasurementName(entry.objectId, entry.resourceId, measurement.measurementType, targets.applicationTypeFor(entry.objectId, entry.instanceId));
      return point(deviceId, `${name}${suffix}`, value, unit, ts);
    }
    if (resource === undefined || !IPSO_EXTRA_MEASUREMENTS.has(entry.resourceId)) return undefined;
    const value = measurementValue(entry.value, false);
    return value === undefined ? undefined : point(deviceId, `${snakeCase(resource.name)}${suffix}`, value, resource.units ?? sensorUnit(), ts);
  }
  if (resource?.type === 'Time') return undefined;
  const value = measurementValue(entry.value, false);
  if (value === undefined) return undefined;
  if (object === undefined || resource === undefined) return point(targets.mcuId, `lwm2m_${entry.objectId}_${entry.resourceId}${suffix}`, value, undefined, ts);
  const name = entry.objectId === DEVICE_OBJECT ? snakeCase(resource.name) : `${snakeCase(object.name)}_${snakeCase(resource.name)}`;
  return point(targets.mcuId, `${name}${suffix}`, value, resource.units ?? undefined, ts);
}

function measurementValue(value: TypedEntry['value'], textAllowed: boolean): number | boolean | string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : undefined;
  if (typeof value === 'string' && textAllowed) {
    // 3336 Latitude / Longitude are Strings in the registry; numeric text is a number.
    const n = Number(value);
    return value.trim() !== '' && Number.isFinite(n) ? n : value;
  }
  return undefined;
}

function point(deviceId: string, measurement: string, value: number | boolean | string, unit: string | undefined, ts: number): TelemetryPoint {
  return unit === undefined || unit === '' ? { deviceId, measurement, ts, value } : { deviceId, measurement, ts, value, unit };
}
