/**
 * The config-key → resource rule of the generic methods on LwM2M: a key is the snake_case registry name
 * of a writable resource (`application_type` → 5750 Application Type) or its decimal id (`"5750"`).
 * `sensor.configure` writes the IPSO instance's resources; `mcu.get_config` / `mcu.set_config` the
 * hub's LwM2M Server instance /1/x and the Device instance /3/0.
 */
import type { JsonObject } from '../../../core/device.ts';
import { errorObject, type RpcErrorObject } from '../../../core/errors.ts';
import type { ObjectModel } from '../object-model.ts';
import { snakeCase } from './telemetry-mapping.ts';

/** One config key resolved to the resource it writes. */
export interface ConfigResource {
  /** The canonical key: the resource's snake_case name. */
  readonly key: string;
  readonly objectId: number;
  readonly instanceId: number;
  readonly resourceId: number;
}

/** An object instance whose writable resources are config keys. */
export interface ConfigInstance {
  readonly objectId: number;
  readonly instanceId: number;
}

/** A refusal of config keys, as the wire error the command ends with. */
export class ConfigKeyError extends Error {
  readonly error: RpcErrorObject;

  constructor(error: RpcErrorObject) {
    super(error.message);
    this.name = 'ConfigKeyError';
    this.error = error;
  }
}

/** Every writable (W / RW), non-executable resource of the instances, as config keys. */
export function configResources(model: ObjectModel, instances: readonly ConfigInstance[]): ConfigResource[] {
  const out: ConfigResource[] = [];
  for (const { objectId, instanceId } of instances) {
    const definition = model.object(objectId);
    if (definition === undefined) continue;
    for (const resource of Object.values(definition.resources)) {
      if (!resource.operations.includes('W') || resource.type === 'none') continue;
      out.push({ key: snakeCase(resource.name), objectId, instanceId, resourceId: resource.id });
    }
  }
  return out;
}

/**
 * Resolve the keys of `config` (or of `keys`) to resources. Unknown keys are refused together:
 * INVALID_PARAMS naming each key, the writable keys listed in the message, `where` naming the target.
 */
export function resolveConfigKeys(available: readonly ConfigResource[], keys: readonly string[], where: string): ConfigResource[] {
  const unknown: string[] = [];
  const resolved: ConfigResource[] = [];
  for (const key of keys) {
    const match = available.find((r) => r.key === key || String(r.resourceId) === key);
    if (match === undefined) unknown.push(key);
    else if (!resolved.includes(match)) resolved.push(match);
  }
  if (unknown.length > 0) {
    const writable = available.map((r) => `${r.key} (/${r.objectId}/${r.instanceId}/${r.resourceId})`).join(', ') || 'none';
    throw new ConfigKeyError(
      errorObject('INVALID_PARAMS', `Invalid params: unknown config key ${unknown.map((k) => JSON.stringify(k)).join(', ')} for ${where} over LwM2M; writable keys: ${writable}`, {
        issues: unknown.map((key) => ({ path: `/config/${key}`, message: `no writable LwM2M resource named ${key} on ${where}` })),
      }),
    );
  }
  return resolved;
}

/** `{key: value}` of the resources among `values` (a `path → value` map of a Read answer). */
export function configValues(resources: readonly ConfigResource[], values: ReadonlyMap<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const r of resources) {
    const value = values.get(`/${r.objectId}/${r.instanceId}/${r.resourceId}`);
    if (value !== undefined) out[r.key] = value;
  }
  return out;
}
