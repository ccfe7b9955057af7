// The hub's generic device methods on Sparkplug edge nodes (mcu.*) and devices (sensor.*).
//
// Sparkplug is report by exception: while a session lives, the last value a node reported for a
// metric is its current value (§5 "Edge Node / Device sessions"; after a DEATH the values are STALE).
// Reads are therefore answered from the host's state, with each value's age; writes become NCMD /
// DCMD metric writes; controls become the `Node Control/*` / `Device Control/*` metric the BIRTH
// announced. Where a node announced nothing to map a method to, the method is refused naming the
// protocol and the metric it would need (docs/generic-methods.md, Sparkplug section).

import type { JsonObject } from '../../../core/device.ts';
import { DataType } from '../codec/datatypes.ts';
import type { TelemetryPoint } from '../../../core/telemetry.ts';
import { REBOOT_METRIC } from './command-payloads.ts';
import { CommandRefused } from './command-refused.ts';
import type { DeviceSession } from './edge-node-session.ts';
import type { HostSession } from './host-context.ts';
import type { MetricCatalog } from './metric-catalog.ts';
import { isMeasurementName } from './metric-points.ts';
import type { WriteResult } from './write-confirmations.ts';

/** Generic methods on an edge node (hub MCU). */
export const GENERIC_NODE_METHODS: readonly string[] = ['mcu.get_status', 'mcu.get_config', 'mcu.set_config', 'mcu.reboot'];
/** Generic methods on a Sparkplug device (hub sensor). */
export const GENERIC_DEVICE_METHODS: readonly string[] = ['sensor.read', 'sensor.read_raw', 'sensor.configure', 'sensor.calibrate', 'sensor.reset', 'sensor.health'];

/** Config keys resolve to metrics under this folder: `power_mode` → `Config/power_mode`. */
export const CONFIG_PREFIX = 'Config/';
/** Device control endpoints a DBIRTH may announce (the Device counterpart of `Node Control/*`). */
export const DEVICE_RESET_METRIC = 'Device Control/Reset';
export const DEVICE_CALIBRATE_METRIC = 'Device Control/Calibrate';

/** What the channel does for one generic method. */
export type GenericPlan =
  /** Answered from the host's state; nothing is sent. */
  | { readonly kind: 'answer'; readonly result: JsonObject }
  /** Metric writes, confirmed when the node reports the values back; `shape` builds the result. */
  | { readonly kind: 'write'; readonly writes: JsonObject; readonly shape: (outcome: WriteResult) => JsonObject }
  /** A control metric: sent, and the command succeeds at once with `result` (a control is not reported back). */
  | { readonly kind: 'control'; readonly writes: JsonObject; readonly result: JsonObject };

/** The edge node (and device) a generic method is about. */
export interface GenericTarget {
  readonly session: HostSession;
  /** Absent for a method on the edge node itself. */
  readonly device: DeviceSession | undefined;
  /** Hub UUID of the command's device. */
  readonly hubId: string;
  readonly now: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function label(target: GenericTarget): string {
  return target.device === undefined ? `edge node ${target.session.edgeNodeId} (NBIRTH)` : `device ${target.device.deviceId} (DBIRTH)`;
}

function catalogOf(target: GenericTarget): MetricCatalog {
  return target.device?.catalog ?? target.session.node;
}

/**
 * The metric a config key names: a BIRTH metric of exactly that name, else `Config/{key}`. An unknown
 * key refuses the command naming it and the keys the BIRTH offers.
 */
export function resolveConfigKey(catalog: MetricCatalog, key: string, where: string): string {
  if (catalog.byName(key) !== undefined) return key;
  const prefixed = `${CONFIG_PREFIX}${key}`;
  if (catalog.byName(prefixed) !== undefined) return prefixed;
  const offered = configKeys(catalog);
  throw new CommandRefused(
    'UNSUPPORTED_OPERATION',
    `config key ${JSON.stringify(key)} is not supported over Sparkplug by ${where}: no metric ${JSON.stringify(key)} or ${JSON.stringify(prefixed)} in its BIRTH` +
      (offered.length > 0 ? ` (config keys: ${offered.join(', ')})` : ''),
    { key, config_keys: offered },
  );
}

/** `Config/*` metric names without the prefix. */
function configKeys(catalog: MetricCatalog): string[] {
  return [...catalog.definitions()].filter((d) => d.name.startsWith(CONFIG_PREFIX)).map((d) => d.name.slice(CONFIG_PREFIX.length));
}

/** Current values of the `Config/*` metrics, by key. */
export function configOf(catalog: MetricCatalog): JsonObject {
  const config: JsonObject = {};
  for (const key of configKeys(catalog)) {
    const current = catalog.current(`${CONFIG_PREFIX}${key}`);
    if (current !== undefined) config[key] = current.point.value;
  }
  return config;
}

/** A measurement type matches a metric of that name or whose last path level is it (`temperature` ~ `Sensors/temperature`). */
function matches(name: string, wanted: readonly string[] | undefined): boolean {
  return wanted === undefined || wanted.some((w) => name === w || name.endsWith(`/${w}`));
}

/** One reading as `sensor.read` returns it, with how old the value is. */
function reading(point: TelemetryPoint, receivedAt: number, now: number, stale: boolean): JsonObject {
  return {
    measurement_type: point.measurement,
    value: point.value,
    ...(point.unit !== undefined && { unit: point.unit }),
    // STALE after a DEATH: the node no longer vouches for the value (§5).
    quality: stale ? 'uncertain' : (point.quality ?? 'good'),
    timestamp: iso(point.ts),
    age_ms: Math.max(0, now - point.ts),
    received_age_ms: Math.max(0, now - receivedAt),
  };
}

/** Current measurement values (not `Config/*`, not controls or properties) of the target. */
function readings(target: GenericTarget, wanted: readonly string[] | undefined): JsonObject[] {
  const catalog = catalogOf(target);
  const stale = target.device !== undefined ? !target.device.alive : !target.session.born;
  const out: JsonObject[] = [];
  for (const definition of catalog.definitions()) {
    if (!isMeasurementName(definition.name) || definition.name.startsWith(CONFIG_PREFIX) || !matches(definition.name, wanted)) continue;
    const current = catalog.current(definition.name);
    if (current !== undefined) out.push(reading(current.point, current.receivedAt, target.now, stale));
  }
  return out;
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

function configParam(method: string, params: JsonObject): JsonObject {
  const config = params['config'];
  if (config === null || typeof config !== 'object' || Array.isArray(config) || Object.keys(config).length === 0) {
    throw new CommandRefused('INVALID_PARAMS', `${method} needs a non-empty config object`, { issues: [{ path: '/config', message: 'must be a non-empty object' }] });
  }
  return config as JsonObject;
}

/** The control metric a method maps to, or a refusal naming the protocol and what the BIRTH would need. */
function control(target: GenericTarget, method: string, metric: string): string {
  if (catalogOf(target).byName(metric) !== undefined) return metric;
  throw new CommandRefused(
    'UNSUPPORTED_OPERATION',
    `${method} is not supported over Sparkplug by ${label(target)}: it needs a ${JSON.stringify(metric)} metric in the BIRTH, and the node announced none`,
    { protocol: 'sparkplug', needs: metric },
  );
}

function newestTimestamp(list: readonly JsonObject[], fallback: number): string {
  const newest = list.reduce((max, r) => Math.max(max, Date.parse(String(r['timestamp']))), 0);
  return iso(newest || fallback);
}

function read(target: GenericTarget, params: JsonObject): GenericPlan {
  const wanted = stringArray(params['measurement_types']);
  const list = readings(target, wanted === undefined || wanted.length === 0 ? undefined : wanted);
  if (list.length === 0) {
    const all = readings(target, undefined).map((r) => String(r['measurement_type']));
    if (wanted !== undefined && all.length > 0) {
      // As a native device answers: -32602 naming what the device does measure.
      throw new CommandRefused('INVALID_PARAMS', `No such measurement: ${wanted.join(', ')}`, { issues: [{ path: 'measurement_types', message: `this device reports ${all.join(', ')}` }] });
    }
    throw new CommandRefused('DEVICE_ERROR', `no value reported yet: ${label(target)} has sent no measurement since its BIRTH`);
  }
  // `stored`: these values are already in the hub's store (they came in as BIRTH / DATA).
  return { kind: 'answer', result: { sensor_id: target.hubId, timestamp: newestTimestamp(list, target.now), readings: list, source: 'host', stored: true } };
}

function readRaw(target: GenericTarget): GenericPlan {
  // Sparkplug carries engineering values; "raw" is each metric exactly as the node last reported it, typed by its BIRTH.
  const catalog = catalogOf(target);
  const raw: JsonObject = {};
  for (const definition of catalog.definitions()) {
    const current = catalog.current(definition.name);
    if (current !== undefined) raw[definition.name] = current.point.value;
  }
  return { kind: 'answer', result: { sensor_id: target.hubId, timestamp: iso(target.now), raw, source: 'host' } };
}

function health(target: GenericTarget): GenericPlan {
  const device = target.device;
  const alive = device === undefined ? target.session.born : device.alive;
  const list = readings(target, undefined);
  const bad = list.filter((r) => r['quality'] === 'bad').map((r) => String(r['measurement_type']));
  const config = configOf(catalogOf(target));
  const lastMessageAge = target.session.lastMessageAt === 0 ? null : Math.max(0, target.now - target.session.lastMessageAt);
  return {
    kind: 'answer',
    result: {
      sensor_id: target.hubId,
      timestamp: iso(target.now),
      readings: list,
      calibration: {},
      health: {
        status: !alive ? 'offline' : bad.length > 0 ? 'degraded' : 'ok',
        error_count: bad.length,
        last_error: null,
        diagnostics: {
          protocol: 'sparkplug',
          online: alive,
          metrics: alive ? 'live' : 'stale',
          stale_metrics: alive ? [] : list.map((r) => String(r['measurement_type'])),
          bad_quality: bad,
          last_message_age_ms: lastMessageAge,
          oldest_value_age_ms: list.reduce<number | null>((max, r) => Math.max(max ?? 0, Number(r['age_ms'])), null),
        },
      },
      configuration: config,
      ...(config['power_mode'] !== undefined && { power_mode: config['power_mode'] }),
    },
  };
}

function configure(target: GenericTarget, method: string, params: JsonObject): GenericPlan {
  const catalog = catalogOf(target);
  const config = configParam(method, params);
  const writes: JsonObject = {};
  for (const [key, value] of Object.entries(config)) writes[resolveConfigKey(catalog, key, label(target))] = value;
  const keys = Object.keys(config);
  if (method === 'sensor.configure') {
    return { kind: 'write', writes, shape: (outcome) => ({ sensor_id: target.hubId, config: configOf(catalog), ...outcome }) };
  }
  return { kind: 'write', writes, shape: (outcome) => ({ config: configOf(catalog), applied: outcome.confirmed, changed: keys, requires_reboot: false, ...outcome }) };
}

function status(target: GenericTarget): GenericPlan {
  const { session, now } = target;
  const metricCount = session.node.size + session.aliveDevices().reduce((n, d) => n + d.catalog.size, 0);
  return {
    kind: 'answer',
    result: {
      timestamp: iso(now),
      status: session.born ? 'online' : 'offline',
      sparkplug: {
        group_id: session.groupId,
        edge_node_id: session.edgeNodeId,
        online: session.born,
        bd_seq: session.bdSeq === undefined ? null : Number(session.bdSeq),
        // The seq of the last message processed (the window expects the one after it).
        seq: (session.window.expected + 255) % 256,
        birth_time: iso(session.birthTimestamp),
        births: session.births,
        metric_count: metricCount,
        last_message_age_ms: session.lastMessageAt === 0 ? null : Math.max(0, now - session.lastMessageAt),
        implicit_node: session.implicit,
      },
      connected_devices: session.aliveDevices().map((d) => ({ hardware_id: `${session.edgeNodeId}/${d.deviceId}`, sensor_id: d.uuid, device_id: d.deviceId })),
      last_error: null,
    },
  };
}

function getConfig(target: GenericTarget, params: JsonObject): GenericPlan {
  const config = configOf(target.session.node);
  const keys = stringArray(params['keys']);
  if (keys === undefined) return { kind: 'answer', result: { config } };
  // Like a native MCU: only the requested keys that exist (a key may also be given as its metric name).
  const picked: JsonObject = {};
  for (const key of keys) {
    const bare = key.startsWith(CONFIG_PREFIX) ? key.slice(CONFIG_PREFIX.length) : key;
    if (config[bare] !== undefined) picked[bare] = config[bare];
  }
  return { kind: 'answer', result: { config: picked } };
}

function reboot(target: GenericTarget, params: JsonObject): GenericPlan {
  const delay = params['delay_ms'];
  if (typeof delay === 'number' && delay > 0) {
    throw new CommandRefused('UNSUPPORTED_OPERATION', `mcu.reboot with delay_ms is not supported over Sparkplug: ${REBOOT_METRIC} has no delay; omit delay_ms or give 0`, {
      protocol: 'sparkplug',
      needs: 'delay_ms 0',
    });
  }
  return { kind: 'control', writes: { [control(target, 'mcu.reboot', REBOOT_METRIC)]: true }, result: { rebooting: true, delay_ms: 0, sent: true } };
}

function calibrate(target: GenericTarget, params: JsonObject): GenericPlan {
  const metric = control(target, 'sensor.calibrate', DEVICE_CALIBRATE_METRIC);
  const reference = params['reference'];
  const value = typeof reference === 'number' || typeof reference === 'string' ? reference : true;
  // A Boolean Calibrate metric is a trigger: it cannot carry a reference, and dropping it silently would lie.
  if (value !== true && catalogOf(target).byName(metric)?.datatype === DataType.Boolean) {
    throw new CommandRefused(
      'UNSUPPORTED_OPERATION',
      `sensor.calibrate with a reference is not possible over Sparkplug on ${label(target)}: ${JSON.stringify(metric)} is a Boolean trigger; the device would need a numeric or String calibrate metric to carry the reference; call it without reference`,
      { protocol: 'sparkplug', needs: `a numeric or String ${metric} metric` },
    );
  }
  return { kind: 'control', writes: { [metric]: value }, result: { sensor_id: target.hubId, calibration_status: 'requested', timestamp: iso(target.now), sent: true } };
}

/** How the channel carries a generic method; undefined for methods that are not generic. */
export function planGenericMethod(method: string, params: JsonObject, target: GenericTarget): GenericPlan | undefined {
  switch (method) {
    case 'sensor.read':
      return read(target, params);
    case 'sensor.read_raw':
      return readRaw(target);
    case 'sensor.health':
      return health(target);
    case 'sensor.configure':
    case 'mcu.set_config':
      return configure(target, method, params);
    case 'sensor.reset':
      return { kind: 'control', writes: { [control(target, method, DEVICE_RESET_METRIC)]: true }, result: { sensor_id: target.hubId, reset: true, sent: true } };
    case 'sensor.calibrate':
      return calibrate(target, params);
    case 'mcu.get_status':
      return status(target);
    case 'mcu.get_config':
      return getConfig(target, params);
    case 'mcu.reboot':
      return reboot(target, params);
    default:
      return undefined;
  }
}
