/** SchemaValidator: checks hardware schema documents against the versioned JSON Schemas in `schemas/`, semver-aware. */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { HubError } from '../core/errors.ts';
import { SCHEMA_KINDS, type CheckedDocument, type SchemaCheck, type SchemaKind } from '../core/ports/schema-check.ts';

export { SCHEMA_KINDS, type SchemaKind };

/** One problem in a document: a JSON pointer (with the caller's prefix) and a human message. */
export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

/** What `validate` returns for an accepted document. */
export interface SchemaValidation extends CheckedDocument {
  /** Version the document is recorded under: the declared one, or the newest known when none was declared. */
  readonly version: string;
  /** Version of the schema the document was checked against (the newest known of the declared major). */
  readonly validatedAgainst: string;
  /** The document as given, unknown fields included. */
  readonly document: Record<string, unknown>;
  /**
   * JSON pointers (with the caller's prefix) of what the hub's schema does not describe, all kept in `document`:
   * top-level vendor fields, and under a newer minor also nested fields and enum values the hub does not know.
   */
  readonly unknownFields: string[];
}

export interface SchemaValidatorOptions {
  /** Folder holding `<kind>/v<major>.json`. Default: the package's `schemas/` folder. */
  readonly schemasDir?: URL;
}

/** Parsed semantic version (semver.org 2.0.0); build metadata is ignored for precedence. */
interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: readonly string[];
}

interface LoadedSchema {
  readonly version: string;
  readonly semver: SemVer;
  readonly schema: Record<string, unknown>;
  readonly validate: ValidateFunction;
  /** Top-level property names the schema describes; anything else at the top is a vendor extension. */
  readonly topLevel: ReadonlySet<string>;
}

const SCHEMA_ID_BASE = 'https://llm-iot.dev/schemas/';
const SCHEMA_FILE = /^v(0|[1-9][0-9]*)\.json$/;
// semver.org 2.0.0, "Is there a suggested regular expression (RegEx) to check a SemVer string?"
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$/;

/**
 * Validates MCU and sensor documents (static schema, dynamic state) against `schemas/<kind>/v<major>.json`.
 * Every schema file is read and compiled once, in the constructor.
 *
 * Versions: none declared → the newest known; a known major at or below the newest known minor.patch → full
 * validation; a newer minor.patch of a known major → known fields validated, fields and enum values the hub does
 * not know accepted and listed in `unknownFields`; an unknown major → SCHEMA_VERSION_UNSUPPORTED.
 */
export class SchemaValidator implements SchemaCheck {
  readonly #schemas = new Map<SchemaKind, LoadedSchema[]>();

  constructor(options: SchemaValidatorOptions = {}) {
    const dir = options.schemasDir ?? new URL('../../schemas/', import.meta.url);
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
    formatsPlugin.default(ajv);
    ajv.addKeyword({ keyword: 'x-llmiot-kind', schemaType: 'string' });
    ajv.addKeyword({ keyword: 'x-llmiot-version', schemaType: 'string' });
    for (const kind of SCHEMA_KINDS) {
      const kindDir = new URL(`${kind}/`, dir);
      const loaded = readdirSync(kindDir)
        .filter((file) => SCHEMA_FILE.test(file))
        .map((file) => loadSchema(ajv, kind, new URL(file, kindDir)))
        .sort((a, b) => a.semver.major - b.semver.major);
      if (loaded.length === 0) throw new Error(`schema files missing: no ${kind}/v<major>.json in ${kindDir.pathname}`);
      this.#schemas.set(kind, loaded);
    }
  }

  /** Known versions of a kind, the newest of each major, oldest major first (e.g. `['1.0.0']`). */
  knownVersions(kind: SchemaKind): string[] {
    return this.#entries(kind).map((entry) => entry.version);
  }

  /** The newest known version of a kind; what a document without a declared version is checked against. */
  newestVersion(kind: SchemaKind): string {
    return this.#newest(kind).version;
  }

  /** The JSON Schema of a kind: of the given version's major, or the newest. For docs, MCP resources, OpenRPC. */
  getSchema(kind: SchemaKind, version?: string): Record<string, unknown> {
    return this.#resolve(kind, version).entry.schema;
  }

  /**
   * Check `document` as a `kind` document of `declaredVersion` (default: newest known). Issue paths and
   * `unknownFields` are JSON pointers prefixed with `pathPrefix` (e.g. '/static_schema').
   * Throws HubError INVALID_PARAMS (malformed version, invalid document: `data.issues` lists every problem)
   * or SCHEMA_VERSION_UNSUPPORTED (unknown major).
   */
  validate(kind: SchemaKind, document: unknown, declaredVersion?: string, pathPrefix = ''): SchemaValidation {
    const { entry, version, lenient } = this.#resolve(kind, declaredVersion);
    const valid = entry.validate(document);
    const issues: SchemaIssue[] = [];
    const unknownFields: string[] = [];
    if (!valid) {
      for (const error of relevantErrors(entry.validate.errors ?? [])) {
        // A newer minor may add fields and enum values: the hub keeps what it cannot judge and says so.
        if (lenient && (error.keyword === 'additionalProperties' || error.keyword === 'enum')) unknownFields.push(pathPrefix + errorPointer(error));
        else issues.push(toIssue(error, pathPrefix, `${kind} ${entry.version}`));
      }
    }
    const first = issues[0];
    if (first !== undefined) {
      const label = pathPrefix === '' ? `${kind} document` : unescapePointer(pathPrefix.slice(pathPrefix.lastIndexOf('/') + 1));
      throw new HubError('INVALID_PARAMS', `${label} is invalid: ${first.path === '' ? '' : `${first.path} `}${first.message}`, { issues });
    }
    const accepted = document as Record<string, unknown>;
    const extensions = Object.keys(accepted)
      .filter((key) => !entry.topLevel.has(key))
      .map((key) => `${pathPrefix}/${escapePointer(key)}`);
    return { version, validatedAgainst: entry.version, document: accepted, unknownFields: [...extensions, ...unknownFields] };
  }

  #entries(kind: SchemaKind): LoadedSchema[] {
    const entries = this.#schemas.get(kind);
    if (entries === undefined) throw new Error(`unknown schema kind: ${String(kind)}`);
    return entries;
  }

  #newest(kind: SchemaKind): LoadedSchema {
    const entries = this.#entries(kind);
    const newest = entries[entries.length - 1];
    if (newest === undefined) throw new Error(`unknown schema kind: ${kind}`);
    return newest;
  }

  /** The schema a declared version is checked against, the version to record, and whether it is newer than the hub. */
  #resolve(kind: SchemaKind, declared: string | undefined): { entry: LoadedSchema; version: string; lenient: boolean } {
    if (declared === undefined) {
      const newest = this.#newest(kind);
      return { entry: newest, version: newest.version, lenient: false };
    }
    const semver = typeof declared === 'string' ? parseSemVer(declared) : undefined;
    if (semver === undefined) {
      throw new HubError('INVALID_PARAMS', `schema_version is invalid: ${JSON.stringify(declared)} is not a semantic version`, {
        issues: [{ path: '/schema_version', message: 'must be a semantic version MAJOR.MINOR.PATCH, e.g. "1.0.0"' }],
      });
    }
    const entries = this.#entries(kind);
    const entry = entries.find((candidate) => candidate.semver.major === semver.major);
    if (entry === undefined) {
      const known = entries.map((candidate) => `${candidate.semver.major}.x (${candidate.version})`).join(', ');
      throw new HubError('SCHEMA_VERSION_UNSUPPORTED', `${kind} schema version ${declared} is not supported: this hub knows ${known}`, {
        kind,
        declared,
        supported: entries.map((candidate) => candidate.version),
      });
    }
    return { entry, version: declared, lenient: compareSemVer(semver, entry.semver) > 0 };
  }
}

/** Read, check and compile one schema file; a mismatch between file name, `$id` and version is a packaging bug. */
function loadSchema(ajv: Ajv2020, kind: SchemaKind, file: URL): LoadedSchema {
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const version = schema['x-llmiot-version'];
  const semver = typeof version === 'string' ? parseSemVer(version) : undefined;
  const fileMajor = Number(SCHEMA_FILE.exec(file.pathname.slice(file.pathname.lastIndexOf('/') + 1))?.[1]);
  if (typeof version !== 'string' || semver === undefined || semver.major !== fileMajor) {
    throw new Error(`schema file invalid: ${file.pathname} needs "x-llmiot-version" "${fileMajor}.<minor>.<patch>"`);
  }
  if (schema['x-llmiot-kind'] !== kind || schema['$id'] !== `${SCHEMA_ID_BASE}${kind}/${version}`) {
    throw new Error(`schema file invalid: ${file.pathname} needs "x-llmiot-kind" "${kind}" and "$id" "${SCHEMA_ID_BASE}${kind}/${version}"`);
  }
  const properties = schema['properties'];
  const topLevel = new Set(properties !== null && typeof properties === 'object' ? Object.keys(properties) : []);
  return { version, semver, schema, validate: ajv.compile(schema), topLevel };
}

/** Drop errors that only repeat another: `if` failures (the `then` error is reported) and failed anyOf/oneOf branches. */
function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  return errors.filter((e) => e.keyword !== 'if' && !alternatives.some((prefix) => e.schemaPath.startsWith(prefix)));
}

/** JSON pointer of the field an error is about: the missing or extra property itself, not its parent. */
function errorPointer(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const child = error.keyword === 'required' ? params['missingProperty'] : error.keyword === 'additionalProperties' ? params['additionalProperty'] : undefined;
  return typeof child === 'string' ? `${error.instancePath}/${escapePointer(child)}` : error.instancePath;
}

function toIssue(error: ErrorObject, pathPrefix: string, schemaName: string): SchemaIssue {
  const params = error.params as Record<string, unknown>;
  const path = pathPrefix + errorPointer(error);
  switch (error.keyword) {
    case 'required':
      return { path, message: 'is required' };
    case 'additionalProperties':
      return { path, message: `is not a field of ${schemaName}` };
    case 'enum': {
      const allowed = Array.isArray(params['allowedValues']) ? params['allowedValues'] : [];
      return { path, message: `must be one of ${allowed.map((value) => JSON.stringify(value)).join(', ')}` };
    }
    case 'type': {
      const types = params['type'];
      return { path, message: `must be ${Array.isArray(types) ? types.join(' or ') : String(types)}` };
    }
    case 'pattern': {
      // A raw regex says little to a person or an LLM: patterned schemas describe themselves as a noun phrase.
      const description = (error.parentSchema as Record<string, unknown> | undefined)?.['description'];
      return { path, message: typeof description === 'string' ? `must be ${description}` : `must match pattern ${String(params['pattern'])}` };
    }
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** RFC 6901 §3: "~" is written "~0" and "/" is written "~1" inside a reference token. */
function escapePointer(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

function unescapePointer(token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

function parseSemVer(text: string): SemVer | undefined {
  const match = SEMVER.exec(text);
  if (match === null) return undefined;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3]),
    prerelease: match[4] === undefined ? [] : match[4].split('.'),
  };
}

/** Semver 2.0.0 §11 precedence: negative when a < b, 0 when equal, positive when a > b. */
function compareSemVer(a: SemVer, b: SemVer): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return core;
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    if (x === y) continue;
    const xNumeric = /^\d+$/.test(x);
    const yNumeric = /^\d+$/.test(y);
    if (xNumeric && yNumeric) return Number(x) - Number(y);
    if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
