// Converts one registered resource value — single, or per resource instance — to its typed form.
import { Lwm2mPathError } from './errors/lwm2m-path-error.ts';
import { Lwm2mValueError } from './errors/lwm2m-value-error.ts';
import { parsePath } from './lwm2m-path.ts';
import type { ResourceDefinition } from './objects/object-definition.ts';
import { convertResourceValue, type Lwm2mResourceValue, type Lwm2mValue } from './value-conversion.ts';

/** `parent/key` for a JSON map key; throws Lwm2mPathError when the key could not be one path segment. */
export function childPath(parent: string, key: string): string {
  const path = `${parent}/${key}`;
  if (key === '' || key.includes('/')) throw new Lwm2mPathError(path, `id ${JSON.stringify(key)} is not a decimal integer`);
  return path;
}

/**
 * Convert a reported value of a known resource: a single value, or for a multiple-instance resource
 * an array / id-keyed object of values (a lone value is taken as resource instance 0).
 * @throws Lwm2mValueError with the value's path; Lwm2mPathError for a bad resource instance id.
 */
export function typedResourceValue(resource: ResourceDefinition, value: unknown, path: string): Lwm2mResourceValue {
  if (!resource.multipleInstances) return convertResourceValue(resource, value, path);
  const entries = instanceEntries(value);
  if (entries === undefined) return new Map([[0, convertResourceValue(resource, value, `${path}/0`)]]);
  const result = new Map<number, Lwm2mValue>();
  for (const [key, item] of entries) {
    const itemPath = childPath(path, key);
    result.set(parsePath(itemPath).resourceInstanceId as number, convertResourceValue(resource, item, itemPath));
  }
  return result;
}

// A multiple-instance resource value as [resource instance id, value] pairs: a JSON array (index = id)
// or an object whose keys are all decimal ids. Anything else is a single value for instance 0.
function instanceEntries(value: unknown): [string, unknown][] | undefined {
  if (Array.isArray(value)) return value.map((item, index) => [String(index), item]);
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    const entries = Object.entries(value);
    if (entries.length > 0 && entries.every(([key]) => /^\d+$/.test(key))) return entries;
  }
  return undefined;
}

/**
 * Keep a value of an object the model does not define: JSON scalars, or lists / id-keyed maps of them.
 * @throws Lwm2mValueError for null, nested objects and other non-scalars.
 */
export function untypedResourceValue(value: unknown, path: string): Lwm2mResourceValue {
  const scalar = (item: unknown, at: string): Lwm2mValue => {
    if (typeof item === 'string' || typeof item === 'boolean' || (typeof item === 'number' && Number.isFinite(item))) return item;
    throw new Lwm2mValueError(at, 'a JSON string, number or boolean (unknown object: kept untyped)', item);
  };
  const entries = instanceEntries(value);
  if (entries === undefined) return scalar(value, path);
  const result = new Map<number, Lwm2mValue>();
  for (const [key, item] of entries) {
    const itemPath = childPath(path, key);
    result.set(parsePath(itemPath).resourceInstanceId as number, scalar(item, itemPath));
  }
  return result;
}
