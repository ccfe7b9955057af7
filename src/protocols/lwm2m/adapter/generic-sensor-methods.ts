/**
 * `sensor.*` generic methods on an IPSO object instance (an attached device of a LwM2M endpoint), with the
 * result shapes of the native protocol (docs/generic-methods.md, LwM2M section).
 */
import type { JsonObject } from '../../../core/device.ts';
import { errorObject } from '../../../core/errors.ts';
import type { TelemetryPoint } from '../../../core/telemetry.ts';
import { configResources, configValues, resolveConfigKeys } from './config-resources.ts';
import { jsonValue, type TypedEntry } from './content-values.ts';
import { GenericMethodFailure, type GenericContext, type IpsoInstance } from './generic-context.ts';

/** IPSO 5605 Reset Min and Max Measured Values (E). */
const RESET_MIN_MAX = 5605;
/** IPSO 5821 Current Calibration (RW Float), defined by e.g. 3323 Pressure. */
const CURRENT_CALIBRATION = 5821;
const MIN_RANGE = 5603;
const MAX_RANGE = 5604;
const SENSOR_VALUE = 5700;

const iso = (ms: number): string => new Date(ms).toISOString();

/** `sensor.read` → Read /o/i: `{sensor_id, timestamp, readings}`; 5700 as the measurement, 5601/5602 as min/max_measured_value. */
export async function sensorRead(ctx: GenericContext, ipso: IpsoInstance, params: JsonObject): Promise<JsonObject> {
  // The hub stores the readings of a sensor.read answer itself: not twice.
  const answer = await ctx.operation('read', { path: ipso.path }, { store: false });
  const ts = ctx.now();
  const all = ownPoints(ctx, ipso, answer.content, ts);
  const wanted = Array.isArray(params['measurement_types']) ? params['measurement_types'].filter((m): m is string => typeof m === 'string') : undefined;
  const points = wanted === undefined || wanted.length === 0 ? all : all.filter((p) => wanted.includes(p.measurement));
  if (points.length === 0) {
    throw new GenericMethodFailure(
      errorObject('INVALID_PARAMS', `No such measurement: ${(wanted ?? []).join(', ') || '(none answered)'} on ${ipso.path}`, {
        issues: [{ path: '/measurement_types', message: `${ipso.path} measures ${all.map((p) => p.measurement).join(', ') || 'nothing readable now'}` }],
      }),
    );
  }
  return { sensor_id: ipso.device.id, timestamp: iso(ts), readings: points.map(toReading) };
}

/** `sensor.read_raw` → Read /o/i: every resource value as the device sent it, keyed by path. */
export async function sensorReadRaw(ctx: GenericContext, ipso: IpsoInstance): Promise<JsonObject> {
  const answer = await ctx.operation('read', { path: ipso.path });
  const raw: JsonObject = {};
  for (const entry of answer.content) raw[entry.path] = jsonValue(entry.value);
  return { sensor_id: ipso.device.id, timestamp: iso(ctx.now()), raw, lwm2m: { path: ipso.path, code: answer.code } };
}

/** `sensor.configure {config}` → Write of the instance's writable resources, then Read: `{sensor_id, config}` now in force. */
export async function sensorConfigure(ctx: GenericContext, ipso: IpsoInstance, params: JsonObject): Promise<JsonObject> {
  const config = params['config'];
  if (typeof config !== 'object' || config === null || Array.isArray(config) || Object.keys(config).length === 0) {
    throw new GenericMethodFailure(errorObject('INVALID_PARAMS', 'Invalid params: config must name at least one key', { issues: [{ path: '/config', message: 'at least one key' }] }));
  }
  const available = configResources(ctx.model, [ipso]);
  const where = `${ipso.path} (${objectName(ctx, ipso)})`;
  const resources = resolveConfigKeys(available, Object.keys(config), where);
  const value: JsonObject = {};
  for (const [key, item] of Object.entries(config)) {
    const resource = resources.find((r) => r.key === key || String(r.resourceId) === key);
    if (resource !== undefined) value[String(resource.resourceId)] = item;
  }
  await ctx.operation('write', { path: ipso.path, value });
  const after = await ctx.operation('read', { path: ipso.path });
  return { sensor_id: ipso.device.id, config: configValues(available, valueMap(after.content)) };
}

/** `sensor.calibrate {reference}` → Write 5821 Current Calibration where the object defines it. */
export async function sensorCalibrate(ctx: GenericContext, ipso: IpsoInstance, params: JsonObject): Promise<JsonObject> {
  const resource = ctx.model.resource(ipso.objectId, CURRENT_CALIBRATION);
  if (resource === undefined || !resource.operations.includes('W')) {
    throw new GenericMethodFailure(
      errorObject(
        'UNSUPPORTED_OPERATION',
        `sensor.calibrate is not possible over LwM2M on ${ipso.path}: object ${ipso.objectId} ${objectName(ctx, ipso)} defines no calibration resource; ` +
          `the device would need to expose ${CURRENT_CALIBRATION} Current Calibration (as IPSO 3323 Pressure does) or a vendor calibration object`,
      ),
    );
  }
  const method = params['method'];
  if (method !== undefined && method !== 'current_calibration') {
    throw new GenericMethodFailure(
      errorObject('INVALID_PARAMS', `Invalid params: calibration method ${JSON.stringify(method)} on ${ipso.path}`, {
        issues: [{ path: '/method', message: 'LwM2M offers "current_calibration" (write 5821 Current Calibration)' }],
      }),
    );
  }
  const reference = params['reference'];
  if (typeof reference !== 'number' || !Number.isFinite(reference)) {
    throw new GenericMethodFailure(
      errorObject('INVALID_PARAMS', `Invalid params: calibration reference missing on ${ipso.path}`, {
        issues: [{ path: '/reference', message: `the number to write to ${ipso.path}/${CURRENT_CALIBRATION} Current Calibration` }],
      }),
    );
  }
  const path = `${ipso.path}/${CURRENT_CALIBRATION}`;
  await ctx.operation('write', { path, value: reference });
  const after = await ctx.operation('read', { path });
  const value = valueMap(after.content).get(path);
  return {
    sensor_id: ipso.device.id,
    calibration_status: 'calibrated',
    method: 'current_calibration',
    offsets: typeof value === 'number' ? { current_calibration: value } : {},
    timestamp: iso(ctx.now()),
  };
}

/** `sensor.reset` → Execute 5605 Reset Min and Max Measured Values, then Read: `{sensor_id, reset, config}`. */
export async function sensorReset(ctx: GenericContext, ipso: IpsoInstance): Promise<JsonObject> {
  if (ctx.model.resource(ipso.objectId, RESET_MIN_MAX)?.operations !== 'E') {
    throw new GenericMethodFailure(
      errorObject(
        'UNSUPPORTED_OPERATION',
        `sensor.reset is not possible over LwM2M on ${ipso.path}: object ${ipso.objectId} ${objectName(ctx, ipso)} defines no reset resource ` +
          `(${RESET_MIN_MAX} Reset Min and Max Measured Values); the device would need a vendor reset resource`,
      ),
    );
  }
  const path = `${ipso.path}/${RESET_MIN_MAX}`;
  const executed = await ctx.operation('execute', { path });
  const after = await ctx.operation('read', { path: ipso.path });
  const available = configResources(ctx.model, [ipso]);
  return {
    sensor_id: ipso.device.id,
    reset: true,
    // LwM2M resets the measured min/max only; writable settings stay as they are.
    resets: ['min_measured_value', 'max_measured_value'],
    config: configValues(available, valueMap(after.content)),
    lwm2m: { path, code: executed.code },
  };
}

/**
 * `sensor.health` → Read /o/i plus the registration state: a sensor-dynamic document (readings, health
 * with registration and range diagnostics, configuration; calibration where 5821 exists).
 */
export async function sensorHealth(ctx: GenericContext, ipso: IpsoInstance): Promise<JsonObject> {
  const answer = await ctx.operation('read', { path: ipso.path });
  const now = ctx.now();
  const timestamp = iso(now);
  const values = valueMap(answer.content);
  const at = (id: number): unknown => values.get(`${ipso.path}/${id}`);
  const value = at(SENSOR_VALUE);
  const min = at(MIN_RANGE);
  const max = at(MAX_RANGE);
  const readings = ownPoints(ctx, ipso, answer.content, now);
  const inRange = typeof value !== 'number' || ((typeof min !== 'number' || value >= min) && (typeof max !== 'number' || value <= max));
  const { registration } = ctx.session;
  const activity = ctx.activity;
  const ageS = (ms: number | undefined): number | null => (ms === undefined ? null : Math.max(0, Math.round((now - ms) / 1000)));
  const sinceUpdate = ageS(activity?.updatedAt);
  // No measurement answered: the sensor behind the instance gives nothing; out of its 5603/5604 range: degraded.
  const status = readings.length === 0 ? 'failed' : inRange ? 'ok' : 'degraded';
  const calibration = values.get(`${ipso.path}/${CURRENT_CALIBRATION}`);
  const available = configResources(ctx.model, [ipso]);
  return {
    sensor_id: ipso.device.id,
    timestamp,
    readings: readings.map((p) => ({ ...toReading(p), timestamp })),
    ...(typeof calibration === 'number' ? { calibration: { status: 'calibrated', method: 'current_calibration', offsets: { current_calibration: calibration } } } : {}),
    health: {
      status,
      error_count: 0,
      last_error: null,
      diagnostics: {
        lwm2m_path: ipso.path,
        registered: true,
        lifetime_s: registration.lifetimeS,
        queue_mode: registration.binding.queueMode,
        registered_age_s: ageS(activity?.registeredAt),
        last_update_age_s: sinceUpdate,
        lifetime_remaining_s: registration.lifetimeS === 0 || sinceUpdate === null ? null : registration.lifetimeS - sinceUpdate,
        value_in_range: inRange,
        range_min: typeof min === 'number' ? min : null,
        range_max: typeof max === 'number' ? max : null,
      },
    },
    configuration: configValues(available, values),
  };
}

function ownPoints(ctx: GenericContext, ipso: IpsoInstance, content: readonly TypedEntry[], ts: number): TelemetryPoint[] {
  return ctx.points(content, ts).filter((p) => p.deviceId === ipso.device.id);
}

function toReading(point: TelemetryPoint): JsonObject {
  return { measurement_type: point.measurement, value: point.value, ...(point.unit === undefined ? {} : { unit: point.unit }) };
}

function valueMap(content: readonly TypedEntry[]): Map<string, unknown> {
  return new Map(content.map((entry) => [entry.path, jsonValue(entry.value)]));
}

function objectName(ctx: GenericContext, ipso: IpsoInstance): string {
  return ctx.model.object(ipso.objectId)?.name ?? 'unknown object';
}
