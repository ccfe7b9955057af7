// The shape of one LwM2M object definition as the OMA registry XML describes it (Core TS 1.2 App. D).

/** LwM2M data types (Core TS 1.2 Appendix C, Table C-1); `none` is the type of executable resources. */
export const RESOURCE_TYPES = [
  'String',
  'Integer',
  'Unsigned Integer',
  'Float',
  'Boolean',
  'Opaque',
  'Time',
  'Objlnk',
  'Corelnk',
  'none',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/**
 * Resource operations (Core TS 1.2 Appendix D.1). `none` stands for the registry's empty Operations
 * element: the resource is reachable by the LwM2M Bootstrap-Server only (e.g. every /0 resource).
 */
export const RESOURCE_OPERATIONS = ['R', 'W', 'RW', 'E', 'none'] as const;
export type ResourceOperations = (typeof RESOURCE_OPERATIONS)[number];

/** One resource of an object definition (an `<Item>` of the registry XML). */
export interface ResourceDefinition {
  readonly id: number;
  readonly name: string;
  readonly operations: ResourceOperations;
  /** True when the resource holds resource instances (`/o/i/r/ri`). */
  readonly multipleInstances: boolean;
  readonly mandatory: boolean;
  readonly type: ResourceType;
  /** Registry text as written, e.g. `0..255`, `0..100`; null when the registry gives none. */
  readonly rangeEnumeration: string | null;
  /** Registry units, e.g. `s`, `/100`, `Wh`; null when the registry gives none. */
  readonly units: string | null;
  /** First sentence of the registry description. */
  readonly description: string;
}

/** One object definition (an `<Object>` of the registry XML). */
export interface ObjectDefinition {
  readonly id: number;
  readonly name: string;
  /** ObjectVersion, e.g. `1.2`. */
  readonly version: string;
  /** Minimum LwM2M enabler version the object needs (LWM2MVersion). */
  readonly lwm2mVersion: string;
  /** `urn:oma:lwm2m:{oma|ext|x}:<id>[:<version>]` (Core TS 1.2 §7.2.1). */
  readonly urn: string;
  readonly multipleInstances: boolean;
  readonly mandatory: boolean;
  /** First sentence of the registry description. */
  readonly description: string;
  readonly resources: Readonly<Record<number, ResourceDefinition>>;
}
