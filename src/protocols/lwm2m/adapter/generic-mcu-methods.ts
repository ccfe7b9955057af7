/**
 * `mcu.*` generic methods on a LwM2M endpoint: status from /3/0, configuration from the hub's Server
 * instance /1/x and /3/0, reboot by Execute /3/0/4 (docs/generic-methods.md, LwM2M section).
 */
import type { JsonObject } from '../../../core/device.ts';
import { errorObject } from '../../../core/errors.ts';
import { ipsoModel } from '../application-type.ts';
import { IPSO_MEASUREMENTS } from '../ipso-sensors.ts';
import type { ObjectModel } from '../object-model.ts';
import type { Registration } from '../registration.ts';
import { DEVICE_PATH, REBOOT_PATH } from './command-operations.ts';
import { configResources, configValues, resolveConfigKeys, type ConfigInstance, type ConfigResource } from './config-resources.ts';
import { jsonValue, type TypedEntry } from './content-values.ts';
import { ipsoHardwareId, registrationLocation } from './device-mapping.ts';
import { GenericMethodFailure, type GenericContext } from './generic-context.ts';

const SERVER_OBJECT = 1;
const DEVICE_OBJECT = 3;

const applicationType = (resources: Readonly<Record<number, unknown>>): string | undefined => {
  const text = Object.hasOwn(resources, 5750) ? resources[5750] : undefined;
  return typeof text === 'string' ? text : undefined;
};

const iso = (ms: number): string => new Date(ms).toISOString();

/** `mcu.get_status` → Read /3/0: the mcu-dynamic document, with the registration and the IPSO devices attached. */
export async function mcuGetStatus(ctx: GenericContext): Promise<JsonObject> {
  const answer = await ctx.operation('read', { path: DEVICE_PATH });
  const body = ctx.status(answer.content, answer);
  const now = ctx.now();
  const { registration, endpoint } = ctx.session;
  const activity = ctx.activity;
  const lwm2m = typeof body['lwm2m'] === 'object' && body['lwm2m'] !== null ? (body['lwm2m'] as JsonObject) : {};
  const connected: JsonObject[] = [];
  for (const object of registration.objects) {
    if (!IPSO_MEASUREMENTS.has(object.objectId)) continue;
    for (const instance of object.instances) {
      const hardwareId = ipsoHardwareId(endpoint, object.objectId, instance.instanceId);
      connected.push({ hardware_id: hardwareId, sensor_id: ctx.attachedId(object.objectId, instance.instanceId) ?? null, bus: 'lwm2m', address: `/${object.objectId}/${instance.instanceId}`, model: ipsoModel(object.name ?? String(object.objectId), applicationType(instance.resources)) });
    }
  }
  return {
    timestamp: iso(now),
    status: 'online',
    ...body,
    connected_devices: connected,
    lwm2m: {
      ...lwm2m,
      registration: {
        endpoint,
        location: registrationLocation(endpoint),
        version: registration.version,
        binding: registration.binding.raw,
        queue_mode: registration.binding.queueMode,
        lifetime_s: registration.lifetimeS,
        ...(activity === undefined ? {} : { registered_at: iso(activity.registeredAt), last_update_at: iso(activity.updatedAt), last_update_age_s: Math.max(0, Math.round((now - activity.updatedAt) / 1000)) }),
      },
    },
  };
}

/** `mcu.get_config {keys?}` → Read /1/x and /3/0: `{config}` by writable resource name. */
export async function mcuGetConfig(ctx: GenericContext, params: JsonObject): Promise<JsonObject> {
  const available = mcuConfigResources(ctx);
  const keys = Array.isArray(params['keys']) ? params['keys'].filter((k): k is string => typeof k === 'string') : undefined;
  const wanted = keys === undefined ? available : resolveConfigKeys(available, keys, mcuWhere(ctx));
  const values = await readInstances(ctx, instancesOf(wanted));
  return { config: configValues(wanted, values) };
}

/** `mcu.set_config {config}` → Write /1/x and / or /3/0, then Read: `{config, applied, changed, requires_reboot}`. */
export async function mcuSetConfig(ctx: GenericContext, params: JsonObject): Promise<JsonObject> {
  const config = params['config'];
  if (typeof config !== 'object' || config === null || Array.isArray(config) || Object.keys(config).length === 0) {
    throw new GenericMethodFailure(errorObject('INVALID_PARAMS', 'Invalid params: config must name at least one key', { issues: [{ path: '/config', message: 'at least one key' }] }));
  }
  const available = mcuConfigResources(ctx);
  const resources = resolveConfigKeys(available, Object.keys(config), mcuWhere(ctx));
  const before = configValues(available, await readInstances(ctx, instancesOf(available)));
  for (const instance of instancesOf(resources)) {
    const value: JsonObject = {};
    for (const [key, item] of Object.entries(config)) {
      const resource = resources.find((r) => (r.key === key || String(r.resourceId) === key) && r.objectId === instance.objectId);
      if (resource !== undefined) value[String(resource.resourceId)] = item;
    }
    await ctx.operation('write', { path: `/${instance.objectId}/${instance.instanceId}`, value });
  }
  const after = configValues(available, await readInstances(ctx, instancesOf(available)));
  // Only the keys written: a clock resource (/3/0/13 Current Time) moves on its own between the reads.
  const written = new Set(resources.map((r) => r.key));
  const changed = Object.keys(after).filter((key) => written.has(key) && JSON.stringify(after[key]) !== JSON.stringify(before[key]));
  return { config: after, applied: true, changed, requires_reboot: false };
}

/** `mcu.reboot` → Execute /3/0/4, which takes no delay (Core TS 1.2 App. E.4). */
export async function mcuReboot(ctx: GenericContext, params: JsonObject): Promise<JsonObject> {
  const delay = params['delay_ms'];
  if (typeof delay === 'number' && delay > 0) {
    throw new GenericMethodFailure(
      errorObject(
        'UNSUPPORTED_OPERATION',
        `mcu.reboot with delay_ms is not possible over LwM2M: Execute ${REBOOT_PATH} Reboot reboots at once and carries no delay; call it without delay_ms at the time wanted`,
      ),
    );
  }
  const answer = await ctx.operation('execute', { path: REBOOT_PATH });
  return { rebooting: true, delay_ms: 0, path: REBOOT_PATH, code: answer.code, code_msg: answer.codeMsg };
}

/** The hub's Server instance (the first /1 instance registered, else /1/0) and /3/0. */
function mcuConfigResources(ctx: GenericContext): ConfigResource[] {
  return endpointConfigResources(ctx.model, ctx.session.registration);
}

/** The endpoint's config keys: the writable resources of the hub's LwM2M Server instance /1/x and of /3/0. */
export function endpointConfigResources(model: ObjectModel, registration: Registration): ConfigResource[] {
  const server = registration.objects.find((o) => o.objectId === SERVER_OBJECT)?.instances[0]?.instanceId ?? 0;
  return configResources(model, [
    { objectId: SERVER_OBJECT, instanceId: server },
    { objectId: DEVICE_OBJECT, instanceId: 0 },
  ]);
}

function mcuWhere(ctx: GenericContext): string {
  return `LwM2M endpoint ${ctx.session.endpoint} (/1 LwM2M Server, /3 Device)`;
}

function instancesOf(resources: readonly ConfigResource[]): ConfigInstance[] {
  const out: ConfigInstance[] = [];
  for (const r of resources) if (!out.some((i) => i.objectId === r.objectId && i.instanceId === r.instanceId)) out.push({ objectId: r.objectId, instanceId: r.instanceId });
  return out;
}

async function readInstances(ctx: GenericContext, instances: readonly ConfigInstance[]): Promise<Map<string, unknown>> {
  const values = new Map<string, unknown>();
  for (const instance of instances) {
    const answer = await ctx.operation('read', { path: `/${instance.objectId}/${instance.instanceId}` });
    for (const entry of answer.content as readonly TypedEntry[]) values.set(entry.path, jsonValue(entry.value));
  }
  return values;
}
