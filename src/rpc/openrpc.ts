/** The OpenRPC 1.3.2 document of the hub, generated from the method registry, and `rpc.discover`. */
import { Type, type TObject, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { ERROR_CATALOGUE, type ErrorCode } from '../core/errors.ts';
import type { Role } from '../core/principal.ts';
import { defineMethod, requiredRole, type MethodDefinition, type MethodKind } from './method.ts';
import type { MethodRegistry } from './method-registry.ts';

/** A JSON Schema as it appears in the document: plain JSON, TypeBox's symbol keys removed. */
export type JsonSchema = Record<string, unknown>;

/** OpenRPC 1.3.2 Info Object. */
export interface OpenRpcInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
  readonly license?: { readonly name: string; readonly url?: string };
}

/** OpenRPC 1.3.2 Content Descriptor Object. */
export interface ContentDescriptor {
  readonly name: string;
  readonly summary?: string;
  readonly description?: string;
  readonly required: boolean;
  readonly schema: JsonSchema;
}

/** OpenRPC 1.3.2 Example Pairing Object; no `result` means the example is a notification. */
export interface ExamplePairing {
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly value: unknown }[];
  readonly result?: { readonly name: string; readonly value: unknown };
}

/**
 * OpenRPC 1.3.2 Method Object, with the `x-llmiot-kind` extension (read / write / destructive),
 * `x-llmiot-role` (the least role that may call it: viewer / operator / admin) and, for the methods
 * a device may call on its own up topic, `x-llmiot-device-access` (its `deviceAccess`).
 */
export interface OpenRpcMethod {
  readonly name: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly { readonly name: string }[];
  readonly paramStructure: 'by-name';
  readonly params: readonly ContentDescriptor[];
  readonly result: ContentDescriptor;
  readonly examples: readonly ExamplePairing[];
  readonly 'x-llmiot-kind': MethodKind;
  readonly 'x-llmiot-role': Role;
  readonly 'x-llmiot-device-access'?: { readonly self: readonly string[] };
}

/** OpenRPC 1.3.2 Error Object. */
export interface OpenRpcError {
  readonly code: number;
  readonly message: string;
}

/** OpenRPC 1.3.2 root object. */
export interface OpenRpcDocument {
  readonly openrpc: '1.3.2';
  readonly info: OpenRpcInfo;
  readonly methods: readonly OpenRpcMethod[];
  readonly components: { readonly errors: Readonly<Record<ErrorCode, OpenRpcError>> };
}

const META_SCHEMA = 'https://raw.githubusercontent.com/open-rpc/meta-schema/master/schema.json';

/** Build the OpenRPC document of every registered method, in registration order. */
export function buildOpenRpcDocument(registry: MethodRegistry, info: OpenRpcInfo): OpenRpcDocument {
  return {
    openrpc: '1.3.2',
    info: { ...info },
    methods: registry.list().map(describeMethod),
    components: { errors: catalogueErrors() },
  };
}

/**
 * The `rpc.discover` method (OpenRPC service discovery): returns the document, built at call time
 * so methods registered later are included. Register it like any other method.
 */
export function rpcDiscoverMethod(registry: MethodRegistry, info: OpenRpcInfo): MethodDefinition<TObject<{}>, TUnsafe<OpenRpcDocument>> {
  return defineMethod({
    name: 'rpc.discover',
    summary: 'Describe every JSON-RPC method of this hub as an OpenRPC 1.3.2 document.',
    description: `Returns the OpenRPC document (meta-schema: ${META_SCHEMA}) generated from the hub's method registry.`,
    kind: 'read',
    tags: ['rpc'],
    params: Type.Object({}),
    result: Type.Unsafe<OpenRpcDocument>(
      Type.Object(
        { openrpc: Type.String(), info: Type.Object({ title: Type.String(), version: Type.String() }), methods: Type.Array(Type.Object({ name: Type.String() })) },
        { title: 'OpenRPC document', description: `An OpenRPC document; see ${META_SCHEMA}.` },
      ),
    ),
    handler: async () => buildOpenRpcDocument(registry, info),
  });
}

function describeMethod(def: MethodDefinition): OpenRpcMethod {
  const paramsSchema = jsonSchema(def.params);
  const properties = isRecord(paramsSchema['properties']) ? paramsSchema['properties'] : {};
  const required = new Set(Array.isArray(paramsSchema['required']) ? paramsSchema['required'] : []);
  const params = Object.entries(properties).map(([name, schema]) => descriptor(name, isRecord(schema) ? schema : {}, required.has(name)));
  return {
    name: def.name,
    summary: def.summary,
    ...(def.description === undefined ? {} : { description: def.description }),
    tags: (def.tags ?? []).map((name) => ({ name })),
    paramStructure: 'by-name',
    params,
    result: descriptor('result', jsonSchema(def.result), true),
    examples: (def.examples ?? []).map((example) => pairing(example)),
    'x-llmiot-kind': def.kind,
    'x-llmiot-role': requiredRole(def),
    ...(def.deviceAccess === undefined ? {} : { 'x-llmiot-device-access': { self: [...def.deviceAccess.self] } }),
  };
}

function descriptor(name: string, schema: JsonSchema, required: boolean): ContentDescriptor {
  const summary = schema['title'];
  const description = schema['description'];
  return {
    name,
    ...(typeof summary === 'string' ? { summary } : {}),
    ...(typeof description === 'string' ? { description } : {}),
    required,
    schema,
  };
}

function pairing(example: { readonly name: string; readonly params: unknown; readonly result?: unknown }): ExamplePairing {
  const params = isRecord(example.params) ? Object.entries(example.params).map(([name, value]) => ({ name, value: json(value) })) : [];
  return example.result === undefined
    ? { name: example.name, params }
    : { name: example.name, params, result: { name: `${example.name} result`, value: json(example.result) } };
}

function catalogueErrors(): Record<ErrorCode, OpenRpcError> {
  const entries = Object.entries(ERROR_CATALOGUE).map(([code, entry]) => [code, { code: entry.rpc, message: entry.summary }] as const);
  return Object.fromEntries(entries) as Record<ErrorCode, OpenRpcError>;
}

/** A JSON copy of a schema: drops TypeBox's symbol keys (Kind, OptionalKind). */
function jsonSchema(schema: TSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

/** A JSON copy of an example value, as it would cross the wire. */
function json(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
