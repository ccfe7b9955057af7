/**
 * The tool set an LLM sees (MCP tools/list and llm.execute_command): a few verb tools whose
 * arguments are checked against each device's schema at call time. No fleet contents in names,
 * descriptions or schemas, so the list is the same bytes for 20 devices or 20,000 and never changes
 * as devices come and go; the fleet is reached through find_devices, describe_device, resources and
 * completions. Schemas keep to a portable subset (no $ref, no patternProperties, closed objects,
 * every property typed and described) that MCP, Anthropic and OpenAI clients all accept.
 */
import type { MethodKind } from '../rpc/method.ts';
import type { Role } from '../core/principal.ts';
import { findDevicesRoute, FIND_DEVICES_OUTPUT } from './find-devices.ts';
import { QUERY_TELEMETRY_OUTPUT, queryTelemetryRoute, TELEMETRY_CHART_URI } from './telemetry-summary.ts';
import type { JsonSchemaObject, ToolDefinition } from './tool-definition.ts';
import { commandHistoryRoute, configureRoute, describeRoute, readRoute, runCommandRoute, updateRoute } from './verb-routes.ts';

type Schema = Record<string, unknown>;
const p = (type: string | string[], description: string, extra: Schema = {}): Schema => ({ type, description, ...extra });
/** A closed object: every key must be one of `properties`. */
export const closed = (properties: Record<string, Schema>, description?: string, required?: string[]): Schema => ({
  type: 'object',
  ...(description !== undefined && { description }),
  properties,
  ...(required !== undefined && { required }),
  additionalProperties: false,
});

const DEVICE = p('string', 'Device UUID or hardware id');
const MEASUREMENTS = p('array', 'Measurement names, e.g. ["temperature"]; default all', { items: p('string', 'measurement name') });
const SCALAR = ['string', 'number', 'boolean'];
const FILTER_FIELDS: Record<string, Schema> = {
  zone: p('string', 'e.g. "Zone A"'),
  model: p('string', 'e.g. "BMP580"'),
  type: p('string', 'device type', { enum: ['mcu', 'sensor', 'actuator'] }),
  tag: p('string', 'a tag the device has'),
  status: p('string', 'default: all but deregistered', { enum: ['online', 'offline', 'deregistered'] }),
  protocol: p('string', 'protocol the device speaks', { enum: ['native', 'sparkplug', 'lwm2m'] }),
  measurement: p('string', 'a measurement it reports, e.g. "temperature"'),
};
const WHERE = closed(FILTER_FIELDS, 'Instead of device: every device matching all fields given');

function tool(
  name: string,
  method: string,
  kind: MethodKind,
  role: Role,
  description: string,
  properties: Record<string, Schema>,
  route: ToolDefinition['route'],
  extra: { required?: string[]; output?: JsonSchemaObject; meta?: Record<string, unknown>; idempotent?: boolean } = {},
): ToolDefinition {
  const title = name
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
  const input = closed(properties, undefined, extra.required) as JsonSchemaObject;
  return {
    name,
    method,
    title,
    description,
    kind,
    role,
    inputSchema: input,
    ...(extra.output !== undefined && { outputSchema: extra.output }),
    annotations: { title, readOnlyHint: kind === 'read', destructiveHint: kind === 'destructive', idempotentHint: extra.idempotent ?? kind === 'read', openWorldHint: false },
    ...(extra.meta !== undefined && { meta: extra.meta }),
    route,
  };
}

const TOOLS: readonly ToolDefinition[] = [
  tool(
    'find_devices',
    'device.list',
    'read',
    'viewer',
    'Find devices by zone, model, type, tag, status, protocol, measurement or capability (a setting or command name). Paged; returns ids for the other tools.',
    {
      ...FILTER_FIELDS,
      capability: p('string', 'a measurement, setting or command the device has, e.g. "power_mode", "reboot"'),
      text: p('string', 'substring of name, hardware id, model or description'),
      limit: p('integer', 'page size (default 25)', { minimum: 1, maximum: 100 }),
      cursor: p('string', 'next_cursor of the previous page'),
    },
    findDevicesRoute,
    { output: FIND_DEVICES_OUTPUT },
  ),
  tool(
    'describe_device',
    'device.get',
    'read',
    'viewer',
    'One device: model, zone, status, attached devices and its capabilities: measurements (unit, range), settings (allowed values or range) and commands (arguments). Check it before configure_device or run_command.',
    { device: DEVICE },
    describeRoute,
    { required: ['device'] },
  ),
  tool(
    'read_device',
    'sensor.read',
    'read',
    'viewer',
    'Current values. device: asks a sensor now (or accepts a cached value younger than max_age) or an MCU for its status. where: latest cached values of every matching device.',
    { device: DEVICE, where: WHERE, measurements: MEASUREMENTS, max_age: p('number', 'seconds; a cached value this young will do', { minimum: 0 }) },
    readRoute,
  ),
  tool(
    'query_telemetry',
    'data.query',
    'read',
    'viewer',
    'Stored history as a bounded summary: min/max/mean/count/last per interval and overall, with units and time range. The interval is chosen so the answer stays within max_points (the answer says so). Default: one series per measurement across the devices, e.g. the average temperature of a zone; group_by "device" for one per device.',
    {
      device: DEVICE,
      where: WHERE,
      measurements: MEASUREMENTS,
      last: p('string', 'window ending now, e.g. "24h" (default), "7d"', { pattern: '^\\d+(m|h|d|w)$' }),
      start: p('string', 'instead of last: RFC 3339 start'),
      end: p('string', 'RFC 3339 end (default now)'),
      interval: p('string', 'bucket width, e.g. "1h"; widened if over budget', { pattern: '^\\d+(s|m|h|d|w)$' }),
      group_by: p('string', 'one series per measurement (default) or per device', { enum: ['measurement', 'device'] }),
      max_points: p('integer', 'budget of buckets over all series (default 60)', { minimum: 10, maximum: 1000 }),
    },
    queryTelemetryRoute,
    { output: QUERY_TELEMETRY_OUTPUT, meta: { ui: { resourceUri: TELEMETRY_CHART_URI }, 'ui/resourceUri': TELEMETRY_CHART_URI } },
  ),
  tool(
    'configure_device',
    'sensor.configure',
    'write',
    'operator',
    'Change settings of one device or of every device matching where, e.g. {"power_mode": "low_power"}. Names and values are checked against each device\'s declared settings (describe_device lists them).',
    { device: DEVICE, where: WHERE, settings: { type: 'object', description: 'setting name → value', additionalProperties: p(SCALAR, 'the new value') } },
    configureRoute,
    { required: ['settings'] },
  ),
  tool(
    'run_command',
    'batch.execute',
    'destructive',
    'viewer',
    'Send a command to one device or every device matching where. MCU: get_status, get_config, scan_bus, reboot, upload_program, execute_script. Sensor: read_raw, health, calibrate, reset. LwM2M: lwm2m_read, lwm2m_write, lwm2m_execute… (path). Sparkplug: write_metric. describe_device lists a device\'s commands and arguments; reboot, reset, upload_program, execute_script and lwm2m_execute/delete are destructive.',
    {
      device: DEVICE,
      where: WHERE,
      command: p('string', 'command name, e.g. "get_status"'),
      args: {
        type: 'object',
        description: 'the command\'s arguments, e.g. {"delay_ms": 1000}',
        additionalProperties: p([...SCALAR, 'array', 'object'], 'argument value', { items: p(SCALAR, 'list item') }),
      },
    },
    runCommandRoute,
    { required: ['command'] },
  ),
  tool(
    'update_device',
    'device.update',
    'write',
    'operator',
    'Set a device\'s name, zone, tags or description (null clears zone or description).',
    {
      device: DEVICE,
      name: p('string', 'new name'),
      zone: p(['string', 'null'], 'new zone'),
      tags: p('array', 'the new tag list', { items: p('string', 'tag') }),
      description: p(['string', 'null'], 'free text'),
    },
    updateRoute,
    { required: ['device'], idempotent: true },
  ),
  tool(
    'command_history',
    'command.list',
    'read',
    'viewer',
    'Commands sent to devices, newest first: one by command_id, or filtered by device and state.',
    {
      command_id: p('string', 'one command'),
      device: DEVICE,
      state: p('string', 'command state', { enum: ['pending', 'sent', 'succeeded', 'failed', 'timed_out'] }),
      limit: p('integer', 'default 20', { minimum: 1, maximum: 100 }),
    },
    commandHistoryRoute,
  ),
];

/** The tool set: the same objects, in the same order, for the life of the process. */
export function toolCatalog(): readonly ToolDefinition[] {
  return TOOLS;
}
