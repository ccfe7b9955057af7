// Parses and validates a LwM2M registration as devices publish it over MQTT (JSON, CoRE link list).
import { checkJsonLimits } from '../../core/json-limits.ts';
import { parseBindingMode, DEFAULT_BINDING, type BindingMode } from './binding-mode.ts';
import { parseCoreLinks } from './core-link.ts';
import { describeValue } from './describe-value.ts';
import { Lwm2mPathError } from './errors/lwm2m-path-error.ts';
import { Lwm2mRegistrationError } from './errors/lwm2m-registration-error.ts';
import { parsePath } from './lwm2m-path.ts';
import { ObjectModel } from './object-model.ts';
import { childPath, typedResourceValue, untypedResourceValue } from './resource-values.ts';
import type { Lwm2mResourceValue } from './value-conversion.ts';

export { deviceInfoFromObject3, type DeviceInfo } from './device-info.ts';
export { sensorsFromRegistration, type SensorReading } from './ipso-sensors.ts';

/** LwM2M enabler versions the hub accepts in `version` (Core TS 1.2 §6.2.1: others get 4.12). */
export const SUPPORTED_LWM2M_VERSIONS = ['1.0', '1.1', '1.2'] as const;
/** Lifetime when the registration gives none (Core TS 1.2 Table 6.2.1-1). */
export const DEFAULT_LIFETIME_S = 86_400;
// A Register object list MUST NOT name /0 Security, /21 OSCORE or /23 COSE (Core TS 1.2 §6.2.1).
const FORBIDDEN_OBJECTS: ReadonlyMap<number, string> = new Map([
  [0, 'Security'],
  [21, 'OSCORE'],
  [23, 'COSE'],
]);
const MAX_LIFETIME_S = 2 ** 32 - 1;

/** One registered object instance and the resource values the device reported for it. */
export interface RegisteredInstance {
  readonly instanceId: number;
  /** Typed values by resource id; multiple-instance resources map resource instance id → value. */
  readonly resources: Readonly<Record<number, Lwm2mResourceValue>>;
}

/** One registered object. */
export interface RegisteredObject {
  readonly objectId: number;
  /** False when the object model does not define this object: its values are kept untyped. */
  readonly known: boolean;
  /** Object name from the model; null for an unknown object. */
  readonly name: string | null;
  /** Object version the device announced with `ver` (Core TS 1.2 §7.2.1), when it did. */
  readonly version?: string;
  readonly instances: readonly RegisteredInstance[];
}

/** A validated registration (Core TS 1.2 §6.2.1 Register parameters). */
export interface Registration {
  /** Endpoint Client Name `ep`. */
  readonly endpoint: string;
  /** Lifetime `lt` in seconds; 0 = no expiry. */
  readonly lifetimeS: number;
  /** LwM2M enabler version `lwm2m`, as major.minor. */
  readonly version: string;
  readonly binding: BindingMode;
  /** Content formats the client advertised on the root link `</>;ct=…` (Core TS 1.2 §6.2.1). */
  readonly contentFormats: readonly number[];
  /** Every object, ascending by id, known or not. */
  readonly objects: readonly RegisteredObject[];
  /** Ids of objects the model does not know; they are in `objects` too, with `known: false`. */
  readonly unknownObjects: readonly number[];
}

interface ObjectDraft {
  version?: string;
  readonly instances: Map<number, Record<number, Lwm2mResourceValue>>;
}

/**
 * Parse and validate a registration. Accepts the JSON object (or its text or UTF-8 bytes) that devices
 * publish on `lwm2m/{endpoint}/reg`:
 * `{ endpoint, lifetime?, version, bindingMode?, queueMode?, objects?, objectLinks? }`, where
 * `objects` maps object id → instance id → resource id → value, and `objectLinks` is the Register
 * payload in CoRE Link Format (`</1/0>,</3/0>,</3303/0>`). At least one of the two is required; they
 * are merged when both are present. Unknown fields are ignored.
 * Values of known objects are converted to their resource types; unknown objects are kept and flagged.
 * @throws Lwm2mRegistrationError for a bad envelope, Lwm2mPathError for a bad or unknown object,
 *   instance or resource id, Lwm2mValueError (with the path) for a wrongly typed value.
 */
export function parseRegistration(message: unknown, model: ObjectModel = new ObjectModel()): Registration {
  const input = asObject(decode(message), 'message');
  const endpoint = parseEndpoint(input['endpoint']);
  const lifetimeS = parseLifetime(input['lifetime']);
  const version = parseVersion(input['version']);
  const queueParameter = input['queueMode'];
  if (queueParameter !== undefined && typeof queueParameter !== 'boolean') {
    throw new Lwm2mRegistrationError('queueMode', `expected a boolean, received ${describeValue(queueParameter)}`);
  }
  const bindingText = input['bindingMode'] ?? DEFAULT_BINDING;
  if (typeof bindingText !== 'string') {
    throw new Lwm2mRegistrationError('bindingMode', `expected a string such as "U" or "UQ", received ${describeValue(bindingText)}`);
  }
  const binding = parseBindingMode(bindingText, queueParameter === true);
  if (input['objects'] === undefined && input['objectLinks'] === undefined) {
    throw new Lwm2mRegistrationError('objects', 'missing: a registration lists its objects (Core TS §6.2.1)');
  }
  const drafts = new Map<number, ObjectDraft>();
  const contentFormats = input['objectLinks'] === undefined ? [] : readObjectLinks(input['objectLinks'], drafts);
  if (input['objects'] !== undefined) readObjectValues(asObject(input['objects'], 'objects'), drafts, model);
  const objects = [...drafts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([objectId, draft]) => finishObject(objectId, draft, model));
  return {
    endpoint,
    lifetimeS,
    version,
    binding,
    contentFormats,
    objects,
    unknownObjects: objects.filter((o) => !o.known).map((o) => o.objectId),
  };
}

function decode(message: unknown): unknown {
  if (typeof message !== 'string' && !(message instanceof Uint8Array)) return message;
  let parsed: unknown;
  try {
    const text = typeof message === 'string' ? message : new TextDecoder('utf-8', { fatal: true }).decode(message);
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new Lwm2mRegistrationError('message', `not UTF-8 JSON (${(error as Error).message})`);
  }
  const issue = checkJsonLimits(parsed);
  if (issue) throw new Lwm2mRegistrationError('message', `${issue.message} at ${issue.path || '/'}`);
  return parsed;
}

function asObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new Lwm2mRegistrationError(field, `expected a JSON object, received ${describeValue(value)}`);
  }
  return value as Record<string, unknown>;
}

function parseEndpoint(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Lwm2mRegistrationError('endpoint', `expected a non-empty endpoint client name, received ${describeValue(value)}`);
  }
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Lwm2mRegistrationError('endpoint', 'contains control characters');
  return value;
}

function parseLifetime(value: unknown): number {
  if (value === undefined) return DEFAULT_LIFETIME_S;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_LIFETIME_S) {
    throw new Lwm2mRegistrationError('lifetime', `expected whole seconds in 0..${MAX_LIFETIME_S}, received ${describeValue(value)}`);
  }
  return value;
}

function parseVersion(value: unknown): string {
  const match = typeof value === 'string' ? /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(value) : null;
  const version = match === null ? undefined : `${Number(match[1])}.${Number(match[2])}`;
  if (version === undefined || !(SUPPORTED_LWM2M_VERSIONS as readonly string[]).includes(version)) {
    throw new Lwm2mRegistrationError(
      'version',
      `unsupported LwM2M version ${value === undefined ? '(missing)' : describeValue(value)}; supported ${SUPPORTED_LWM2M_VERSIONS.join(', ')}`,
    );
  }
  return version;
}

// Register payload links (Core TS 1.2 §6.2.1): `</>;ct=…` root, an optional alternate path
// `</x>;rt="oma.lwm2m"` (Transport TS §6.4.1), then `</o>` or `</o/i>` links with optional `ver`.
function readObjectLinks(value: unknown, drafts: Map<number, ObjectDraft>): number[] {
  const text = Array.isArray(value) && value.every((v) => typeof v === 'string') ? value.join(',') : value;
  if (typeof text !== 'string') {
    throw new Lwm2mRegistrationError('objectLinks', `expected CoRE Link Format text such as "</1/0>,</3/0>", received ${describeValue(value)}`);
  }
  const links = parseCoreLinks(text);
  const contentFormats: number[] = [];
  const alternate = links.find((link) => link.params['rt'] === 'oma.lwm2m')?.target.replace(/\/$/, '');
  for (const link of links) {
    if (link.params['rt'] === 'oma.lwm2m') continue;
    let target = link.target;
    if (alternate !== undefined && alternate !== '' && target.startsWith(`${alternate}/`)) target = target.slice(alternate.length);
    if (target === '/' || target === '') {
      const ct = link.params['ct'];
      if (typeof ct === 'string') contentFormats.push(...parseContentFormats(ct));
      continue;
    }
    const path = parsePath(target);
    if (path.resourceId !== undefined) {
      throw new Lwm2mRegistrationError('objectLinks', `link <${link.target}> names a resource; the object list holds objects and object instances only`);
    }
    const draft = draftFor(drafts, path.objectId);
    const ver = link.params['ver'];
    if (typeof ver === 'string') draft.version = ver;
    if (path.instanceId !== undefined && !draft.instances.has(path.instanceId)) draft.instances.set(path.instanceId, {});
  }
  return contentFormats;
}

function parseContentFormats(ct: string): number[] {
  return ct
    .split(/\s+/)
    .filter((part) => part !== '')
    .map((part) => {
      if (!/^\d+$/.test(part) || Number(part) > 65535) throw new Lwm2mRegistrationError('objectLinks', `bad content format ${JSON.stringify(part)} in ct`);
      return Number(part);
    });
}

function draftFor(drafts: Map<number, ObjectDraft>, objectId: number): ObjectDraft {
  const name = FORBIDDEN_OBJECTS.get(objectId);
  if (name !== undefined) {
    throw new Lwm2mRegistrationError(`objects.${objectId}`, `/${objectId} ${name} must not be listed in a registration (Core TS §6.2.1)`);
  }
  let draft = drafts.get(objectId);
  if (draft === undefined) {
    draft = { instances: new Map() };
    drafts.set(objectId, draft);
  }
  return draft;
}

// `objects`: object id → instance id → resource id → value (the seed's form).
function readObjectValues(objects: Record<string, unknown>, drafts: Map<number, ObjectDraft>, model: ObjectModel): void {
  for (const [objectKey, instances] of Object.entries(objects)) {
    const objectPath = childPath('', objectKey);
    const objectId = parsePath(objectPath).objectId;
    const draft = draftFor(drafts, objectId);
    for (const [instanceKey, resources] of Object.entries(asObject(instances, `objects.${objectKey}`))) {
      const instancePath = childPath(objectPath, instanceKey);
      const instanceId = parsePath(instancePath).instanceId as number;
      const values = draft.instances.get(instanceId) ?? {};
      draft.instances.set(instanceId, values);
      for (const [resourceKey, value] of Object.entries(asObject(resources, `objects.${objectKey}.${instanceKey}`))) {
        const resourcePath = childPath(instancePath, resourceKey);
        const resourceId = parsePath(resourcePath).resourceId as number;
        if (model.object(objectId) === undefined) {
          values[resourceId] = untypedResourceValue(value, resourcePath);
          continue;
        }
        const resource = model.resource(objectId, resourceId);
        if (resource === undefined) {
          throw new Lwm2mPathError(resourcePath, `object ${objectId} ${model.object(objectId)?.name ?? ''} has no resource ${resourceId}`);
        }
        values[resourceId] = typedResourceValue(resource, value, resourcePath);
      }
    }
  }
}

function finishObject(objectId: number, draft: ObjectDraft, model: ObjectModel): RegisteredObject {
  const definition = model.object(objectId);
  if (definition !== undefined && !definition.multipleInstances) {
    // A single-instance object has exactly one instance, with id 0 (Core TS 1.2 App. D.1).
    for (const instanceId of draft.instances.keys()) {
      if (instanceId !== 0) {
        throw new Lwm2mPathError(`/${objectId}/${instanceId}`, `object ${objectId} ${definition.name} is single-instance: its only instance is 0`);
      }
    }
  }
  const instances = [...draft.instances.entries()]
    .sort(([a], [b]) => a - b)
    .map(([instanceId, resources]) => ({ instanceId, resources }));
  return {
    objectId,
    known: definition !== undefined,
    name: definition?.name ?? null,
    ...(draft.version === undefined ? {} : { version: draft.version }),
    instances,
  };
}
