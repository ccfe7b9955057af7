/** Device and command rows as PostgreSQL stores them: JSON documents as jsonb, optional fields as NULL. */
import type { CommandRecord } from '../../core/command.ts';
import { operatorMetadata, type Device, type JsonObject, type OperatorField } from '../../core/device.ts';

/** `devices` columns in the order of deviceParams(); jsonb columns are cast in the SQL. */
export const DEVICE_COLUMNS = [
  'id', 'hardware_id', 'type', 'parent_id', 'name', 'manufacturer', 'model', 'schema_version', 'static_schema',
  'dynamic_state', 'tags', 'zone', 'status', 'protocols', 'registered_at', 'last_seen', 'heartbeat_interval_ms',
  'description', 'operator_fields',
] as const;

/** `commands` columns in the order of commandParams(). */
export const COMMAND_COLUMNS = [
  'id', 'device_id', 'method', 'params', 'state', 'result', 'error', 'origin', 'created_at', 'sent_at',
  'completed_at', 'timeout_ms',
] as const;

/** Columns holding jsonb; their parameters are JSON text cast with `::jsonb` (pg would turn arrays into SQL arrays). */
export const JSON_COLUMNS: ReadonlySet<string> = new Set([
  'static_schema', 'dynamic_state', 'tags', 'protocols', 'params', 'result', 'error', 'origin', 'operator_fields',
]);

/** One `devices` row as pg returns it (jsonb already parsed, bigint parsed to number). */
export interface DeviceRow {
  id: string;
  hardware_id: string;
  type: Device['type'];
  parent_id: string | null;
  name: string;
  manufacturer: string;
  model: string;
  schema_version: string;
  static_schema: JsonObject;
  dynamic_state: JsonObject;
  tags: string[];
  zone: string | null;
  status: Device['status'];
  protocols: Device['protocols'];
  registered_at: number;
  last_seen: number;
  heartbeat_interval_ms: number | null;
  description: string | null;
  operator_fields: OperatorField[];
}

/** One `commands` row; `has_result` tells an absent result (SQL NULL) from a JSON null. */
export interface CommandRow {
  id: string;
  device_id: string;
  method: string;
  params: JsonObject;
  state: CommandRecord['state'];
  result: unknown;
  has_result: boolean;
  error: NonNullable<CommandRecord['error']> | null;
  origin: CommandRecord['origin'];
  created_at: number;
  sent_at: number | null;
  completed_at: number | null;
  timeout_ms: number;
}

export function deviceParams(d: Device): unknown[] {
  return [
    d.id, d.hardwareId, d.type, d.parentId, d.name, d.manufacturer, d.model, d.schemaVersion,
    JSON.stringify(d.staticSchema), JSON.stringify(d.dynamicState), JSON.stringify(d.tags), d.zone, d.status,
    JSON.stringify(d.protocols), d.registeredAt, d.lastSeen, d.heartbeatIntervalMs,
    d.description ?? null, JSON.stringify(d.operatorFields ?? []),
  ];
}

export function deviceFromRow(row: DeviceRow): Device {
  return {
    id: row.id,
    hardwareId: row.hardware_id,
    type: row.type,
    parentId: row.parent_id,
    name: row.name,
    manufacturer: row.manufacturer,
    model: row.model,
    schemaVersion: row.schema_version,
    staticSchema: row.static_schema,
    dynamicState: row.dynamic_state,
    tags: row.tags,
    zone: row.zone,
    status: row.status,
    protocols: row.protocols,
    registeredAt: row.registered_at,
    lastSeen: row.last_seen,
    heartbeatIntervalMs: row.heartbeat_interval_ms,
    ...operatorMetadata(row.description, row.operator_fields),
  };
}

export function commandParams(c: CommandRecord): unknown[] {
  return [
    c.id, c.deviceId, c.method, JSON.stringify(c.params), c.state,
    c.result === undefined ? null : JSON.stringify(c.result),
    c.error === undefined ? null : JSON.stringify(c.error),
    JSON.stringify(c.origin), c.createdAt, c.sentAt ?? null, c.completedAt ?? null, c.timeoutMs,
  ];
}

export function commandFromRow(row: CommandRow): CommandRecord {
  return {
    id: row.id,
    deviceId: row.device_id,
    method: row.method,
    params: row.params,
    state: row.state,
    ...(row.has_result ? { result: row.result } : {}),
    ...(row.error === null ? {} : { error: row.error }),
    origin: row.origin,
    createdAt: row.created_at,
    ...(row.sent_at === null ? {} : { sentAt: row.sent_at }),
    ...(row.completed_at === null ? {} : { completedAt: row.completed_at }),
    timeoutMs: row.timeout_ms,
  };
}
