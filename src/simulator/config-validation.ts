/** Validation of `sensor.configure` / `mcu.set_config` patches against a per-model field table. */
import { DeviceRpcError, type ParamIssue } from './device-rpc-error.ts';
import type { JsonObject } from './sensor-model.ts';

/** What a configuration key accepts. */
export type FieldSpec =
  | { readonly type: 'enum'; readonly values: readonly (string | number)[] }
  | { readonly type: 'number'; readonly min: number; readonly max: number; readonly integer?: boolean }
  | { readonly type: 'boolean' }
  | { readonly type: 'string'; readonly maxLength: number };

export type FieldValue = string | number | boolean;

/**
 * Check every key of `patch` against `fields` and return the accepted values (enum strings in their
 * canonical spelling). Throws DeviceRpcError -32602 listing every issue when any key is unknown or invalid.
 */
export function validatePatch(
  patch: JsonObject,
  fields: Readonly<Record<string, FieldSpec>>,
  what: string,
): Map<string, FieldValue> {
  const accepted = new Map<string, FieldValue>();
  const issues: ParamIssue[] = [];
  for (const [key, raw] of Object.entries(patch)) {
    const spec = fields[key];
    if (spec === undefined) {
      issues.push({ path: `config.${key}`, message: `unknown key; accepted: ${Object.keys(fields).join(', ')}` });
      continue;
    }
    const value = checkField(raw, spec);
    if (value === undefined) issues.push({ path: `config.${key}`, message: describe(spec) });
    else accepted.set(key, value);
  }
  if (issues.length > 0) throw DeviceRpcError.invalidParams(`Invalid configuration: ${what}`, issues);
  return accepted;
}

function checkField(raw: unknown, spec: FieldSpec): FieldValue | undefined {
  switch (spec.type) {
    case 'enum': {
      if (typeof raw === 'string') {
        return spec.values.find((v) => typeof v === 'string' && v.toLowerCase() === raw.toLowerCase());
      }
      return typeof raw === 'number' && spec.values.includes(raw) ? raw : undefined;
    }
    case 'number':
      if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < spec.min || raw > spec.max) return undefined;
      return spec.integer === true && !Number.isInteger(raw) ? undefined : raw;
    case 'boolean':
      return typeof raw === 'boolean' ? raw : undefined;
    case 'string':
      return typeof raw === 'string' && raw.length <= spec.maxLength ? raw : undefined;
  }
}

function describe(spec: FieldSpec): string {
  switch (spec.type) {
    case 'enum':
      return `must be one of ${spec.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'number':
      return `must be ${spec.integer === true ? 'an integer' : 'a number'} from ${spec.min} to ${spec.max}`;
    case 'boolean':
      return 'must be true or false';
    case 'string':
      return `must be a string of at most ${spec.maxLength} characters`;
  }
}

/** `current` with a validated patch applied (a new object; `current` is untouched). Throws like validatePatch. */
export function applyPatch<C extends object>(current: C, patch: JsonObject, fields: Readonly<Record<string, FieldSpec>>, what: string): C {
  const next = { ...current };
  for (const [key, value] of validatePatch(patch, fields, what)) Object.assign(next, { [key]: value });
  return next;
}
