// Types the `{path, value}` content a device answers with, using the object model, and renders it as JSON.
import { Lwm2mPathError } from '../errors/lwm2m-path-error.ts';
import { parsePath, type Lwm2mPath } from '../lwm2m-path.ts';
import type { ObjectModel } from '../object-model.ts';
import type { RegisteredObject } from '../registration.ts';
import { typedResourceValue, untypedResourceValue } from '../resource-values.ts';
import { convertResourceValue, type Lwm2mResourceValue, type Lwm2mValue } from '../value-conversion.ts';
import type { RawContentEntry } from './uplink-message.ts';

/** What a typed value looks like in JSON (results, telemetry, static schemas). */
export type JsonScalar = string | number | boolean;

/** One typed resource value, at resource (`/o/i/r`) or resource-instance (`/o/i/r/ri`) level. */
export interface TypedEntry {
  /** Canonical path text of this value. */
  readonly path: string;
  readonly objectId: number;
  readonly instanceId: number;
  readonly resourceId: number;
  readonly resourceInstanceId?: number;
  readonly value: Lwm2mValue;
}

/**
 * Check a path against the object model, or — for an object the model does not know — against the
 * objects the device registered (`customObjects`), whose values are kept untyped.
 * @throws Lwm2mPathError for a malformed path or an object neither knows.
 */
export function checkedPath(model: ObjectModel, path: string, customObjects: ReadonlySet<number>): Lwm2mPath {
  const parsed = parsePath(path);
  if (model.object(parsed.objectId) !== undefined) return model.parsePath(path, { strict: true });
  if (!customObjects.has(parsed.objectId)) throw new Lwm2mPathError(path, `unknown object ${parsed.objectId}`);
  return parsed;
}

/**
 * Type every entry with its resource's data type (LwM2M Core TS 1.2 App. C). A multiple-instance
 * resource given as an array or id map at resource level is split into its resource instances.
 * @throws Lwm2mPathError (bad or unknown path, or not a resource path); Lwm2mValueError (wrong type).
 */
export function typeContent(model: ObjectModel, entries: readonly RawContentEntry[], customObjects: ReadonlySet<number>): TypedEntry[] {
  const typed: TypedEntry[] = [];
  for (const entry of entries) {
    const path = checkedPath(model, entry.path, customObjects);
    if (path.instanceId === undefined || path.resourceId === undefined) {
      throw new Lwm2mPathError(entry.path, 'a content entry carries a resource value: /o/i/r or /o/i/r/ri');
    }
    const base = { objectId: path.objectId, instanceId: path.instanceId, resourceId: path.resourceId };
    const resourcePath = `/${base.objectId}/${base.instanceId}/${base.resourceId}`;
    const resource = model.resource(path.objectId, path.resourceId);
    if (path.resourceInstanceId !== undefined) {
      const value = resource === undefined ? untypedResourceValue(entry.value, entry.path) : convertResourceValue(resource, entry.value, entry.path);
      typed.push({ ...base, path: `${resourcePath}/${path.resourceInstanceId}`, resourceInstanceId: path.resourceInstanceId, value: single(value, entry.path) });
      continue;
    }
    const value: Lwm2mResourceValue = resource === undefined ? untypedResourceValue(entry.value, resourcePath) : typedResourceValue(resource, entry.value, resourcePath);
    if (value instanceof Map) {
      for (const [resourceInstanceId, item] of value) typed.push({ ...base, path: `${resourcePath}/${resourceInstanceId}`, resourceInstanceId, value: item });
    } else {
      typed.push({ ...base, path: resourcePath, value: value as Lwm2mValue });
    }
  }
  return typed;
}

function single(value: Lwm2mResourceValue, path: string): Lwm2mValue {
  if (value instanceof Map) throw new Lwm2mPathError(path, 'a resource instance holds one value');
  return value as Lwm2mValue;
}

/** JSON form of a typed value: bigint beyond ±2^53 as decimal text, Opaque as base64, Objlnk as "oid:iid". */
export function jsonValue(value: Lwm2mValue): JsonScalar {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object') return `${value.objectId}:${value.instanceId}`;
  return value;
}

/** JSON form of a registered resource value: a scalar, or resource instance id → scalar. */
export function jsonResourceValue(value: Lwm2mResourceValue): JsonScalar | Record<string, JsonScalar> {
  if (!(value instanceof Map)) return jsonValue(value as Lwm2mValue);
  const out: Record<string, JsonScalar> = {};
  for (const [id, item] of value as ReadonlyMap<number, Lwm2mValue>) out[String(id)] = jsonValue(item);
  return out;
}

/** `{path, value}` entries for a result, values in JSON form. */
export function contentToJson(entries: readonly TypedEntry[]): { path: string; value: JsonScalar }[] {
  return entries.map((entry) => ({ path: entry.path, value: jsonValue(entry.value) }));
}

/** Every resource value of a registration as typed entries (multiple-instance resources split). */
export function entriesFromObjects(objects: readonly RegisteredObject[]): TypedEntry[] {
  const entries: TypedEntry[] = [];
  for (const object of objects) {
    for (const instance of object.instances) {
      for (const [key, value] of Object.entries(instance.resources)) {
        const base = { objectId: object.objectId, instanceId: instance.instanceId, resourceId: Number(key) };
        const path = `/${base.objectId}/${base.instanceId}/${base.resourceId}`;
        if (value instanceof Map) {
          for (const [resourceInstanceId, item] of value as ReadonlyMap<number, Lwm2mValue>) entries.push({ ...base, path: `${path}/${resourceInstanceId}`, resourceInstanceId, value: item });
        } else {
          entries.push({ ...base, path, value: value as Lwm2mValue });
        }
      }
    }
  }
  return entries;
}

/** Typed entries regrouped as registered objects (to merge fresh values into a registration). */
export function objectsFromEntries(model: ObjectModel, entries: readonly TypedEntry[]): RegisteredObject[] {
  const objects = new Map<number, Map<number, Record<number, Lwm2mResourceValue>>>();
  for (const entry of entries) {
    const instances = objects.get(entry.objectId) ?? new Map<number, Record<number, Lwm2mResourceValue>>();
    objects.set(entry.objectId, instances);
    const resources = instances.get(entry.instanceId) ?? {};
    instances.set(entry.instanceId, resources);
    if (entry.resourceInstanceId === undefined) {
      resources[entry.resourceId] = entry.value;
    } else {
      const previous = resources[entry.resourceId];
      const map = new Map(previous instanceof Map ? (previous as ReadonlyMap<number, Lwm2mValue>) : []);
      map.set(entry.resourceInstanceId, entry.value);
      resources[entry.resourceId] = map;
    }
  }
  return [...objects.entries()].map(([objectId, instances]) => {
    const definition = model.object(objectId);
    return {
      objectId,
      known: definition !== undefined,
      name: definition?.name ?? null,
      instances: [...instances.entries()].map(([instanceId, resources]) => ({ instanceId, resources })),
    };
  });
}
