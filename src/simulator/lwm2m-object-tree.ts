/** The object instances of a simulated LwM2M client, with read/write/execute/create/delete/discover checked against the object model. */
import { Lwm2mOperationError, type Lwm2mOperation } from '../protocols/lwm2m/errors/lwm2m-operation-error.ts';
import { Lwm2mPathError } from '../protocols/lwm2m/errors/lwm2m-path-error.ts';
import { Lwm2mValueError } from '../protocols/lwm2m/errors/lwm2m-value-error.ts';
import { formatPath, parsePath, type Lwm2mPath } from '../protocols/lwm2m/lwm2m-path.ts';
import { ObjectModel } from '../protocols/lwm2m/object-model.ts';
import type { Lwm2mValue } from '../protocols/lwm2m/value-conversion.ts';
import { Lwm2mReplyError } from './lwm2m-reply-error.ts';

/** A resource value as it travels in the JSON messages. */
export type Lwm2mJson = string | number | boolean;
/** A resource's value; multiple-instance resources are arrays indexed by resource instance id. */
export type ResourceJson = Lwm2mJson | readonly Lwm2mJson[];

/** One resource of an instance. Which operations it allows comes from the object model, not from here. */
export interface ResourceSlot {
  /** Live value (sensor reading, free memory); wins over `value`. */
  readonly get?: () => ResourceJson;
  /** Stored value, replaced by writes unless `set` is given. */
  value?: ResourceJson;
  /** Takes a write instead of storing it, the value already typed; may throw Lwm2mReplyError. */
  readonly set?: (value: Lwm2mValue) => void;
  readonly execute?: (args: string) => void;
}

/** One `{path, value}` of a response's `content`. */
export interface ContentItem {
  readonly path: string;
  readonly value: Lwm2mJson;
}

/** Registration / update `objects`: object id → instance id → resource id → value. */
export type ObjectsSnapshot = Record<string, Record<string, Record<string, ResourceJson>>>;

interface Instance {
  readonly slots: Map<number, ResourceSlot>;
  readonly deletable: boolean;
}

/** Typed model value → its JSON form: bigints beyond 2^53 as text, Opaque as base64, Objlnk as `o:i`. */
export function toJson(value: Lwm2mValue): Lwm2mJson {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object') return `${value.objectId}:${value.instanceId}`;
  return value;
}

/** The client's data model. Every refusal is a Lwm2mReplyError: 4.00 bad path or value, 4.04 absent, 4.05 forbidden. */
export class Lwm2mObjectTree {
  readonly model: ObjectModel;
  readonly #objects = new Map<number, Map<number, Instance>>();

  constructor(model: ObjectModel = new ObjectModel()) {
    this.model = model;
  }

  addInstance(objectId: number, instanceId: number, slots: Readonly<Record<number, ResourceSlot>>, deletable = false): void {
    const instances = this.#objects.get(objectId) ?? new Map<number, Instance>();
    this.#objects.set(objectId, instances);
    instances.set(instanceId, { slots: new Map(Object.entries(slots).map(([id, slot]) => [Number(id), slot])), deletable });
  }

  instanceIds(objectId: number): number[] {
    return [...(this.#objects.get(objectId)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** Throws 4.00 unless `text` is a path, 4.04 unless it names something here. */
  assertExists(text: string): void {
    this.#locate(text);
  }

  /** Every readable value at or under `path` (Core TS 1.2 §6.3.1 Read). */
  read(text: string): ContentItem[] {
    const path = this.#locate(text);
    this.#allow(path, 'read');
    const items: ContentItem[] = [];
    for (const [objectId, instanceId, resourceId, slot] of this.#slotsUnder(path)) {
      if (path.resourceId === undefined && !this.#readable(objectId, resourceId)) continue;
      const value = slot.get?.() ?? slot.value;
      if (value === undefined) continue;
      const base = `/${objectId}/${instanceId}/${resourceId}`;
      if (!Array.isArray(value)) items.push({ path: base, value: value as Lwm2mJson });
      else if (path.resourceInstanceId === undefined) value.forEach((item: Lwm2mJson, i: number) => items.push({ path: `${base}/${i}`, value: item }));
      else if (value[path.resourceInstanceId] !== undefined) items.push({ path: text, value: value[path.resourceInstanceId] as Lwm2mJson });
      else throw new Lwm2mReplyError('not_found', `No resource instance ${text}`);
    }
    return items;
  }

  /** Write one resource or resource instance (Core TS 1.2 §6.3.3). */
  write(text: string, value: unknown): void {
    this.writeMany([{ path: text, value }]);
  }

  /** Validate every value first, then apply them all: a write with one bad value changes nothing. */
  writeMany(items: readonly { readonly path: string; readonly value: unknown }[]): void {
    const apply = items.map(({ path: text, value }) => {
      const path = this.#locate(text);
      if (path.resourceId === undefined) throw new Lwm2mReplyError('bad_request', `Write a resource, not ${text}: give basePath and content`);
      this.#allow(path, 'write');
      const slot = this.#slot(path);
      const at = { instanceId: path.instanceId as number, ...(path.resourceInstanceId === undefined ? {} : { resourceInstanceId: path.resourceInstanceId }) };
      const typed = this.#convert(path.objectId, path.resourceId, value, at);
      return (): void => {
        if (slot.set !== undefined) return slot.set(typed);
        const current = slot.value;
        if (path.resourceInstanceId !== undefined && Array.isArray(current)) {
          const next = [...(current as Lwm2mJson[])];
          next[path.resourceInstanceId] = toJson(typed);
          slot.value = next;
        } else slot.value = toJson(typed);
      };
    });
    for (const change of apply) change();
  }

  /** Execute an E resource (Core TS 1.2 §6.3.5). */
  execute(text: string, args: string): void {
    const path = this.#locate(text);
    this.#allow(path, 'execute');
    const run = this.#slot(path).execute;
    if (run === undefined) throw new Lwm2mReplyError('method_not_allowed', `${text} cannot be executed`);
    run(args);
  }

  /** Create an instance of a multiple-instance object (Core TS 1.2 §6.3.6); returns its path. */
  create(basePath: string, content: readonly { readonly path: string; readonly value: unknown }[]): string {
    const base = this.#parse(basePath);
    const definition = this.model.object(base.objectId);
    if (definition === undefined || !this.#objects.has(base.objectId)) throw new Lwm2mReplyError('not_found', `Object ${base.objectId} is not supported`);
    if (base.resourceId !== undefined) throw new Lwm2mReplyError('bad_request', `Create targets an object or a new instance, not ${basePath}`);
    if (!definition.multipleInstances) throw new Lwm2mReplyError('method_not_allowed', `Object ${base.objectId} ${definition.name} is single-instance`);
    const existing = this.instanceIds(base.objectId);
    const instanceId = base.instanceId ?? (existing.length === 0 ? 0 : Math.max(...existing) + 1);
    if (existing.includes(instanceId)) throw new Lwm2mReplyError('bad_request', `/${base.objectId}/${instanceId} already exists`);
    const slots: Record<number, ResourceSlot> = {};
    for (const item of content) {
      const relative = item.path.startsWith(`/${base.objectId}/`) ? item.path.split('/').slice(3) : item.path.split('/').filter((p) => p !== '');
      const resourceId = Number(relative[0]);
      const resource = this.model.resource(base.objectId, resourceId);
      if (relative.length !== 1 || resource === undefined || resource.operations === 'E' || resource.operations === 'none') {
        throw new Lwm2mReplyError('bad_request', `Cannot create resource ${item.path} of object ${base.objectId}`);
      }
      slots[resourceId] = { value: toJson(this.#convert(base.objectId, resourceId, item.value, { instanceId })) };
    }
    this.addInstance(base.objectId, instanceId, slots, true);
    return `/${base.objectId}/${instanceId}`;
  }

  /** Delete an instance created by the server (Core TS 1.2 §6.3.7); built-in instances refuse with 4.05. */
  delete(text: string): void {
    const path = this.#locate(text);
    if (path.instanceId === undefined || path.resourceId !== undefined) throw new Lwm2mReplyError('method_not_allowed', `Delete targets an object instance, not ${text}`);
    if (this.#objects.get(path.objectId)?.get(path.instanceId)?.deletable !== true) throw new Lwm2mReplyError('method_not_allowed', `${text} is built in and cannot be deleted`);
    this.#objects.get(path.objectId)?.delete(path.instanceId);
  }

  /** CoRE links of what exists at or under `path` (Core TS 1.2 §6.3.4 Discover), with attributes from `attributesOf`. */
  discover(text: string, attributesOf: (path: string) => string): string[] {
    const path = this.#locate(text);
    const links = new Set<string>();
    const link = (target: string): void => void links.add(`<${target}>${attributesOf(target)}`);
    link(formatPath(path));
    for (const [objectId, instanceId, resourceId, slot] of this.#slotsUnder(path)) {
      if (path.resourceId === undefined) link(`/${objectId}/${instanceId}`);
      const value = slot.get?.() ?? slot.value;
      const dim = Array.isArray(value) ? `;dim=${value.length}` : '';
      links.add(`</${objectId}/${instanceId}/${resourceId}>${dim}${attributesOf(`/${objectId}/${instanceId}/${resourceId}`)}`);
    }
    return [...links];
  }

  /** Every readable value, as `objects` of a registration (Core TS 1.2 §6.2.1, in the seed's JSON form). */
  snapshot(): ObjectsSnapshot {
    const out: ObjectsSnapshot = {};
    for (const [objectId, instanceId, resourceId, slot] of this.#slotsUnder(undefined)) {
      const value = slot.get?.() ?? slot.value;
      const instances = (out[objectId] ??= {});
      const resources = (instances[instanceId] ??= {});
      if (value !== undefined && this.#readable(objectId, resourceId)) resources[resourceId] = value;
    }
    return out;
  }

  #readable(objectId: number, resourceId: number): boolean {
    return this.model.resource(objectId, resourceId)?.operations.includes('R') === true;
  }

  #parse(text: unknown): Lwm2mPath {
    if (typeof text !== 'string') throw new Lwm2mReplyError('bad_request', 'Missing path');
    try {
      return parsePath(text.split('?')[0] ?? '');
    } catch (error) {
      throw new Lwm2mReplyError('bad_request', (error as Error).message);
    }
  }

  /** Parse `text` and check it exists here: malformed → 4.00, absent → 4.04. */
  #locate(text: string): Lwm2mPath {
    const path = this.#parse(text);
    const instances = this.#objects.get(path.objectId);
    if (instances === undefined) throw new Lwm2mReplyError('not_found', `No object ${path.objectId}`);
    if (path.instanceId === undefined) return path;
    const instance = instances.get(path.instanceId);
    if (instance === undefined) throw new Lwm2mReplyError('not_found', `No instance /${path.objectId}/${path.instanceId}`);
    if (path.resourceId !== undefined && !instance.slots.has(path.resourceId)) throw new Lwm2mReplyError('not_found', `No resource ${formatPath(path)}`);
    return path;
  }

  /** The object model's verdict ([Core TS 1.2 App. D.1] operations): forbidden → 4.05. */
  #allow(path: Lwm2mPath, operation: Lwm2mOperation): void {
    try {
      this.model.checkOperation(path, operation);
    } catch (error) {
      if (error instanceof Lwm2mOperationError) throw new Lwm2mReplyError('method_not_allowed', error.message);
      if (error instanceof Lwm2mPathError) throw new Lwm2mReplyError('not_found', error.message);
      throw error;
    }
  }

  #slot(path: Lwm2mPath): ResourceSlot {
    const slot = this.#objects.get(path.objectId)?.get(path.instanceId as number)?.slots.get(path.resourceId as number);
    if (slot === undefined) throw new Lwm2mReplyError('not_found', `No resource ${formatPath(path)}`);
    return slot;
  }

  #convert(objectId: number, resourceId: number, value: unknown, at: { instanceId: number; resourceInstanceId?: number }): Lwm2mValue {
    try {
      return this.model.convertValue(objectId, resourceId, value, at);
    } catch (error) {
      if (error instanceof Lwm2mValueError || error instanceof Lwm2mPathError) throw new Lwm2mReplyError('bad_request', error.message);
      throw error;
    }
  }

  /** [objectId, instanceId, resourceId, slot] at or under `path` (everything when undefined), in id order. */
  *#slotsUnder(path: Lwm2mPath | undefined): Generator<[number, number, number, ResourceSlot]> {
    for (const objectId of [...this.#objects.keys()].sort((a, b) => a - b)) {
      if (path !== undefined && objectId !== path.objectId) continue;
      for (const instanceId of this.instanceIds(objectId)) {
        if (path?.instanceId !== undefined && instanceId !== path.instanceId) continue;
        const slots = this.#objects.get(objectId)?.get(instanceId)?.slots ?? new Map<number, ResourceSlot>();
        for (const resourceId of [...slots.keys()].sort((a, b) => a - b)) {
          if (path?.resourceId !== undefined && resourceId !== path.resourceId) continue;
          yield [objectId, instanceId, resourceId, slots.get(resourceId) as ResourceSlot];
        }
      }
    }
  }
}
