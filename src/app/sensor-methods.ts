/** sensor.* methods: discovery on an MCU, live or cached reads, configuration, calibration, health. */
import { Type, type TProperties } from '@sinclair/typebox';
import type { Device } from '../core/device.ts';
import { HubError } from '../core/errors.ts';
import type { TelemetryPoint } from '../core/telemetry.ts';
import { defineMethod, type MethodDefinition, type MethodKind } from '../rpc/method.ts';
import { DeviceRef, JsonObjectSchema, parseTimestamp, pointToReading, ReadingWire, StatusSchema, Uuid, iso } from '../rpc/wire.ts';
import { withCanonicalReadings } from './canonical-readings.ts';
import { AsyncAccepted, CommandOptions, compact, runCommand } from './command-runner.ts';
import { announcedMetadata, attachedId, missingHardwareId } from './device-methods.ts';
import { measurementNames } from './query-params.ts';
import { readingsToPoints } from './telemetry-methods.ts';
import { resolveTyped, type HubServices } from './services.ts';

const SensorReadResult = Type.Object({
  sensor_id: Uuid,
  timestamp: Type.String({ format: 'date-time' }),
  readings: Type.Array(ReadingWire),
  source: Type.Optional(Type.Union([Type.Literal('device'), Type.Literal('cache'), Type.Literal('host')], { description: 'host: the protocol host\'s current values (Sparkplug report by exception), each with age_ms' })),
});

interface ForwardSpec {
  readonly name: string;
  readonly summary: string;
  readonly kind: MethodKind;
  readonly params: TProperties;
}

const FORWARDED: readonly ForwardSpec[] = [
  { name: 'sensor.read_raw', summary: 'Raw register / ADC values of a sensor, before conversion.', kind: 'read', params: {} },
  {
    name: 'sensor.configure',
    summary: 'Change sensor settings such as power_mode ("low_power"), oversampling, output data rate or filters.',
    kind: 'write',
    params: { config: JsonObjectSchema },
  },
  {
    name: 'sensor.calibrate',
    summary: 'Calibrate a sensor (e.g. set the AS5600 zero position, the soil sensor dry/wet points).',
    kind: 'write',
    params: {
      reference: Type.Optional(Type.Unknown({ description: 'reference value or points, sensor specific' })),
      method: Type.Optional(Type.String()),
    },
  },
  { name: 'sensor.reset', summary: 'Soft-reset a sensor to its power-on configuration.', kind: 'destructive', params: {} },
  { name: 'sensor.health', summary: 'Health of a sensor: status, error counts, self-test, calibration.', kind: 'read', params: {} },
];

export function sensorMethods(services: HubServices): MethodDefinition[] {
  const forwarded = FORWARDED.map((spec) =>
    defineMethod({
      name: spec.name,
      summary: spec.summary,
      description: "Forwarded to the sensor's MCU; the result is the device's answer, or {command_id, state} with async: true.",
      kind: spec.kind,
      tags: ['sensor', 'command'],
      params: Type.Object({ sensor_id: DeviceRef, ...spec.params, ...CommandOptions }),
      result: Type.Union([JsonObjectSchema, AsyncAccepted]),
      async handler(params, context) {
        const { sensor_id, timeout_ms, async, ...rest } = params as Record<string, unknown> & {
          sensor_id: string;
          timeout_ms?: number;
          async?: boolean;
        };
        const sensor = resolveTyped(services, sensor_id, ['sensor', 'actuator'], 'sensor_id');
        const result = await runCommand(services, sensor, spec.name, compact({ sensor_id: sensor.id, ...rest }), { timeout_ms, async }, context);
        // Health answers carry readings: named and united like sensor.read's, whatever the protocol.
        const answer = spec.name === 'sensor.health' && async !== true ? withCanonicalReadings(services, sensor, result) : result;
        return (answer ?? {}) as Record<string, unknown>;
      },
    }),
  );
  return [
    defineMethod({
      name: 'sensor.discover',
      summary: 'Register a sensor or actuator found on an MCU, with its static schema; returns its UUID.',
      description: 'The sensor hardware id defaults to "{mcu hardware id}/{bus}:{address}", so rediscovery returns the same UUID.',
      kind: 'write',
      tags: ['sensor', 'device-side'],
      deviceAccess: { self: ['mcu_id', 'hardware_id'] },
      params: Type.Object({
        mcu_id: DeviceRef,
        static_schema: JsonObjectSchema,
        schema_version: Type.Optional(Type.String()),
        device_type: Type.Optional(Type.Union([Type.Literal('sensor'), Type.Literal('actuator')], { default: 'sensor' })),
        hardware_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[^#+\\s]+$' })),
        name: Type.Optional(Type.String({ maxLength: 200 })),
        tags: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 })),
        zone: Type.Optional(Type.String({ maxLength: 100 })),
      }),
      result: Type.Object({
        sensor_id: Uuid,
        device_id: Uuid,
        hardware_id: Type.String(),
        created: Type.Boolean(),
        status: StatusSchema,
        schema_version: Type.String(),
      }),
      async handler(params) {
        const mcu = resolveTyped(services, params.mcu_id, ['mcu'], 'mcu_id');
        const hardwareId = params.hardware_id ?? attachedId(mcu, params.static_schema) ?? missingHardwareId('when static_schema.communication names no bus and address');
        const { device, created } = await services.ingress.announce({
          hardwareId,
          type: params.device_type ?? 'sensor',
          parentId: mcu.id,
          staticSchema: params.static_schema,
          protocol: mcu.protocols[0] ?? 'native',
          ...announcedMetadata(params),
        });
        return {
          sensor_id: device.id,
          device_id: device.id,
          hardware_id: device.hardwareId,
          created,
          status: device.status,
          schema_version: device.schemaVersion,
        };
      },
    }),
    defineMethod({
      name: 'sensor.detached',
      summary: 'Sent by an MCU when a sensor is unplugged; the sensor goes offline until discovered again.',
      kind: 'write',
      tags: ['sensor', 'device-side'],
      deviceAccess: { self: ['sensor_id'] },
      params: Type.Object({ sensor_id: DeviceRef }),
      result: Type.Object({ sensor_id: Uuid, status: StatusSchema }),
      async handler(params) {
        const sensor = resolveTyped(services, params.sensor_id, ['sensor', 'actuator'], 'sensor_id');
        services.ingress.disconnected(sensor.id, 'sensor detached from its MCU');
        return { sensor_id: sensor.id, status: services.registry.require(sensor.id).status };
      },
    }),
    defineMethod({
      name: 'sensor.scan_bus',
      summary: 'Ask an MCU to scan its I2C / SPI buses and report the devices it finds.',
      kind: 'read',
      tags: ['sensor', 'command'],
      params: Type.Object({
        mcu_id: DeviceRef,
        bus: Type.Optional(Type.Union([Type.Literal('i2c'), Type.Literal('spi'), Type.Literal('all')], { default: 'all' })),
        ...CommandOptions,
      }),
      result: Type.Union([JsonObjectSchema, AsyncAccepted]),
      async handler(params, context) {
        const mcu = resolveTyped(services, params.mcu_id, ['mcu'], 'mcu_id');
        const result = await runCommand(services, mcu, 'sensor.scan_bus', { bus: params.bus ?? 'all' }, params, context);
        return (result ?? {}) as Record<string, unknown>;
      },
    }),
    defineMethod({
      name: 'sensor.read',
      summary: 'Read a sensor now through its MCU, or return the cached latest value if it is younger than max_age seconds.',
      kind: 'read',
      tags: ['sensor', 'command'],
      params: Type.Object({
        sensor_id: DeviceRef,
        measurement_types: Type.Optional(Type.Array(Type.String())),
        max_age: Type.Optional(Type.Number({ minimum: 0, description: 'seconds; a cached value this fresh is returned without asking the device' })),
        timeout_ms: CommandOptions.timeout_ms,
      }),
      result: SensorReadResult,
      async handler(params, context) {
        const sensor = resolveTyped(services, params.sensor_id, ['sensor', 'actuator'], 'sensor_id');
        if (params.max_age !== undefined) {
          const cached = fromCache(services, sensor, params.measurement_types, params.max_age);
          if (cached) return cached;
        }
        const answer = await runCommand(
          services,
          sensor,
          'sensor.read',
          compact({ sensor_id: sensor.id, measurement_types: params.measurement_types }),
          { timeout_ms: params.timeout_ms },
          context,
        );
        const points = services.pipeline.canonical(readingsFromAnswer(services, sensor, answer));
        // A protocol host answering from values it already stored (Sparkplug) says so: no second copy, readings as given (with their age).
        const fromHost = (answer as Record<string, unknown>)['stored'] === true;
        if (points.length > 0 && !fromHost) void services.ingress.report(points).catch(() => {});
        const newest = points.reduce((max, p) => Math.max(max, p.ts), 0);
        return {
          sensor_id: sensor.id,
          timestamp: iso(newest || services.now()),
          readings: points.map((p, i) => (fromHost ? { ...hostReadings(answer)[i], ...pointToReading(p) } : pointToReading(p))),
          source: fromHost ? ('host' as const) : ('device' as const),
        };
      },
    }),
    ...forwarded,
  ];
}

/** A host's readings (Sparkplug: with their age), in the order readingsFromAnswer turns them into points. */
function hostReadings(answer: unknown): readonly Record<string, unknown>[] {
  const readings = (answer as Record<string, unknown>)['readings'];
  return Array.isArray(readings) ? (readings as Record<string, unknown>[]) : [];
}

function fromCache(services: HubServices, sensor: Device, measurements: readonly string[] | undefined, maxAgeS: number) {
  const points = services.cache.forDevice(sensor.id, measurementNames(measurements), services.now() - maxAgeS * 1000);
  const wanted = measurements && measurements.length > 0 ? measurements.length : Math.max(1, services.cache.forDevice(sensor.id).length);
  if (points.length < wanted) return undefined;
  const newest = points.reduce((max, p) => Math.max(max, p.ts), 0);
  return { sensor_id: sensor.id, timestamp: iso(newest), readings: points.map((p) => pointToReading(p)), source: 'cache' as const };
}

/** The device's sensor.read answer as telemetry points of that sensor; a malformed answer is a DEVICE_ERROR. */
function readingsFromAnswer(services: HubServices, sensor: Device, answer: unknown): TelemetryPoint[] {
  const body = answer !== null && typeof answer === 'object' ? (answer as Record<string, unknown>) : {};
  const readings = body['readings'];
  if (!Array.isArray(readings)) {
    throw new HubError('DEVICE_ERROR', `device answered sensor.read without readings: ${sensor.id}`, { device_error: answer });
  }
  const ts = (typeof body['timestamp'] === 'string' || typeof body['timestamp'] === 'number' ? parseTimestamp(body['timestamp']) : undefined) ?? services.now();
  try {
    return readingsToPoints(services, sensor, readings, ts);
  } catch (error) {
    throw new HubError('DEVICE_ERROR', `device answered sensor.read with malformed readings: ${sensor.id}`, {
      device_error: error instanceof HubError ? error.data : String(error),
    });
  }
}

