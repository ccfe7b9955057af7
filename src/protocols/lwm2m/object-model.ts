// The LwM2M object model: object and resource definitions, path checks, value types and operations.
import type { ObjectDefinition, ResourceDefinition } from './objects/object-definition.ts';
import { LWM2M_OBJECT_DEFINITIONS } from './objects/registry.generated.ts';
import { Lwm2mOperationError, type Lwm2mOperation } from './errors/lwm2m-operation-error.ts';
import { Lwm2mPathError } from './errors/lwm2m-path-error.ts';
import { formatPath, parsePath, type Lwm2mPath } from './lwm2m-path.ts';
import { convertResourceValue, type Lwm2mValue } from './value-conversion.ts';

/** Options for {@link ObjectModel.parsePath}. */
export interface ObjectModelParseOptions {
  /** Also require a known object, a known resource, and resource instances only on multiple resources. */
  readonly strict?: boolean;
}

/** Where a value sits, below its object and resource, for error messages. */
export interface ValueLocation {
  readonly instanceId?: number;
  readonly resourceInstanceId?: number;
}

/**
 * Read-only view over a table of object definitions (by default the generated OMA registry table):
 * look-ups, LwM2M path parsing, value conversion to each resource's data type, and the operation
 * rules of the object template (LwM2M Core TS 1.2 App. D.1, §6.3 DM & Service Enablement interface).
 */
export class ObjectModel {
  readonly #table: Readonly<Record<number, ObjectDefinition>>;

  constructor(table: Readonly<Record<number, ObjectDefinition>> = LWM2M_OBJECT_DEFINITIONS) {
    this.#table = table;
  }

  /** Every object id the model knows, ascending. */
  objectIds(): number[] {
    return Object.keys(this.#table)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** The definition of object `id`, or undefined when the model does not know it. */
  object(id: number): ObjectDefinition | undefined {
    return Object.hasOwn(this.#table, id) ? this.#table[id] : undefined;
  }

  /** The definition of resource `resourceId` of object `objectId`, or undefined. */
  resource(objectId: number, resourceId: number): ResourceDefinition | undefined {
    const resources = this.object(objectId)?.resources;
    return resources !== undefined && Object.hasOwn(resources, resourceId) ? resources[resourceId] : undefined;
  }

  /**
   * Parse a LwM2M path (`/3`, `/3/0`, `/3/0/1`, `/3/0/7/1`). With `strict`, the object must be known,
   * so must the resource when given, and a resource instance id needs a multiple-instance resource.
   * @throws Lwm2mPathError naming the path and the fault.
   */
  parsePath(text: string, options: ObjectModelParseOptions = {}): Lwm2mPath {
    return options.strict === true ? parsePath(text, { check: (path) => this.#unknownPart(path) }) : parsePath(text);
  }

  /** Format a path as `/o/i/r/ri` text. @throws Lwm2mPathError for ids out of range or missing levels. */
  formatPath(path: Lwm2mPath): string {
    return formatPath(path);
  }

  /**
   * Convert `value` to the JS type of resource `/objectId/…/resourceId` (see {@link Lwm2mValue}).
   * `at` places the value (instance, resource instance) for the error message.
   * @throws Lwm2mPathError for an unknown object or resource; Lwm2mValueError for a wrongly typed value.
   */
  convertValue(objectId: number, resourceId: number, value: unknown, at: ValueLocation = {}): Lwm2mValue {
    const path = formatLoosePath(objectId, at.instanceId, resourceId, at.resourceInstanceId);
    const resource = this.resource(objectId, resourceId);
    if (resource === undefined) {
      throw new Lwm2mPathError(path, this.#unknownPart({ objectId, resourceId, instanceId: 0 }) ?? 'unknown resource');
    }
    return convertResourceValue(resource, value, path);
  }

  /**
   * Check that the LwM2M Server may perform `operation` on `path` (text or parsed):
   * - read: objects, instances and resources whose operations include R (Core TS §6.3.1);
   * - write: instances and resources whose operations include W (Core TS §6.3.3);
   * - execute: resources with operations E only, never objects, instances or resource instances
   *   (Core TS §6.3.5).
   * Resources with empty registry Operations (all of /0 Security) belong to the Bootstrap-Server only
   * (Core TS App. D.1, E.1) and refuse everything.
   * @throws Lwm2mPathError for a malformed or unknown path; Lwm2mOperationError when not permitted.
   */
  checkOperation(path: string | Lwm2mPath, operation: Lwm2mOperation): void {
    const parsed = typeof path === 'string' ? this.parsePath(path, { strict: true }) : path;
    const text = formatPath(parsed);
    if (typeof path !== 'string') {
      const problem = this.#unknownPart(parsed);
      if (problem !== undefined) throw new Lwm2mPathError(text, problem);
    }
    const object = this.object(parsed.objectId) as ObjectDefinition;
    const deny = (reason: string): never => {
      throw new Lwm2mOperationError(operation, text, reason);
    };
    if (parsed.resourceId === undefined) {
      if (operation === 'execute') deny('Execute targets a resource, not an object or object instance (Core TS §6.3.5)');
      if (operation === 'write' && parsed.instanceId === undefined) deny('Write targets an object instance or a resource (Core TS §6.3.3)');
      if (Object.values(object.resources).every((r) => r.operations === 'none')) {
        deny(`object ${object.id} ${object.name} is reserved to the LwM2M Bootstrap-Server (Core TS App. E.1)`);
      }
      return;
    }
    const resource = this.resource(parsed.objectId, parsed.resourceId) as ResourceDefinition;
    const label = `resource ${resource.id} ${resource.name}`;
    if (parsed.resourceInstanceId !== undefined && operation === 'execute') {
      deny('Execute targets a resource, not a resource instance (Core TS §6.3.5)');
    }
    if (resource.operations === 'none') {
      deny(`${label} has no operations for a LwM2M Server: Bootstrap-Server only (Core TS App. D.1)`);
    }
    const letter = operation === 'read' ? 'R' : operation === 'write' ? 'W' : 'E';
    if (!resource.operations.includes(letter)) {
      deny(`${label} allows ${resource.operations} only${operation === 'execute' ? '; only E resources are executable' : ''}`);
    }
  }

  // Why the model does not know `path`, or undefined when it does.
  #unknownPart(path: Lwm2mPath): string | undefined {
    const object = this.object(path.objectId);
    if (object === undefined) return `unknown object ${path.objectId}`;
    if (path.resourceId === undefined) return undefined;
    const resource = this.resource(path.objectId, path.resourceId);
    if (resource === undefined) return `object ${object.id} ${object.name} has no resource ${path.resourceId}`;
    if (path.resourceInstanceId !== undefined && !resource.multipleInstances) {
      return `resource ${resource.id} ${resource.name} is single-instance; it has no resource instances`;
    }
    return undefined;
  }
}

// `/3303/0/5700`, or `/3303/*/5700` when the instance is not known to the caller.
function formatLoosePath(objectId: number, instanceId: number | undefined, resourceId: number, resourceInstanceId: number | undefined): string {
  const base = `/${objectId}/${instanceId ?? '*'}/${resourceId}`;
  return resourceInstanceId === undefined ? base : `${base}/${resourceInstanceId}`;
}
