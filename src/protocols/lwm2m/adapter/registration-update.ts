// Applies a registration Update (`lwm2m/{ep}/update`) to the current registration: new lifetime, binding, values.
import { checkJsonLimits } from '../../../core/json-limits.ts';
import { describeValue } from '../describe-value.ts';
import { Lwm2mRegistrationError } from '../errors/lwm2m-registration-error.ts';
import type { ObjectModel } from '../object-model.ts';
import { parseRegistration, type RegisteredInstance, type RegisteredObject, type Registration } from '../registration.ts';

/** The merged registration and what the update changed. */
export interface UpdateOutcome {
  readonly registration: Registration;
  /** The update listed objects or values (the devices and their schemas may need refreshing). */
  readonly objectsChanged: boolean;
  readonly lifetimeChanged: boolean;
  /** The objects and values the update itself carried (to store as telemetry). */
  readonly reported: readonly RegisteredObject[];
}

/**
 * Parse an Update message `{endpoint?, lifetime?, bindingMode?, queueMode?, objects?, objectLinks?}`
 * (Core TS 1.2 §6.2.2: every parameter optional) and merge it into `current`: lifetime and binding
 * replace the old ones; objects, instances and resource values are added or overwrite old values.
 * @throws Lwm2mRegistrationError, Lwm2mPathError or Lwm2mValueError as parseRegistration does.
 */
export function applyUpdate(payload: Buffer | string, current: Registration, model: ObjectModel): UpdateOutcome {
  let input: unknown;
  try {
    input = JSON.parse(typeof payload === 'string' ? payload : new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (error) {
    throw new Lwm2mRegistrationError('message', `not UTF-8 JSON (${(error as Error).message})`);
  }
  const issue = checkJsonLimits(input);
  if (issue) throw new Lwm2mRegistrationError('message', `${issue.message} at ${issue.path || '/'}`);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new Lwm2mRegistrationError('message', `expected a JSON object, received ${describeValue(input)}`);
  }
  const update = input as Record<string, unknown>;
  if (update['endpoint'] !== undefined && update['endpoint'] !== current.endpoint) {
    throw new Lwm2mRegistrationError('endpoint', `${describeValue(update['endpoint'])} does not match the registered endpoint ${JSON.stringify(current.endpoint)}`);
  }
  const hasObjects = update['objects'] !== undefined || update['objectLinks'] !== undefined;
  const parsed = parseRegistration(
    {
      endpoint: current.endpoint,
      version: current.version,
      lifetime: update['lifetime'] ?? current.lifetimeS,
      bindingMode: update['bindingMode'] ?? current.binding.raw,
      queueMode: update['queueMode'] ?? current.binding.queueMode,
      ...(update['objectLinks'] === undefined ? {} : { objectLinks: update['objectLinks'] }),
      objects: update['objects'] ?? {},
    },
    model,
  );
  const objects = hasObjects ? mergeObjects(current.objects, parsed.objects) : current.objects;
  return {
    registration: {
      ...current,
      lifetimeS: parsed.lifetimeS,
      binding: parsed.binding,
      contentFormats: parsed.contentFormats.length > 0 ? parsed.contentFormats : current.contentFormats,
      objects,
      unknownObjects: objects.filter((o) => !o.known).map((o) => o.objectId),
    },
    objectsChanged: hasObjects,
    lifetimeChanged: parsed.lifetimeS !== current.lifetimeS,
    reported: hasObjects ? parsed.objects : [],
  };
}

/** `current` with `added` merged in: objects and instances by id, resource values overwritten. */
export function mergeObjects(current: readonly RegisteredObject[], added: readonly RegisteredObject[]): RegisteredObject[] {
  const byId = new Map(current.map((object) => [object.objectId, object]));
  for (const object of added) {
    const old = byId.get(object.objectId);
    if (old === undefined) {
      byId.set(object.objectId, object);
      continue;
    }
    const instances = new Map<number, RegisteredInstance>(old.instances.map((i) => [i.instanceId, i]));
    for (const instance of object.instances) {
      const previous = instances.get(instance.instanceId);
      instances.set(instance.instanceId, { instanceId: instance.instanceId, resources: { ...previous?.resources, ...instance.resources } });
    }
    const version = object.version ?? old.version;
    byId.set(object.objectId, {
      objectId: object.objectId,
      known: object.known,
      name: object.name,
      ...(version === undefined ? {} : { version }),
      instances: [...instances.values()].sort((a, b) => a.instanceId - b.instanceId),
    });
  }
  return [...byId.values()].sort((a, b) => a.objectId - b.objectId);
}

/** `registration` without instance `/objectId/instanceId` (after a successful Delete). */
export function withoutInstance(registration: Registration, objectId: number, instanceId: number): Registration {
  const objects = registration.objects.map((object) =>
    object.objectId === objectId ? { ...object, instances: object.instances.filter((i) => i.instanceId !== instanceId) } : object,
  );
  return { ...registration, objects };
}
