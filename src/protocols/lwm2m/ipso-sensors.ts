// Turns the IPSO sensor and actuator objects of a registration into measurements the hub can attach.
import { ipsoMeasurementName } from './application-type.ts';
import { ObjectModel } from './object-model.ts';
import type { Registration } from './registration.ts';
import type { Lwm2mResourceValue } from './value-conversion.ts';

/** One measurement of one IPSO object instance, ready to become an attached sensor or actuator. */
export interface SensorReading {
  readonly objectId: number;
  readonly instanceId: number;
  /** The object's registry name, e.g. `Temperature`. */
  readonly objectName: string;
  /** Actuators (3311 Light Control) can be written; sensors only report. */
  readonly kind: 'sensor' | 'actuator';
  /** Hub measurement type, e.g. `temperature`, `humidity`, `pressure`; 5750 may name it (`soil_moisture`, see application-type.ts). */
  readonly measurementType: string;
  /** The resource that carries the value, e.g. 5700 Sensor Value. */
  readonly resourceId: number;
  /** /…/5701 Sensor Units when reported, else the registry units of the value resource, else null. */
  readonly unit: string | null;
  /** The reported value; null when the registration carried none. */
  readonly value: number | boolean | string | null;
  /** /…/5750 Application Type when reported. */
  readonly applicationType?: string;
}

interface MeasurementSpec {
  readonly measurementType: string;
  readonly resourceId: number;
  /** Unit when neither 5701 nor the registry gives one, taken from the resource description. */
  readonly defaultUnit?: string;
}

interface IpsoSpec {
  readonly kind: 'sensor' | 'actuator';
  readonly measurements: readonly MeasurementSpec[];
}

const SENSOR_VALUE = 5700;
const SENSOR_UNITS = 5701;
const APPLICATION_TYPE = 5750;

/** The IPSO objects the hub turns into attached devices, and which resources carry their readings. */
export const IPSO_MEASUREMENTS: ReadonlyMap<number, IpsoSpec> = new Map<number, IpsoSpec>([
  [3303, { kind: 'sensor', measurements: [{ measurementType: 'temperature', resourceId: SENSOR_VALUE }] }],
  [3304, { kind: 'sensor', measurements: [{ measurementType: 'humidity', resourceId: SENSOR_VALUE }] }],
  [3315, { kind: 'sensor', measurements: [{ measurementType: 'barometric_pressure', resourceId: SENSOR_VALUE }] }],
  [3323, { kind: 'sensor', measurements: [{ measurementType: 'pressure', resourceId: SENSOR_VALUE }] }],
  [
    3336,
    {
      kind: 'sensor',
      // 5514/5515 are decimal degrees, WGS 84 (registry description); the registry gives no unit.
      measurements: [
        { measurementType: 'latitude', resourceId: 5514, defaultUnit: 'deg' },
        { measurementType: 'longitude', resourceId: 5515, defaultUnit: 'deg' },
      ],
    },
  ],
  [
    3347,
    {
      kind: 'sensor',
      measurements: [
        { measurementType: 'button_pressed', resourceId: 5500 },
        { measurementType: 'button_press_count', resourceId: 5501 },
      ],
    },
  ],
  [
    3311,
    {
      kind: 'actuator',
      measurements: [
        { measurementType: 'light_on', resourceId: 5850 },
        { measurementType: 'dimmer', resourceId: 5851 },
      ],
    },
  ],
]);

/**
 * One reading per measurement of every instance of an IPSO object in {@link IPSO_MEASUREMENTS}
 * (3303, 3304, 3311, 3315, 3323, 3336, 3347), in object and instance order. Instances that reported
 * no value still yield readings, with `value: null`, so the hub can create the attached device.
 */
export function sensorsFromRegistration(registration: Registration, model: ObjectModel = new ObjectModel()): SensorReading[] {
  const readings: SensorReading[] = [];
  for (const object of registration.objects) {
    const spec = IPSO_MEASUREMENTS.get(object.objectId);
    const definition = model.object(object.objectId);
    if (spec === undefined || definition === undefined) continue;
    for (const instance of object.instances) {
      const resources = instance.resources;
      const get = (id: number): Lwm2mResourceValue | undefined => (Object.hasOwn(resources, id) ? resources[id] : undefined);
      const reportedUnit = get(SENSOR_UNITS);
      const applicationType = get(APPLICATION_TYPE);
      for (const measurement of spec.measurements) {
        const registryUnit = model.resource(object.objectId, measurement.resourceId)?.units ?? null;
        // 5701 Sensor Units qualifies 5700 Sensor Value only.
        const usesSensorUnits = measurement.resourceId === SENSOR_VALUE && typeof reportedUnit === 'string';
        readings.push({
          objectId: object.objectId,
          instanceId: instance.instanceId,
          objectName: definition.name,
          kind: spec.kind,
          measurementType: ipsoMeasurementName(object.objectId, measurement.resourceId, measurement.measurementType, typeof applicationType === 'string' ? applicationType : undefined),
          resourceId: measurement.resourceId,
          unit: (usesSensorUnits && reportedUnit !== '' ? reportedUnit : null) ?? registryUnit ?? measurement.defaultUnit ?? null,
          value: readingValue(get(measurement.resourceId)),
          ...(typeof applicationType === 'string' ? { applicationType } : {}),
        });
      }
    }
  }
  return readings;
}

// Numbers, booleans and strings pass; numeric text (3336 Latitude/Longitude are Strings) becomes a number.
function readingValue(value: Lwm2mResourceValue | undefined): number | boolean | string | null {
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    const n = Number(value);
    return value.trim() !== '' && Number.isFinite(n) ? n : value;
  }
  return null;
}
