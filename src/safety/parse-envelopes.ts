/** Validate the `envelopes` and `time_zone` of the policy file; an Error names the key at fault (`envelopes[2].interlocks[0].when.below`). */
import type { Envelope, EnvelopeMatch, EnvelopePolicy, Interlock, QuietHours, RateLimit, ValueRule } from './envelope.ts';

type Json = Record<string, unknown>;

const fail = (where: string, what: string): never => {
  throw new Error(`policy invalid: ${where} ${what}`);
};
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function object(value: unknown, where: string, keys: readonly string[]): Json {
  if (!isObject(value)) return fail(where, 'must be an object');
  for (const key of Object.keys(value)) if (!keys.includes(key)) fail(`${where}.${key}`, `is not a known key (expected one of ${keys.join(', ')})`);
  return value;
}
function strings(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) && value.length > 0 && value.every((s) => typeof s === 'string' && s !== '') ? (value as string[]) : fail(where, 'must be a non-empty array of strings');
}
function number(value: unknown, where: string, min = -Infinity): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' && Number.isFinite(value) && value >= min ? value : fail(where, min === -Infinity ? 'must be a number' : `must be a number ≥ ${min}`);
}
function scalars(value: unknown, where: string): (string | number | boolean)[] | undefined {
  if (value === undefined) return undefined;
  const ok = Array.isArray(value) && value.length > 0 && value.every((v) => ['string', 'number', 'boolean'].includes(typeof v));
  return ok ? (value as (string | number | boolean)[]) : fail(where, 'must be a non-empty array of strings, numbers or booleans');
}
/** `o` without its undefined members, typed so that they become optional (exactOptionalPropertyTypes). */
type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> };
const defined = <T extends object>(o: T): Defined<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Defined<T>;

function parseMatch(value: unknown, where: string): EnvelopeMatch {
  if (value === undefined) return {};
  const m = object(value, where, ['devices', 'models', 'tags', 'zones', 'types']);
  const types = strings(m['types'], `${where}.types`);
  for (const t of types ?? []) if (!['mcu', 'sensor', 'actuator'].includes(t)) fail(`${where}.types`, 'must list mcu, sensor or actuator');
  return defined({
    devices: strings(m['devices'], `${where}.devices`),
    models: strings(m['models'], `${where}.models`),
    tags: strings(m['tags'], `${where}.tags`),
    zones: strings(m['zones'], `${where}.zones`),
    types: types as EnvelopeMatch['types'],
  });
}

function parseValueRule(value: unknown, where: string): ValueRule {
  const r = object(value, where, ['minimum', 'maximum', 'allowed_values']);
  const rule = defined({ minimum: number(r['minimum'], `${where}.minimum`), maximum: number(r['maximum'], `${where}.maximum`), allowed_values: scalars(r['allowed_values'], `${where}.allowed_values`) });
  if (rule.minimum !== undefined && rule.maximum !== undefined && rule.minimum > rule.maximum) fail(`${where}.minimum`, `(${rule.minimum}) is above maximum (${rule.maximum})`);
  if (Object.keys(rule).length === 0) fail(where, 'needs minimum, maximum or allowed_values');
  return rule;
}

function parseRateLimit(value: unknown, where: string): RateLimit {
  const r = object(value, where, ['max', 'per_seconds', 'capability']);
  const max = number(r['max'], `${where}.max`, 1);
  const per = number(r['per_seconds'], `${where}.per_seconds`, 1);
  if (max === undefined || !Number.isInteger(max)) return fail(`${where}.max`, 'must be an integer ≥ 1');
  if (per === undefined) return fail(`${where}.per_seconds`, 'is required');
  const capability = r['capability'];
  if (capability !== undefined && (typeof capability !== 'string' || capability === '')) fail(`${where}.capability`, 'must be a config key or a method name');
  return defined({ max, per_seconds: per, capability: capability as string | undefined });
}

function parseInterlock(value: unknown, where: string): Interlock {
  const r = object(value, where, ['name', 'when', 'forbid', 'if_unknown']);
  const w = object(r['when'], `${where}.when`, ['device', 'measurement', 'below', 'above', 'max_age_s']);
  if (typeof w['device'] !== 'string' || w['device'] === '') fail(`${where}.when.device`, 'must be a hardware id or UUID');
  if (typeof w['measurement'] !== 'string' || w['measurement'] === '') fail(`${where}.when.measurement`, 'must be a measurement type');
  const below = number(w['below'], `${where}.when.below`);
  const above = number(w['above'], `${where}.when.above`);
  if (below === undefined && above === undefined) fail(`${where}.when`, 'needs below or above');
  const f = object(r['forbid'], `${where}.forbid`, ['key', 'values', 'methods']);
  if (f['key'] !== undefined && (typeof f['key'] !== 'string' || f['key'] === '')) fail(`${where}.forbid.key`, 'must be a config key');
  const forbid = defined({ key: f['key'] as string | undefined, values: scalars(f['values'], `${where}.forbid.values`), methods: strings(f['methods'], `${where}.forbid.methods`) });
  if (forbid.key === undefined && forbid.methods === undefined) fail(`${where}.forbid`, 'needs key or methods');
  const ifUnknown = r['if_unknown'];
  if (ifUnknown !== undefined && ifUnknown !== 'refuse' && ifUnknown !== 'allow') fail(`${where}.if_unknown`, 'must be refuse or allow');
  if (r['name'] !== undefined && typeof r['name'] !== 'string') fail(`${where}.name`, 'must be a string');
  return defined({
    name: r['name'] as string | undefined,
    when: defined({ device: w['device'] as string, measurement: w['measurement'] as string, below, above, max_age_s: number(w['max_age_s'], `${where}.when.max_age_s`, 0) }),
    forbid,
    if_unknown: ifUnknown as Interlock['if_unknown'],
  });
}

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

function parseQuietHours(value: unknown, where: string): QuietHours {
  const r = object(value, where, ['from', 'to', 'methods']);
  for (const key of ['from', 'to']) if (typeof r[key] !== 'string' || !CLOCK.test(r[key] as string)) fail(`${where}.${key}`, 'must be a time HH:MM (24 h)');
  if (r['from'] === r['to']) fail(`${where}.to`, 'must differ from from');
  return defined({ from: r['from'] as string, to: r['to'] as string, methods: strings(r['methods'], `${where}.methods`) });
}

function list<T>(value: unknown, where: string, parse: (v: unknown, w: string) => T): T[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return fail(where, 'must be an array');
  return value.map((v, i) => parse(v, `${where}[${i}]`));
}

/** The envelopes of a policy document (the same JSON file as the actuation policy). */
export function parseEnvelopePolicy(document: unknown): EnvelopePolicy {
  if (!isObject(document)) return fail('document', 'must be a JSON object');
  const timeZone = document['time_zone'] ?? 'UTC';
  if (typeof timeZone !== 'string') return fail('time_zone', 'must be an IANA time zone name');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    fail('time_zone', `"${timeZone}" is not a time zone this runtime knows (e.g. Europe/Berlin)`);
  }
  const raw = document['envelopes'];
  if (raw === undefined) return { envelopes: [], timeZone };
  if (!Array.isArray(raw)) return fail('envelopes', 'must be an array');
  const envelopes = raw.map((value, i): Envelope => {
    const where = `envelopes[${i}]`;
    const e = object(value, where, ['name', 'match', 'config', 'rate_limits', 'interlocks', 'quiet_hours', 'max_batch_devices']);
    if (e['name'] !== undefined && (typeof e['name'] !== 'string' || e['name'] === '')) fail(`${where}.name`, 'must be a non-empty string');
    let config: Record<string, ValueRule> | undefined;
    if (e['config'] !== undefined) {
      if (!isObject(e['config'])) fail(`${where}.config`, 'must be an object of config keys');
      config = Object.fromEntries(Object.entries(e['config'] as Json).map(([key, rule]) => [key, parseValueRule(rule, `${where}.config.${key}`)]));
    }
    const cap = number(e['max_batch_devices'], `${where}.max_batch_devices`, 1);
    if (cap !== undefined && !Number.isInteger(cap)) fail(`${where}.max_batch_devices`, 'must be an integer ≥ 1');
    const envelope: Envelope = defined({
      name: (e['name'] as string | undefined) ?? where,
      match: parseMatch(e['match'], `${where}.match`),
      config,
      rate_limits: list(e['rate_limits'], `${where}.rate_limits`, parseRateLimit),
      interlocks: list(e['interlocks'], `${where}.interlocks`, parseInterlock),
      quiet_hours: list(e['quiet_hours'], `${where}.quiet_hours`, parseQuietHours),
      max_batch_devices: cap,
    });
    if (Object.keys(envelope).length === 2) fail(where, 'declares no rule (config, rate_limits, interlocks, quiet_hours or max_batch_devices)');
    return envelope;
  });
  return { envelopes, timeZone };
}
