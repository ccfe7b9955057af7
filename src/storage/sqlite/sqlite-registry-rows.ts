/** Device and command rows as SQLite stores them: JSON documents as JSON text, optional fields as NULL. */
import type { CommandRecord } from '../../core/command.ts';
import { operatorMetadata, type Device, type JsonObject, type OperatorField } from '../../core/device.ts';

/** Column names of `devices`, in table order; also the named parameters of the upsert. */
export const DEVICE_COLUMNS = [
  'id', 'hardware_id', 'type', 'parent_id', 'name', 'manufacturer', 'model', 'schema_version', 'static_schema',
  'dynamic_state', 'tags', 'zone', 'status', 'protocols', 'registered_at', 'last_seen', 'heartbeat_interval_ms',
  'description', 'operator_fields',
] as const;

/** Column names of `commands`, in table order. */
export const COMMAND_COLUMNS = [
  'id', 'device_id', 'method', 'params', 'state', 'result', 'error', 'origin', 'created_at', 'sent_at',
  'completed_at', 'timeout_ms',
] as const;

/** One `devices` row. */
export interface DeviceRow {
  id: string;
  hardware_id: string;
  type: string;
  parent_id: string | null;
  name: string;
  manufacturer: string;
  model: string;
  schema_version: string;
  static_schema: string;
  dynamic_state: string;
  tags: string;
  zone: string | null;
  status: string;
  protocols: string;
  registered_at: number;
  last_seen: number;
  heartbeat_interval_ms: number | null;
  description: string | null;
  /** JSON array of the OperatorField names an operator set. */
  operator_fields: string;
}

/** One `commands` row; `result` NULL means absent, the text `null` means a JSON null result. */
export interface CommandRow {
  id: string;
  device_id: string;
  method: string;
  params: string;
  state: string;
  result: string | null;
  error: string | null;
  origin: string;
  created_at: number;
  sent_at: number | null;
  completed_at: number | null;
  timeout_ms: number;
}

export function deviceToRow(device: Device): DeviceRow {
  return {
    id: device.id,
    hardware_id: device.hardwareId,
    type: device.type,
    parent_id: device.parentId,
    name: device.name,
    manufacturer: device.manufacturer,
    model: device.model,
    schema_version: device.schemaVersion,
    static_schema: JSON.stringify(device.staticSchema),
    dynamic_state: JSON.stringify(device.dynamicState),
    tags: JSON.stringify(device.tags),
    zone: device.zone,
    status: device.status,
    protocols: JSON.stringify(device.protocols),
    registered_at: device.registeredAt,
    last_seen: device.lastSeen,
    heartbeat_interval_ms: device.heartbeatIntervalMs,
    description: device.description ?? null,
    operator_fields: JSON.stringify(device.operatorFields ?? []),
  };
}

/** Rows were written by deviceToRow, so the enumerations are trusted as stored. */
export function deviceFromRow(row: DeviceRow): Device {
  return {
    id: row.id,
    hardwareId: row.hardware_id,
    type: row.type as Device['type'],
    parentId: row.parent_id,
    name: row.name,
    manufacturer: row.manufacturer,
    model: row.model,
    schemaVersion: row.schema_version,
    staticSchema: JSON.parse(row.static_schema) as JsonObject,
    dynamicState: JSON.parse(row.dynamic_state) as JsonObject,
    tags: JSON.parse(row.tags) as string[],
    zone: row.zone,
    status: row.status as Device['status'],
    protocols: JSON.parse(row.protocols) as Device['protocols'],
    registeredAt: row.registered_at,
    lastSeen: row.last_seen,
    heartbeatIntervalMs: row.heartbeat_interval_ms,
    ...operatorMetadata(row.description, JSON.parse(row.operator_fields) as OperatorField[]),
  };
}

export function commandToRow(command: CommandRecord): CommandRow {
  return {
    id: command.id,
    device_id: command.deviceId,
    method: command.method,
    params: JSON.stringify(command.params),
    state: command.state,
    // JSON.stringify(undefined) is undefined: an absent result is stored as NULL.
    result: command.result === undefined ? null : JSON.stringify(command.result),
    error: command.error === undefined ? null : JSON.stringify(command.error),
    origin: JSON.stringify(command.origin),
    created_at: command.createdAt,
    sent_at: command.sentAt ?? null,
    completed_at: command.completedAt ?? null,
    timeout_ms: command.timeoutMs,
  };
}

export function commandFromRow(row: CommandRow): CommandRecord {
  return {
    id: row.id,
    deviceId: row.device_id,
    method: row.method,
    params: JSON.parse(row.params) as JsonObject,
    state: row.state as CommandRecord['state'],
    ...(row.result === null ? {} : { result: JSON.parse(row.result) as unknown }),
    ...(row.error === null ? {} : { error: JSON.parse(row.error) as NonNullable<CommandRecord['error']> }),
    origin: JSON.parse(row.origin) as CommandRecord['origin'],
    createdAt: row.created_at,
    ...(row.sent_at === null ? {} : { sentAt: row.sent_at }),
    ...(row.completed_at === null ? {} : { completedAt: row.completed_at }),
    timeoutMs: row.timeout_ms,
  };
}
