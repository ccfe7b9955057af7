/** The envelope that applies to one device: the datasheet's configuration options narrowed by every matching policy envelope. */
import type { Device } from '../core/device.ts';
import type { Envelope, EnvelopePolicy, Interlock, QuietHours, RateLimit } from './envelope.ts';

/** Allowed values of one config key after every source has narrowed them. */
export interface EffectiveValueRule {
  minimum?: number;
  maximum?: number;
  allowed_values?: (string | number | boolean)[];
  read_only?: boolean;
  /** Where each bound comes from: `datasheet` or an envelope's name. */
  sources: string[];
}

export interface EffectiveEnvelope {
  /** Names of the policy envelopes that match the device. */
  readonly envelopes: string[];
  readonly config: Record<string, EffectiveValueRule>;
  readonly rate_limits: (RateLimit & { envelope: string })[];
  readonly interlocks: (Interlock & { envelope: string })[];
  readonly quiet_hours: (QuietHours & { envelope: string })[];
  /** The smallest cap of the envelopes that match (absent: none). */
  readonly max_batch_devices?: { max: number; envelope: string };
  readonly time_zone: string;
}

const lower = (values: readonly string[] | undefined): string[] | undefined => values?.map((v) => v.toLowerCase());

/** True when `device` is covered by `envelope` (every criterion given holds). */
export function envelopeMatches(envelope: Envelope, device: Device): boolean {
  const m = envelope.match;
  if (m.devices !== undefined && !m.devices.includes(device.id) && !m.devices.includes(device.hardwareId)) return false;
  if (m.models !== undefined && !lower(m.models)?.includes(device.model.toLowerCase())) return false;
  if (m.tags !== undefined && !device.tags.some((t) => lower(m.tags)?.includes(t.toLowerCase()))) return false;
  if (m.zones !== undefined && !(device.zone !== null && lower(m.zones)?.includes(device.zone.toLowerCase()))) return false;
  if (m.types !== undefined && !m.types.includes(device.type)) return false;
  return true;
}

/** The datasheet's `configuration_options` of a static schema, as value rules. */
function datasheetRules(device: Device): Record<string, EffectiveValueRule> {
  const options = device.staticSchema['configuration_options'];
  const out: Record<string, EffectiveValueRule> = {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return out;
  for (const [key, raw] of Object.entries(options as Record<string, unknown>)) {
    if (raw === null || typeof raw !== 'object') continue;
    const o = raw as Record<string, unknown>;
    const rule: EffectiveValueRule = { sources: ['datasheet'] };
    if (typeof o['minimum'] === 'number') rule.minimum = o['minimum'];
    if (typeof o['maximum'] === 'number') rule.maximum = o['maximum'];
    if (Array.isArray(o['allowed_values'])) rule.allowed_values = (o['allowed_values'] as unknown[]).filter((v): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v));
    if (o['read_only'] === true) rule.read_only = true;
    if (rule.minimum !== undefined || rule.maximum !== undefined || rule.allowed_values !== undefined || rule.read_only === true) out[key] = rule;
  }
  return out;
}

const same = (a: string | number | boolean, b: string | number | boolean): boolean =>
  typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;

export function effectiveEnvelope(policy: EnvelopePolicy, device: Device): EffectiveEnvelope {
  const matching = policy.envelopes.filter((e) => envelopeMatches(e, device));
  const config = datasheetRules(device);
  for (const envelope of matching) {
    for (const [key, rule] of Object.entries(envelope.config ?? {})) {
      const current = (config[key] ??= { sources: [] });
      current.sources.push(envelope.name);
      if (rule.minimum !== undefined) current.minimum = current.minimum === undefined ? rule.minimum : Math.max(current.minimum, rule.minimum);
      if (rule.maximum !== undefined) current.maximum = current.maximum === undefined ? rule.maximum : Math.min(current.maximum, rule.maximum);
      if (rule.allowed_values !== undefined) {
        const narrowed = current.allowed_values;
        current.allowed_values = narrowed === undefined ? [...rule.allowed_values] : narrowed.filter((v) => rule.allowed_values?.some((w) => same(v, w)));
      }
    }
  }
  const caps = matching.flatMap((e) => (e.max_batch_devices === undefined ? [] : [{ max: e.max_batch_devices, envelope: e.name }]));
  const cap = caps.reduce<(typeof caps)[number] | undefined>((least, c) => (least === undefined || c.max < least.max ? c : least), undefined);
  return {
    envelopes: matching.map((e) => e.name),
    config,
    rate_limits: matching.flatMap((e) => (e.rate_limits ?? []).map((r) => ({ ...r, envelope: e.name }))),
    interlocks: matching.flatMap((e) => (e.interlocks ?? []).map((r) => ({ ...r, envelope: e.name }))),
    quiet_hours: matching.flatMap((e) => (e.quiet_hours ?? []).map((r) => ({ ...r, envelope: e.name }))),
    ...(cap !== undefined && { max_batch_devices: cap }),
    time_zone: policy.timeZone,
  };
}

export { same as sameValue };
