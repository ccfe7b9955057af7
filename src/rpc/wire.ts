/** Wire shapes (snake_case JSON) of registry and telemetry objects, and their TypeBox schemas. */
import { isStorableTimestamp, normalizeTimestamp } from '../core/timestamp.ts';
import { HubError } from '../core/errors.ts';
import { Type, type Static } from '@sinclair/typebox';
import type { CommandRecord } from '../core/command.ts';
import type { Device } from '../core/device.ts';
import type { TelemetryPoint } from '../core/telemetry.ts';

export const Uuid = Type.String({ format: 'uuid', description: 'Device UUID' });
/** A device UUID, or a hardware id such as "esp32-greenhouse-a1" (resolved by the registry). */
export const DeviceRef = Type.String({ minLength: 1, maxLength: 256, description: 'Device UUID or hardware id' });
/**
 * An open JSON object: any keys (a device document, a config, the params a batch passes on). Being a
 * record (patternProperties), it is the one kind of object closeObjectSchemas leaves open.
 */
export const JsonObjectSchema = Type.Record(Type.String(), Type.Unknown());
/** RFC 3339 text or milliseconds since epoch. */
export const Timestamp = Type.Union([Type.String({ minLength: 1 }), Type.Number()], { description: 'RFC 3339 time or ms since epoch' });
export const DeviceTypeSchema = Type.Union([Type.Literal('mcu'), Type.Literal('sensor'), Type.Literal('actuator')]);
export const StatusSchema = Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('deregistered')]);
export const QualitySchema = Type.Union([Type.Literal('good'), Type.Literal('uncertain'), Type.Literal('bad')]);
export const ValueSchema = Type.Union([Type.Number(), Type.Boolean(), Type.String()]);

export const DeviceWire = Type.Object({
  device_id: Uuid,
  hardware_id: Type.String(),
  device_type: DeviceTypeSchema,
  parent_id: Type.Union([Uuid, Type.Null()]),
  name: Type.String(),
  manufacturer: Type.String(),
  model: Type.String(),
  schema_version: Type.String(),
  static_schema: JsonObjectSchema,
  dynamic_state: JsonObjectSchema,
  tags: Type.Array(Type.String()),
  zone: Type.Union([Type.String(), Type.Null()]),
  description: Type.Union([Type.String(), Type.Null()]),
  operator_fields: Type.Array(Type.String(), { description: 'which of name, zone, tags, description an operator set (device.update)' }),
  status: StatusSchema,
  protocols: Type.Array(Type.String()),
  registered_at: Type.String({ format: 'date-time' }),
  last_seen: Type.String({ format: 'date-time' }),
  heartbeat_interval: Type.Union([Type.Number(), Type.Null()], { description: 'seconds' }),
});
export type DeviceWire = Static<typeof DeviceWire>;

export const ReadingWire = Type.Object({
  measurement_type: Type.String(),
  value: ValueSchema,
  unit: Type.Optional(Type.String()),
  quality: Type.Optional(QualitySchema),
  timestamp: Type.Optional(Type.String({ format: 'date-time' })),
  device_id: Type.Optional(Uuid),
  source_measurement: Type.Optional(Type.String({ description: 'the name the device reported, e.g. Sensors/temperature' })),
  source_unit: Type.Optional(Type.String({ description: 'the unit the device reported, e.g. celsius' })),
});
export type ReadingWire = Static<typeof ReadingWire>;

export const CommandWire = Type.Object({
  command_id: Type.String(),
  device_id: Uuid,
  method: Type.String(),
  params: JsonObjectSchema,
  state: Type.Union(['pending', 'sent', 'succeeded', 'failed', 'timed_out'].map((s) => Type.Literal(s))),
  result: Type.Optional(Type.Unknown()),
  error: Type.Optional(Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Optional(Type.Unknown()) })),
  origin: Type.Object({ transport: Type.String(), principal: Type.Optional(Type.String()), chain: Type.Optional(Type.String({ description: 'audit chain of the LLM tool call that sent it (audit.chain)' })) }),
  created_at: Type.String({ format: 'date-time' }),
  sent_at: Type.Optional(Type.String({ format: 'date-time' })),
  completed_at: Type.Optional(Type.String({ format: 'date-time' })),
  timeout_ms: Type.Integer(),
});
export type CommandWire = Static<typeof CommandWire>;

export const iso = (ms: number): string => new Date(ms).toISOString();

export function deviceToWire(device: Device): DeviceWire {
  return {
    device_id: device.id,
    hardware_id: device.hardwareId,
    device_type: device.type,
    parent_id: device.parentId,
    name: device.name,
    manufacturer: device.manufacturer,
    model: device.model,
    schema_version: device.schemaVersion,
    static_schema: device.staticSchema,
    dynamic_state: device.dynamicState,
    tags: [...device.tags],
    zone: device.zone,
    description: device.description ?? null,
    operator_fields: [...(device.operatorFields ?? [])],
    status: device.status,
    protocols: [...device.protocols],
    registered_at: iso(device.registeredAt),
    last_seen: iso(device.lastSeen),
    heartbeat_interval: device.heartbeatIntervalMs === null ? null : device.heartbeatIntervalMs / 1000,
  };
}

export function pointToReading(point: TelemetryPoint, withDevice = false): ReadingWire {
  const reading: ReadingWire = { measurement_type: point.measurement, value: point.value, timestamp: iso(point.ts) };
  if (point.unit !== undefined) reading.unit = point.unit;
  reading.quality = point.quality ?? 'good';
  if (withDevice) reading.device_id = point.deviceId;
  reading.source_measurement = point.sourceMeasurement ?? point.measurement;
  const sourceUnit = point.sourceUnit ?? point.unit;
  if (sourceUnit !== undefined) reading.source_unit = sourceUnit;
  return reading;
}

export function commandToWire(command: CommandRecord): CommandWire {
  const wire: CommandWire = {
    command_id: command.id,
    device_id: command.deviceId,
    method: command.method,
    params: command.params,
    state: command.state,
    origin: { ...command.origin },
    created_at: iso(command.createdAt),
    timeout_ms: command.timeoutMs,
  };
  if (command.result !== undefined) wire.result = command.result;
  if (command.error !== undefined) wire.error = command.error;
  if (command.sentAt !== undefined) wire.sent_at = iso(command.sentAt);
  if (command.completedAt !== undefined) wire.completed_at = iso(command.completedAt);
  return wire;
}

/** Parse a wire timestamp: RFC 3339 text, or ms since epoch (numbers below 1e11 are taken as seconds). */
export function parseTimestamp(value: string | number): number | undefined {
  // core/timestamp.ts: seconds → ms, fractions rounded, only 1970…9999 (docs/protocol.md "Timestamps").
  if (typeof value === 'number') return normalizeTimestamp(value);
  const ms = Date.parse(value);
  return isStorableTimestamp(ms) ? ms : undefined;
}

/**
 * A timestamp parameter parsed, or INVALID_PARAMS naming it: a time the hub cannot hold (outside
 * 1970…9999, or no time at all) is the caller's mistake (-32602), never an internal error or a
 * silently ignored filter.
 */
export function timestampParam(value: string | number, path: string): number {
  const ms = parseTimestamp(value);
  if (ms !== undefined) return ms;
  const message = 'is not a time between 1970 and 9999 (RFC 3339 or ms since epoch)';
  throw new HubError('INVALID_PARAMS', `Invalid params: ${path.slice(1).replaceAll('/', '.')} ${message}`, { issues: [{ path, message }] });
}
