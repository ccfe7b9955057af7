/**
 * How the verb tools' arguments become JSON-RPC calls: one device → the method for its type and
 * protocol; `where` → batch.execute over the filter (or data.latest for reads). Each device named or
 * selected is checked against its capabilities first, so a wrong setting, value type or command
 * fails with the device's valid choices before anything is sent; values outside the datasheet are
 * the safety envelopes' to refuse, on the routed method's params (src/safety/preview.ts).
 */
import { BATCH_TARGETS } from '../app/batch-methods.ts';
import { noDeviceMatched, toDeviceFilter, type DeviceFilterParams } from '../app/filter-params.ts';
import { resolveDevice } from '../app/services.ts';
import type { Device } from '../core/device.ts';
import { HubError } from '../core/errors.ts';
import type { MethodKind } from '../rpc/method.ts';
import { deviceToWire, pointToReading } from '../rpc/wire.ts';
import { capabilitiesOf, checkMeasurements, checkSettings, commandOf, describeSetting } from './device-capabilities.ts';
import type { RouteEnv, ToolRoute } from './tool-definition.ts';

type Args = Record<string, unknown>;
const RANK: Record<MethodKind, number> = { read: 0, write: 1, destructive: 2 };
const higher = (a: MethodKind, b: MethodKind): MethodKind => (RANK[a] >= RANK[b] ? a : b);

export function invalid(path: string, message: string): HubError {
  return new HubError('INVALID_PARAMS', `Invalid params: ${message}`, { issues: [{ path, message }] });
}

/** `where` of the verb tools as the filter params of device.list, data.*, batch.execute. */
export function whereToFilter(where: Args): DeviceFilterParams {
  const filter: Record<string, unknown> = {};
  for (const key of ['zone', 'model', 'type', 'status', 'protocol'] as const) if (where[key] !== undefined) filter[key] = where[key];
  if (where['tag'] !== undefined) filter['tags'] = [where['tag']];
  if (where['measurement'] !== undefined) filter['measurement_type'] = where['measurement'];
  if (Object.keys(filter).length === 0) throw invalid('/where', 'where needs at least one field');
  return filter as DeviceFilterParams;
}

/** Exactly one of `device` / `where` (or neither, when `optional`): the device, or the filter and the devices it selects. */
export function selection(args: Args, env: RouteEnv, optional = false): { device?: Device; filter?: DeviceFilterParams; devices: Device[] } {
  const { device, where } = args;
  if (device !== undefined && where !== undefined) throw invalid('/where', 'give device or where, not both');
  if (typeof device === 'string') {
    const one = resolveDevice(env.services, device);
    return { device: one, devices: [one] };
  }
  if (where !== undefined) {
    const filter = whereToFilter(where as Args);
    const devices = env.services.registry.list(toDeviceFilter(env.services, filter));
    if (devices.length === 0) throw noDeviceMatched(filter);
    return { filter, devices };
  }
  if (optional) return { devices: [] };
  throw invalid('/device', 'give device (UUID or hardware id) or where (a filter)');
}

/** Run `check` on every device; one error naming each device that failed (at most 5 shown). */
function checkEach(devices: Device[], check: (d: Device) => void): void {
  const failures: { device: Device; error: HubError }[] = [];
  for (const d of devices) {
    try {
      check(d);
    } catch (error) {
      if (!(error instanceof HubError)) throw error;
      failures.push({ device: d, error });
    }
  }
  const first = failures[0];
  if (first === undefined) return;
  if (devices.length === 1) throw first.error;
  const shown = failures.slice(0, 5).map((f) => f.error.message.replace(/^[A-Za-z ]+: /, ''));
  throw new HubError(first.error.code, `${failures.length} of ${devices.length} selected devices cannot do this: ${shown.join(' | ')}${failures.length > 5 ? ' | …' : ''}`, {
    devices: failures.map((f) => ({ device_id: f.device.id, hardware_id: f.device.hardwareId, error: f.error.data })),
  });
}

function kindOf(env: RouteEnv, method: string): MethodKind {
  return env.methods.get(method)?.kind ?? 'write';
}

/** The one batch method all selected devices take (MCUs and sensors need different ones). */
function batchMethod(devices: Device[], forMcu: string, forSensor: string): string {
  const mcus = devices.filter((d) => d.type === 'mcu').length;
  if (mcus > 0 && mcus < devices.length) throw invalid('/where', 'where selects both MCUs and sensors; add type');
  return mcus > 0 ? forMcu : forSensor;
}

export function configureRoute(args: Args, env: RouteEnv): ToolRoute {
  const settings = args['settings'] as Args;
  if (Object.keys(settings).length === 0) throw invalid('/settings', 'settings needs at least one setting');
  const { device, filter, devices } = selection(args, env);
  checkEach(devices, (d) => checkSettings(d, settings));
  const method = batchMethod(devices, 'mcu.set_config', 'sensor.configure');
  if (device !== undefined) return { method, kind: kindOf(env, method), params: { [method === 'mcu.set_config' ? 'mcu_id' : 'sensor_id']: device.id, config: settings } };
  return { method: 'batch.execute', kind: higher('write', kindOf(env, method)), params: { method, filter, params: { config: settings } } };
}

export function runCommandRoute(args: Args, env: RouteEnv): ToolRoute {
  const name = args['command'] as string;
  const commandArgs = (args['args'] ?? {}) as Args;
  const { device, filter, devices } = selection(args, env);
  checkEach(devices, (d) => {
    const command = commandOf(d, name);
    const unknown = Object.keys(commandArgs).filter((a) => !command.args.includes(a));
    if (unknown.length > 0) throw invalid(`/args/${unknown[0]}`, `${name} takes ${command.args.join(', ')}; not ${unknown.join(', ')}`);
  });
  const command = commandOf(devices[0] as Device, name);
  const kind = kindOf(env, command.method);
  if (device !== undefined) return { method: command.method, kind, params: { ...commandArgs, [command.idParam]: device.id } };
  if (!(command.method in BATCH_TARGETS)) throw invalid('/where', `${name} runs on one device at a time: give device`);
  if (new Set(devices.map((d) => commandOf(d, name).method)).size > 1) throw invalid('/where', `${name} means different things on the selected devices; add type`);
  return { method: 'batch.execute', kind: higher('write', kind), params: { method: command.method, filter, params: commandArgs } };
}

export function readRoute(args: Args, env: RouteEnv): ToolRoute {
  const measurements = args['measurements'] as string[] | undefined;
  const maxAge = args['max_age'] as number | undefined;
  const { device, filter, devices } = selection(args, env);
  const common = { ...(measurements !== undefined && { measurement_types: measurements }), ...(maxAge !== undefined && { max_age: maxAge }) };
  if (device === undefined) return { method: 'data.latest', kind: 'read', params: { filter, ...common } };
  checkEach(devices, (d) => checkMeasurements(d, measurements));
  if (device.type === 'mcu') {
    if (measurements !== undefined) throw invalid('/measurements', `${device.hardwareId} is an MCU: read its sensors (describe_device lists them) or drop measurements`);
    return { method: 'mcu.get_status', kind: 'read', params: { mcu_id: device.id } };
  }
  return { method: 'sensor.read', kind: 'read', params: { sensor_id: device.id, ...common } };
}

export function describeRoute(args: Args, env: RouteEnv): ToolRoute {
  const device = resolveDevice(env.services, args['device'] as string);
  return { method: 'device.get', kind: 'read', params: { device_id: device.id }, run: async () => profile(device, env) };
}

/** A compact description of one device and what it can do. */
function profile(device: Device, env: RouteEnv): Record<string, unknown> {
  const wire = deviceToWire(device);
  const caps = capabilitiesOf(device);
  const { registry, cache } = env.services;
  return {
    id: device.id,
    hardware_id: device.hardwareId,
    name: device.name,
    type: device.type,
    manufacturer: device.manufacturer,
    model: device.model,
    zone: device.zone,
    tags: device.tags,
    status: device.status,
    protocols: device.protocols,
    parent_id: device.parentId,
    last_seen: wire.last_seen,
    ...(device.description !== undefined && { description: device.description }),
    attached: registry.children(device.id).map((c) => ({ id: c.id, hardware_id: c.hardwareId, type: c.type, model: c.model, status: c.status })),
    measurements: caps.measurements,
    settings: caps.settings === undefined ? 'none declared: configure_device forwards any name unchecked' : caps.settings.map((s) => ({ ...s, summary: describeSetting(s) })),
    commands: caps.commands.map((c) => ({ name: c.name, kind: kindOf(env, c.method), args: c.args })),
    latest: cache.forDevice(device.id).map((point) => pointToReading(point)),
  };
}

export function updateRoute(args: Args, env: RouteEnv): ToolRoute {
  const { device, ...fields } = args;
  return { method: 'device.update', kind: 'write', params: { device_id: resolveDevice(env.services, device as string).id, ...fields } };
}

export function commandHistoryRoute(args: Args, env: RouteEnv): ToolRoute {
  if (typeof args['command_id'] === 'string') {
    if (Object.keys(args).length > 1) throw invalid('/command_id', 'command_id alone, or device / state / limit');
    return { method: 'command.get', kind: 'read', params: { command_id: args['command_id'] } };
  }
  const device = typeof args['device'] === 'string' ? resolveDevice(env.services, args['device']).id : undefined;
  return {
    method: 'command.list',
    kind: 'read',
    params: { ...(device !== undefined && { device_id: device }), ...(args['state'] !== undefined && { state: args['state'] }), limit: (args['limit'] as number | undefined) ?? 20 },
  };
}
