/** The registry of JSON-RPC methods: one place to add, find and validate every method of the hub. */
import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv2019, type ErrorObject, type ValidateFunction } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { HubError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import { closeObjectSchemas } from './closed-schema.ts';
import type { MethodDefinition } from './method.ts';

// ajv-formats is CommonJS; under NodeNext its default import is the module object in the types.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** One schema violation, as put in `error.data.issues` of a -32602 answer. */
export interface ParamsIssue {
  /** JSON Pointer into `params` ('' for params itself), e.g. '/device_id'. */
  readonly path: string;
  readonly message: string;
}

/** Options of {@link MethodRegistry}. */
export interface MethodRegistryOptions {
  /** Receives Ajv's schema warnings. */
  readonly logger?: Logger;
}

/**
 * Every JSON-RPC method of the hub, by name. Params schemas are compiled once, on `add`, with Ajv
 * (draft 2019-09, which TypeBox targets: tuples use array `items`), so HTTP, WebSocket, MQTT and MCP
 * all validate alike.
 */
export class MethodRegistry {
  readonly #methods = new Map<string, MethodDefinition>();
  readonly #validators = new WeakMap<MethodDefinition, ValidateFunction>();
  readonly #ajv: Ajv2019;

  constructor(options: MethodRegistryOptions = {}) {
    const logger = options.logger ?? silentLogger;
    this.#ajv = new Ajv2019({
      coerceTypes: false,
      useDefaults: true, // TypeBox `default`s fill in missing params.
      allErrors: true,
      verbose: true, // parentSchema on errors: an unknown key's issue lists the keys that are known.
      strictTypes: false, // TypeBox unions and optionals are not always "strict types".
      logger: {
        log: (...args: unknown[]) => logger.debug({ ajv: args }, 'ajv'),
        warn: (...args: unknown[]) => logger.warn({ ajv: args }, 'ajv schema warning'),
        error: (...args: unknown[]) => logger.error({ ajv: args }, 'ajv schema error'),
      },
    });
    addFormats(this.#ajv);
  }

  /**
   * Register a method. Its params schema is stored closed (see {@link closeObjectSchemas}): unknown keys
   * are refused everywhere the method is exposed (JSON-RPC, OpenRPC, MCP tools). Throws when the name is
   * taken or its params schema is not a valid object schema.
   */
  add<P extends TSchema, R extends TSchema>(definition: MethodDefinition<P, R>): this {
    const given = definition as unknown as MethodDefinition;
    const def: MethodDefinition = { ...given, params: closeObjectSchemas(given.params) };
    if (typeof def.name !== 'string' || def.name.length === 0) {
      throw new Error('Method registration failed: the name must be a non-empty string');
    }
    if (this.#methods.has(def.name)) {
      throw new Error(`Method registration failed: ${def.name} is already registered`);
    }
    this.#validators.set(def, this.#compile(def));
    this.#methods.set(def.name, def);
    return this;
  }

  /** The method with that name, or undefined. */
  get(name: string): MethodDefinition | undefined {
    return this.#methods.get(name);
  }

  /** Every method, in registration order. */
  list(): readonly MethodDefinition[] {
    return [...this.#methods.values()];
  }

  /**
   * Validate JSON-RPC `params` for a method and return them typed, with schema defaults filled in
   * place (params are freshly parsed per request, so no copy is made on the hot path; in-process
   * callers pass an object they own). Absent params count as `{}`. Throws
   * `HubError('INVALID_PARAMS')` whose data is `{ issues: ParamsIssue[] }`.
   */
  validateParams<P extends TSchema, R extends TSchema>(definition: MethodDefinition<P, R>, params: unknown): Static<P> {
    const def = definition as unknown as MethodDefinition;
    // JSON-RPC 2.0 §4.2: params are by-position (array) or by-name (object); this hub takes by-name only.
    if (Array.isArray(params)) {
      throw invalidParams([{ path: '', message: 'must be an object: this hub takes named params, not a positional array' }]);
    }
    const value: unknown = params === undefined ? {} : params;
    let validate = this.#validators.get(def);
    if (validate === undefined) {
      validate = this.#compile(def);
      this.#validators.set(def, validate);
    }
    if (!validate(value)) throw invalidParams(toIssues(validate.errors ?? []));
    return value as Static<P>;
  }

  #compile(def: MethodDefinition): ValidateFunction {
    const schema = def.params as { type?: unknown };
    if (schema.type !== 'object') {
      throw new Error(`Method registration failed: ${def.name} params must be an object schema (Type.Object), for named params`);
    }
    try {
      return this.#ajv.compile(closeObjectSchemas(def.params));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Method registration failed: ${def.name} params schema does not compile: ${reason}`, { cause: error });
    }
  }
}

function invalidParams(issues: readonly Issue[]): HubError {
  // An unknown key is the likeliest slip (a typo, a param of another method): name it first.
  const first = issues.find((issue) => issue.unknownKey !== undefined) ?? issues[0];
  const text = first === undefined ? 'params do not match the schema' : issueText(first);
  return new HubError('INVALID_PARAMS', `Invalid params: ${text}`, { issues: issues.map(({ path, message }) => ({ path, message })) });
}

function issueText(issue: Issue): string {
  if (issue.unknownKey === undefined) return `${issue.path === '' ? 'params' : issue.path} ${issue.message}`;
  const parent = issue.path.slice(0, issue.path.lastIndexOf('/'));
  const what = parent === '' ? `unknown param "${issue.unknownKey}"` : `unknown key "${issue.unknownKey}" in ${parent.slice(1).replaceAll('/', '.')}`;
  if (issue.known === undefined) return what;
  return `${what} (${issue.known.length === 0 ? 'this method takes no params' : `known: ${issue.known.join(', ')}`})`;
}

interface Issue extends ParamsIssue {
  readonly unknownKey?: string;
  readonly known?: readonly string[];
}

/** Ajv errors to issues; missing and extra properties point at the property itself. */
function toIssues(errors: readonly ErrorObject[]): Issue[] {
  // A union of constants (TypeBox Union of Literals: `format`, `type`, `status`…) fails as one issue
  // naming the allowed values, not as one "must be equal to constant" per member.
  const enums = new Map<string, readonly unknown[]>();
  for (const error of errors) {
    const allowed = error.keyword === 'anyOf' ? constants(error.schema) : undefined;
    if (allowed !== undefined) enums.set(error.schemaPath, allowed);
  }
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if ([...enums.keys()].some((anyOf) => error.schemaPath.startsWith(`${anyOf}/`))) continue;
    let path = error.instancePath;
    let message = error.message ?? `fails ${error.keyword}`;
    let extra: Pick<Issue, 'unknownKey' | 'known'> = {};
    const p = error.params as { missingProperty?: unknown; additionalProperty?: unknown };
    const allowed = error.keyword === 'anyOf' ? enums.get(error.schemaPath) : undefined;
    if (allowed !== undefined) {
      message = `must be one of ${allowed.map((value) => JSON.stringify(value)).join(', ')}`; // as src/schema/schema-validator.ts says it
    } else if (error.keyword === 'required' && typeof p.missingProperty === 'string') {
      path += `/${escapePointer(p.missingProperty)}`;
      message = 'is required';
    } else if (error.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string') {
      path += `/${escapePointer(p.additionalProperty)}`;
      const properties = (error.parentSchema as { properties?: unknown } | undefined)?.properties;
      const known = properties !== null && typeof properties === 'object' ? Object.keys(properties) : undefined;
      message = known === undefined ? 'is not a known property' : `is not a known property (known: ${known.join(', ')})`;
      extra = { unknownKey: p.additionalProperty, ...(known !== undefined && { known }) };
    } else if (error.keyword === 'minProperties') {
      message = 'must name at least one key (omit it instead of sending an empty object)';
    }
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path, message, ...extra });
  }
  return issues;
}

/** The values of an anyOf whose members are all `const` schemas, else undefined. */
function constants(schema: unknown): readonly unknown[] | undefined {
  if (!Array.isArray(schema) || schema.length === 0) return undefined;
  const members = schema as unknown[];
  if (!members.every((member) => member !== null && typeof member === 'object' && 'const' in member)) return undefined;
  return members.map((member) => (member as { const: unknown }).const);
}

// RFC 6901 §3: '~' and '/' are escaped in a JSON Pointer token.
function escapePointer(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}
