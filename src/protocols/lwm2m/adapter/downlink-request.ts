// Builds the hub → device operation requests of `lwm2m/{ep}/dn` (EMQX JSON), checked against the object model.
import { describeValue } from '../describe-value.ts';
import { Lwm2mPathError } from '../errors/lwm2m-path-error.ts';
import { Lwm2mValueError } from '../errors/lwm2m-value-error.ts';
import { formatPath, pathLevel, type Lwm2mPath } from '../lwm2m-path.ts';
import type { ObjectModel } from '../object-model.ts';
import type { ResourceDefinition } from '../objects/object-definition.ts';
import { typedResourceValue, untypedResourceValue } from '../resource-values.ts';
import type { Lwm2mResourceValue, Lwm2mValue } from '../value-conversion.ts';
import { checkedPath } from './content-values.ts';

/** Operation msgTypes of the downlink (the notes' EMQX table, §3). */
export const LWM2M_OPERATIONS = ['read', 'discover', 'write', 'write-attr', 'execute', 'create', 'delete', 'observe', 'cancel-observe'] as const;
export type Lwm2mOperationType = (typeof LWM2M_OPERATIONS)[number];

/** A downlink request without its reqID: `{"msgType":…,"data":{…}}` (+ `"encoding":"hex"` for Opaque). */
export interface DownlinkRequest {
  readonly msgType: Lwm2mOperationType;
  readonly data: Readonly<Record<string, unknown>>;
  readonly encoding?: 'hex';
  /** The path the operation targets (data.path, or data.basePath of a batch write / create). */
  readonly path: string;
}

/** What a request is checked against. */
export interface RequestContext {
  readonly model: ObjectModel;
  /** Objects the model does not define but the device registered: reachable, values untyped. */
  readonly customObjects: ReadonlySet<number>;
}

/** A write entry as EMQX takes it: `{path, type, value}`. */
interface WriteEntry {
  readonly path: string;
  readonly type: string;
  readonly value: string | number | boolean;
}

/** Write-Attributes parameters (Core TS 1.2 §5.1.2); EMQX accepts only these keys. */
const ATTRIBUTES = ['pmin', 'pmax', 'gt', 'lt', 'st'] as const;
const NUMERIC_TYPES = new Set(['Integer', 'Unsigned Integer', 'Float']);

/**
 * Build a downlink request from operation params `{path, value?, args?, values?, pmin?, pmax?, gt?, lt?, st?}`.
 * Paths must be known to the object model (or be in a registered custom object); reads, writes and
 * executes must be allowed on the resource; written values are converted to the resource's type.
 * @throws Lwm2mPathError, Lwm2mOperationError or Lwm2mValueError, each naming the path.
 */
export function buildDownlink(msgType: Lwm2mOperationType, params: Readonly<Record<string, unknown>>, context: RequestContext): DownlinkRequest {
  const text = params['path'];
  if (typeof text !== 'string') throw new Lwm2mPathError(describeValue(text), 'the path must be a string such as "/3/0/1"');
  const path = checkedPath(context.model, text, context.customObjects);
  const known = context.model.object(path.objectId) !== undefined;
  const canonical = formatPath(path);
  switch (msgType) {
    case 'read':
    case 'observe':
      if (known) context.model.checkOperation(path, 'read');
      return { msgType, data: { path: canonical }, path: canonical };
    case 'discover':
    case 'cancel-observe':
      return { msgType, data: { path: canonical }, path: canonical };
    case 'execute': {
      if (known) context.model.checkOperation(path, 'execute');
      else if (pathLevel(path) !== 'resource') throw new Lwm2mPathError(canonical, 'Execute targets a resource (Core TS §6.3.5)');
      const args = params['args'];
      if (args !== undefined && typeof args !== 'string') throw new Lwm2mValueError(canonical, 'execute arguments as text', args);
      return { msgType, data: args === undefined || args === '' ? { path: canonical } : { path: canonical, args }, path: canonical };
    }
    case 'delete':
      if (pathLevel(path) !== 'instance') throw new Lwm2mPathError(canonical, 'Delete targets an object instance /o/i (Core TS §6.3.7)');
      return { msgType, data: { path: canonical }, path: canonical };
    case 'write-attr':
      return { msgType, data: { path: canonical, ...attributes(path, canonical, params, context) }, path: canonical };
    case 'write':
      return writeRequest(path, canonical, params['value'], context, known);
    case 'create':
      return createRequest(path, canonical, params['values'], context);
  }
}

function writeRequest(path: Lwm2mPath, canonical: string, value: unknown, context: RequestContext, known: boolean): DownlinkRequest {
  if (value === undefined) throw new Lwm2mValueError(canonical, 'a value to write', value);
  if (path.resourceId === undefined) {
    if (path.instanceId === undefined) throw new Lwm2mPathError(canonical, 'Write targets an object instance or a resource (Core TS §6.3.3)');
    if (known) context.model.checkOperation(path, 'write');
    // Partial update of an instance: EMQX batch write, content paths relative to basePath.
    const content = resourceMap(canonical, value).flatMap(([resourceId, item]) => {
      const resourcePath: Lwm2mPath = { objectId: path.objectId, instanceId: path.instanceId as number, resourceId };
      if (known) context.model.checkOperation(resourcePath, 'write');
      return writeEntries(context.model, resourcePath, item, canonical);
    });
    return withEncoding({ msgType: 'write', data: { basePath: canonical, content }, path: canonical }, content);
  }
  if (known) context.model.checkOperation(path, 'write');
  const entries = writeEntries(context.model, path, value, `/${path.objectId}/${path.instanceId as number}`);
  if (entries.length === 1 && path.resourceInstanceId === undefined && !context.model.resource(path.objectId, path.resourceId)?.multipleInstances) {
    const [entry] = entries as [WriteEntry];
    return withEncoding({ msgType: 'write', data: { path: canonical, type: entry.type, value: entry.value }, path: canonical }, entries);
  }
  const basePath = `/${path.objectId}/${path.instanceId as number}`;
  return withEncoding({ msgType: 'write', data: { basePath, content: entries }, path: canonical }, entries);
}

function createRequest(path: Lwm2mPath, canonical: string, values: unknown, context: RequestContext): DownlinkRequest {
  const level = pathLevel(path);
  if (level !== 'object' && level !== 'instance') {
    throw new Lwm2mPathError(canonical, 'Create targets an object /o (or /o/i to choose the instance id, LwM2M 1.1+)');
  }
  // Content paths are relative to basePath `/o`: `/r` lets the client choose the instance, `/i/r` names it.
  const prefix = path.instanceId === undefined ? '' : `/${path.instanceId}`;
  const entries = values === undefined ? [] : resourceMap(canonical, values).flatMap(([resourceId, item]) => {
    const resourcePath: Lwm2mPath = { objectId: path.objectId, instanceId: path.instanceId ?? 0, resourceId };
    return writeEntries(context.model, resourcePath, item, `/${path.objectId}`).map((entry) => ({
      ...entry,
      path: `${prefix}${entry.path.slice(`/${resourcePath.instanceId}`.length)}`,
    }));
  });
  return withEncoding({ msgType: 'create', data: { basePath: `/${path.objectId}`, content: entries }, path: canonical }, entries);
}

// Entries for one resource (several for a multiple-instance resource), paths relative to `base`.
function writeEntries(model: ObjectModel, path: Lwm2mPath, value: unknown, base: string): WriteEntry[] {
  const resourceId = path.resourceId as number;
  const resourcePath = `/${path.objectId}/${path.instanceId as number}/${resourceId}`;
  const resource = model.resource(path.objectId, resourceId);
  const relative = (full: string): string => full.slice(base.length);
  if (path.resourceInstanceId !== undefined) {
    const full = `${resourcePath}/${path.resourceInstanceId}`;
    return [entry(resource, relative(full), convertSingle(resource, value, full))];
  }
  if (resource !== undefined && resource.type === 'none') throw new Lwm2mValueError(resourcePath, 'no value (executable resource)', value);
  const typed: Lwm2mResourceValue = resource === undefined ? untypedResourceValue(value, resourcePath) : typedResourceValue(resource, value, resourcePath);
  if (typed instanceof Map) {
    return [...(typed as ReadonlyMap<number, Lwm2mValue>)].map(([ri, item]) => entry(resource, relative(`${resourcePath}/${ri}`), item));
  }
  return [entry(resource, relative(resourcePath), typed as Lwm2mValue)];
}

function convertSingle(resource: ResourceDefinition | undefined, value: unknown, path: string): Lwm2mValue {
  const typed = resource === undefined ? untypedResourceValue(value, path) : typedResourceValue({ ...resource, multipleInstances: false }, value, path);
  if (typed instanceof Map) throw new Lwm2mValueError(path, 'one value', value);
  return typed as Lwm2mValue;
}

// EMQX write types: Time, String, Integer, Float, Boolean, Opaque, Objlnk.
function entry(resource: ResourceDefinition | undefined, path: string, value: Lwm2mValue): WriteEntry {
  if (value instanceof Uint8Array) return { path, type: 'Opaque', value: Buffer.from(value).toString('hex') };
  if (typeof value === 'object') return { path, type: 'Objlnk', value: `${value.objectId}:${value.instanceId}` };
  if (typeof value === 'bigint') return { path, type: 'Integer', value: value.toString() };
  if (resource === undefined) {
    return { path, type: typeof value === 'boolean' ? 'Boolean' : typeof value === 'number' ? (Number.isInteger(value) ? 'Integer' : 'Float') : 'String', value };
  }
  const type = resource.type === 'Unsigned Integer' ? 'Integer' : resource.type === 'Corelnk' ? 'String' : resource.type;
  return { path, type, value };
}

function withEncoding(request: DownlinkRequest, entries: readonly WriteEntry[]): DownlinkRequest {
  return entries.some((e) => e.type === 'Opaque') ? { ...request, encoding: 'hex' } : request;
}

function resourceMap(path: string, value: unknown): [number, unknown][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new Lwm2mValueError(path, 'an object of resource id → value, e.g. {"5750":"Indoor"}', value);
  }
  const entries = Object.entries(value);
  if (entries.length === 0) throw new Lwm2mValueError(path, 'at least one resource value', value);
  return entries.map(([key, item]) => {
    if (!/^(0|[1-9]\d{0,4})$/.test(key) || Number(key) > 65535) throw new Lwm2mPathError(`${path}/${key}`, `resource id ${JSON.stringify(key)} is not a decimal integer 0..65535`);
    return [Number(key), item];
  });
}

function attributes(path: Lwm2mPath, canonical: string, params: Readonly<Record<string, unknown>>, context: RequestContext): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of ATTRIBUTES) {
    const value = params[name];
    if (value === undefined) continue;
    const integer = name === 'pmin' || name === 'pmax';
    if (typeof value !== 'number' || !Number.isFinite(value) || (integer && (!Number.isInteger(value) || value < 0)) || (name === 'st' && value < 0)) {
      throw new Lwm2mValueError(canonical, `${name} as ${integer ? 'whole seconds ≥ 0' : name === 'st' ? 'a number ≥ 0' : 'a number'}`, value);
    }
    out[name] = value;
  }
  if (Object.keys(out).length === 0) throw new Lwm2mValueError(canonical, `at least one of ${ATTRIBUTES.join(', ')}`, {});
  if (out['pmin'] !== undefined && out['pmax'] !== undefined && out['pmax'] < out['pmin']) {
    throw new Lwm2mValueError(canonical, `pmax ≥ pmin (${out['pmin']})`, out['pmax']);
  }
  // gt, lt and st apply to numeric resources only (Core TS 1.2 §5.1.2 Table 5.1.2-2).
  if (out['gt'] !== undefined || out['lt'] !== undefined || out['st'] !== undefined) {
    const resource = path.resourceId === undefined ? undefined : context.model.resource(path.objectId, path.resourceId);
    if (resource === undefined || !NUMERIC_TYPES.has(resource.type)) {
      throw new Lwm2mValueError(canonical, 'a numeric resource for gt, lt and st (Core TS §5.1.2)', resource?.type ?? pathLevel(path));
    }
    const { gt, lt, st } = out;
    if (gt !== undefined && lt !== undefined && (lt >= gt || (st !== undefined && lt + 2 * st >= gt))) {
      throw new Lwm2mValueError(canonical, 'lt < gt and lt + 2 × st < gt (Core TS §5.1.2)', { lt, gt, ...(st === undefined ? {} : { st }) });
    }
  }
  return out;
}
