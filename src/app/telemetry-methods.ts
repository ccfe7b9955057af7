/** telemetry.report: devices push readings; they go through the pipeline to the cache, subscribers and store. */
import { Type } from '@sinclair/typebox';
import type { Device } from '../core/device.ts';
import { HubError } from '../core/errors.ts';
import { QUALITIES, type Quality, type TelemetryPoint } from '../core/telemetry.ts';
import { notOwnDevice } from '../rpc/device-access.ts';
import { defineMethod, type CallContext, type MethodDefinition } from '../rpc/method.ts';
import { DeviceRef, parseTimestamp, QualitySchema, Timestamp, Uuid, ValueSchema } from '../rpc/wire.ts';
import { callerMcu } from './device-methods.ts';
import { resolveDevice, type HubServices } from './services.ts';

const ReadingIn = Type.Object({
  measurement_type: Type.String({ minLength: 1, maxLength: 100 }),
  value: ValueSchema,
  unit: Type.Optional(Type.String({ maxLength: 50 })),
  quality: Type.Optional(QualitySchema),
  timestamp: Type.Optional(Timestamp),
  sensor_id: Type.Optional(DeviceRef),
  historical: Type.Optional(Type.Boolean()),
});

export function telemetryMethods(services: HubServices): MethodDefinition[] {
  return [
    defineMethod({
      name: 'telemetry.report',
      summary: 'Push readings from a device (usually an MQTT notification); each reading may name the sensor it came from.',
      kind: 'write',
      tags: ['data', 'device-side'],
      deviceAccess: { self: ['device_id'] },
      params: Type.Object({
        device_id: Type.Optional(DeviceRef),
        timestamp: Type.Optional(Timestamp),
        readings: Type.Array(ReadingIn, { minItems: 1, maxItems: 10_000 }),
      }),
      result: Type.Object({ accepted: Type.Integer(), device_id: Uuid }),
      async handler(params, context) {
        const device =
          params.device_id !== undefined
            ? resolveDevice(services, params.device_id)
            : (callerMcu(services, context) ??
              (() => {
                throw new HubError('INVALID_PARAMS', 'Invalid params: device_id is required when the caller is not a registered MQTT device', {
                  issues: [{ path: '/device_id', message: 'required' }],
                });
              })());
        ensureOwnDevice(services, device, context, '/device_id');
        const ts = params.timestamp === undefined ? services.now() : mustParseTime(params.timestamp, '/timestamp');
        const points = readingsToPoints(services, device, params.readings, ts, context);
        // Resolves at commit: a request's answer tells the sender whether its readings were stored.
        services.ingress.seen(device.id);
        await services.ingress.report(points);
        return { accepted: points.length, device_id: device.id };
      },
    }),
  ];
}

/** A device on MQTT may only report for itself and the devices attached to it (`param` names where it named another). */
function ensureOwnDevice(services: HubServices, device: Device, context: CallContext, param: string): void {
  if (context.clientId === undefined) return;
  const mcu = device.parentId === null ? device : services.registry.get(device.parentId);
  if (mcu?.hardwareId !== context.clientId) throw notOwnDevice('telemetry.report', context.clientId, param, device.hardwareId);
}

/** What a time that did not parse must be: both the format and the window (a well-formed 1e20 is out of range, not malformed). */
const TIME_MESSAGE = 'must be RFC 3339 or ms (or s) since the epoch, between 1970-01-01 and 9999-12-31';

function mustParseTime(value: string | number, path: string): number {
  const ms = parseTimestamp(value);
  if (ms === undefined) throw new HubError('INVALID_PARAMS', `Invalid params: ${path} is not a time`, { issues: [{ path, message: TIME_MESSAGE }] });
  return ms;
}

/**
 * Turn wire readings into points. `sensor_id` on a reading overrides `device`; units default to the
 * unit the device declares for that measurement. Touches every device that reported.
 */
export function readingsToPoints(
  services: HubServices,
  device: Device,
  readings: readonly unknown[],
  defaultTs: number,
  context?: CallContext,
): TelemetryPoint[] {
  const points: TelemetryPoint[] = [];
  const seen = new Map<string, Device>();
  readings.forEach((raw, i) => {
    const r = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const at = (field: string, message: string): never => {
      throw new HubError('INVALID_PARAMS', `Invalid params: readings[${i}].${field} ${message}`, {
        issues: [{ path: `/readings/${i}/${field}`, message }],
      });
    };
    const measurement = r['measurement_type'];
    if (typeof measurement !== 'string' || measurement.length === 0) at('measurement_type', 'must be a non-empty string');
    const value = r['value'];
    if (!(typeof value === 'number' ? Number.isFinite(value) : typeof value === 'boolean' || typeof value === 'string')) {
      at('value', 'must be a finite number, a boolean or a string');
    }
    let target = device;
    if (typeof r['sensor_id'] === 'string') {
      const ref = r['sensor_id'];
      target = seen.get(ref) ?? resolveDevice(services, ref);
      seen.set(ref, target);
      if (context) ensureOwnDevice(services, target, context, `/readings/${i}/sensor_id`);
    }
    const ts = r['timestamp'] === undefined ? defaultTs : (parseTimestamp(r['timestamp'] as string | number) ?? at('timestamp', TIME_MESSAGE));
    const quality = r['quality'];
    if (quality !== undefined && !QUALITIES.includes(quality as Quality)) at('quality', 'must be good, uncertain or bad');
    const unit = typeof r['unit'] === 'string' ? r['unit'] : declaredUnit(target, measurement as string);
    points.push({
      deviceId: target.id,
      measurement: measurement as string,
      ts,
      value: value as number | boolean | string,
      ...(unit !== undefined && { unit }),
      ...(quality !== undefined && { quality: quality as Quality }),
      ...(r['historical'] === true && { historical: true }),
    });
  });
  return points;
}

/** Units each static schema declares, per measurement; computed once per schema document. */
const declaredUnits = new WeakMap<object, Map<string, string>>();

function declaredUnit(device: Device, measurement: string): string | undefined {
  let units = declaredUnits.get(device.staticSchema);
  if (!units) {
    units = new Map();
    const list = device.staticSchema['measurements'];
    if (Array.isArray(list)) {
      for (const m of list as Record<string, unknown>[]) {
        if (typeof m?.['measurement_type'] === 'string' && typeof m['unit'] === 'string') units.set(m['measurement_type'], m['unit']);
      }
    }
    declaredUnits.set(device.staticSchema, units);
  }
  return units.get(measurement);
}
