// LwM2M paths `/o[/i[/r[/ri]]]`: parse text into typed ids and format them back.
import { Lwm2mPathError } from './errors/lwm2m-path-error.ts';

/** Largest id a path segment can carry: ids are 16-bit (LwM2M Core TS 1.2 §7.4, Table 7.4-1). */
export const MAX_LWM2M_ID = 65535;

/**
 * A parsed LwM2M path. Each level needs the one above it: a resource instance id implies a resource
 * id, which implies an instance id (Transport TS 1.2 §6.4.4: anything else is 4.05 Method Not Allowed).
 */
export interface Lwm2mPath {
  readonly objectId: number;
  readonly instanceId?: number;
  readonly resourceId?: number;
  readonly resourceInstanceId?: number;
}

/** What a path addresses, from its depth. */
export type Lwm2mPathLevel = 'object' | 'instance' | 'resource' | 'resource-instance';

const SEGMENT_NAMES = ['object id', 'instance id', 'resource id', 'resource instance id'] as const;

/** Options for {@link parsePath}. */
export interface ParsePathOptions {
  /**
   * Called after the syntax checks with the parsed path; returns a reason to reject it (thrown as a
   * `Lwm2mPathError`), or undefined to accept. `ObjectModel.parsePath` uses it for `strict` mode.
   */
  readonly check?: (path: Lwm2mPath) => string | undefined;
}

/**
 * Parse `/3`, `/3/0`, `/3/0/1` or `/3/0/7/1` into a {@link Lwm2mPath}. Segments are decimal integers
 * 0..65535 without sign, leading zeros or white space; the path starts with `/` and has no trailing `/`.
 * @throws Lwm2mPathError naming the path and what is wrong with it.
 */
export function parsePath(text: string, options: ParsePathOptions = {}): Lwm2mPath {
  if (typeof text !== 'string') throw new Lwm2mPathError(String(text), 'not a string');
  if (!text.startsWith('/')) throw new Lwm2mPathError(text, 'must start with "/"');
  const segments = text.slice(1).split('/');
  if (segments.length > 4) {
    throw new Lwm2mPathError(text, `too many segments (${segments.length}); at most /object/instance/resource/resource-instance`);
  }
  const ids = segments.map((segment, index) => parseSegment(text, segment, index));
  const path = fromIds(ids);
  const problem = options.check?.(path);
  if (problem !== undefined) throw new Lwm2mPathError(text, problem);
  return path;
}

function parseSegment(text: string, segment: string, index: number): number {
  const name = SEGMENT_NAMES[index] ?? 'segment';
  if (segment === '') throw new Lwm2mPathError(text, `empty ${name}${index === 0 ? '' : ' (trailing or doubled "/")'}`);
  if (!/^\d+$/.test(segment)) throw new Lwm2mPathError(text, `${name} ${JSON.stringify(segment)} is not a decimal integer`);
  if (segment.length > 1 && segment.startsWith('0')) throw new Lwm2mPathError(text, `${name} ${JSON.stringify(segment)} has a leading zero`);
  const value = Number(segment);
  if (value > MAX_LWM2M_ID) throw new Lwm2mPathError(text, `${name} ${segment} is out of range 0..${MAX_LWM2M_ID}`);
  return value;
}

function fromIds(ids: readonly number[]): Lwm2mPath {
  const [objectId, instanceId, resourceId, resourceInstanceId] = ids as [number, number?, number?, number?];
  return {
    objectId,
    ...(instanceId === undefined ? {} : { instanceId }),
    ...(resourceId === undefined ? {} : { resourceId }),
    ...(resourceInstanceId === undefined ? {} : { resourceInstanceId }),
  };
}

/**
 * Format a path as text, e.g. `{ objectId: 3, instanceId: 0, resourceId: 1 }` → `/3/0/1`.
 * @throws Lwm2mPathError when an id is not an integer 0..65535, or a level is missing above a given one.
 */
export function formatPath(path: Lwm2mPath): string {
  const ids = [path.objectId, path.instanceId, path.resourceId, path.resourceInstanceId];
  let depth = ids.length;
  while (depth > 0 && ids[depth - 1] === undefined) depth -= 1;
  const present = ids.slice(0, depth);
  const text = `/${present.map((id) => (id === undefined ? '?' : String(id))).join('/')}`;
  present.forEach((id, index) => {
    const name = SEGMENT_NAMES[index] ?? 'segment';
    if (id === undefined) throw new Lwm2mPathError(text, `${name} missing above a deeper id`);
    if (!Number.isInteger(id) || id < 0 || id > MAX_LWM2M_ID) {
      throw new Lwm2mPathError(text, `${name} ${String(id)} is not an integer in 0..${MAX_LWM2M_ID}`);
    }
  });
  return text;
}

/** The level a path addresses. */
export function pathLevel(path: Lwm2mPath): Lwm2mPathLevel {
  if (path.resourceInstanceId !== undefined) return 'resource-instance';
  if (path.resourceId !== undefined) return 'resource';
  if (path.instanceId !== undefined) return 'instance';
  return 'object';
}
