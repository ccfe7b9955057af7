/**
 * EnvelopeGuard: the safety envelopes at the one place every device write passes (the command
 * executor), so they bind an LLM tool, a person over /rpc or /ws, a token and a batch alike. A write
 * is refused with ENVELOPE_REFUSED naming the rule: a value outside the datasheet or policy range,
 * an interlock on current state, quiet hours, a rate limit, or a batch over its device cap.
 */
import type { Device, JsonObject } from '../core/device.ts';
import type { DeviceRegistry } from '../core/device-registry.ts';
import { HubError } from '../core/errors.ts';
import type { LatestValueCache } from '../core/latest-cache.ts';
import type { CommandGuard, GuardedCommand } from '../core/ports/command-guard.ts';
import type { EnvelopePolicy, EnvelopeRule } from './envelope.ts';
import { effectiveEnvelope, sameValue, type EffectiveEnvelope } from './effective-envelope.ts';
import { inWindow, minutesOfDay } from './local-time.ts';
import { RateWindow } from './rate-window.ts';

export interface EnvelopeGuardOptions {
  readonly policy: EnvelopePolicy;
  readonly registry: DeviceRegistry;
  readonly cache: LatestValueCache;
  readonly now: () => number;
  /** Whether a device-side method only reads (reads pass every envelope); unknown methods count as writes. */
  readonly isRead: (method: string) => boolean;
}

type Scalar = string | number | boolean;

export class EnvelopeGuard implements CommandGuard {
  readonly #o: EnvelopeGuardOptions;
  readonly #rates = new RateWindow();

  constructor(options: EnvelopeGuardOptions) {
    this.#o = options;
  }

  get policy(): EnvelopePolicy {
    return this.#o.policy;
  }

  /** What applies to `device` now (envelope.list). */
  effective(device: Device): EffectiveEnvelope {
    return effectiveEnvelope(this.#o.policy, device);
  }

  admit(command: GuardedCommand): void {
    this.check(command.device, command.method, command.params, true);
  }

  /**
   * Refuse (throw) a write of `method` with `params` on `device` that leaves its envelope; with
   * `count`, a write let through counts toward the rate limits (false: a preview, e.g. before an
   * approval is asked for).
   */
  check(device: Device, method: string, params: JsonObject, count: boolean): void {
    if (this.#o.isRead(method)) return;
    const env = this.effective(device);
    const config = isObject(params['config']) ? (params['config'] as Record<string, unknown>) : {};
    const refuse = (rule: EnvelopeRule, envelope: string, why: string, details: Record<string, unknown> = {}): never => {
      throw new HubError('ENVELOPE_REFUSED', `Envelope refused ${method} on ${device.hardwareId}: ${rule} (${envelope}): ${why}`, {
        rule,
        envelope,
        device_id: device.id,
        method,
        ...details,
      });
    };
    // Values: the datasheet's configuration options, narrowed by the policy.
    for (const [key, value] of Object.entries(config)) {
      const rule = env.config[key];
      if (rule === undefined) continue;
      const source = rule.sources.join(' + ');
      if (rule.read_only === true) refuse('read_only', source, `config.${key} is read-only`, { key });
      if (rule.allowed_values !== undefined && !rule.allowed_values.some((v) => sameValue(v, value as Scalar))) {
        refuse('allowed_values', source, `config.${key} = ${JSON.stringify(value)} is not one of ${rule.allowed_values.map((v) => JSON.stringify(v)).join(', ')}`, { key, value, allowed_values: rule.allowed_values });
      }
      if ((rule.minimum !== undefined || rule.maximum !== undefined) && typeof value !== 'number') {
        refuse('range', source, `config.${key} must be a number`, { key, value, minimum: rule.minimum, maximum: rule.maximum });
      }
      if (typeof value === 'number' && rule.minimum !== undefined && value < rule.minimum) {
        refuse('range', source, `config.${key} = ${value} is below the minimum ${rule.minimum}`, { key, value, minimum: rule.minimum, maximum: rule.maximum });
      }
      if (typeof value === 'number' && rule.maximum !== undefined && value > rule.maximum) {
        refuse('range', source, `config.${key} = ${value} is above the maximum ${rule.maximum}`, { key, value, minimum: rule.minimum, maximum: rule.maximum });
      }
    }
    const now = this.#o.now();
    // Interlocks: the current state of another device (the latest-value cache).
    for (const lock of env.interlocks) {
      const forbidden =
        (lock.forbid.methods?.includes(method) ?? false) ||
        (lock.forbid.key !== undefined && lock.forbid.key in config && (lock.forbid.values === undefined || lock.forbid.values.some((v) => sameValue(v, config[lock.forbid.key as string] as Scalar))));
      if (!forbidden) continue;
      const name = lock.name ?? `${lock.when.device} ${lock.when.measurement}`;
      const source = this.#o.registry.get(lock.when.device) ?? this.#o.registry.getByHardwareId(lock.when.device);
      const point = source === undefined ? undefined : this.#o.cache.forDevice(source.id, [lock.when.measurement])[0];
      const fresh = point !== undefined && typeof point.value === 'number' && (lock.when.max_age_s === undefined || now - point.ts <= lock.when.max_age_s * 1000);
      const details = { interlock: name, watched_device: lock.when.device, measurement: lock.when.measurement, below: lock.when.below, above: lock.when.above };
      if (!fresh) {
        if (lock.if_unknown === 'allow') continue;
        refuse('interlock', lock.envelope, `interlock "${name}": no ${lock.when.max_age_s === undefined ? '' : 'fresh '}${lock.when.measurement} from ${lock.when.device}, so it is refused to be safe`, { ...details, value: null });
      }
      const value = point?.value as number;
      if ((lock.when.below !== undefined && value < lock.when.below) || (lock.when.above !== undefined && value > lock.when.above)) {
        const bound = lock.when.below !== undefined && value < lock.when.below ? `below ${lock.when.below}` : `above ${lock.when.above}`;
        refuse('interlock', lock.envelope, `interlock "${name}": ${lock.when.device} ${lock.when.measurement} is ${value}, ${bound}`, { ...details, value });
      }
    }
    // Quiet hours in the policy's time zone.
    const minutes = minutesOfDay(now, env.time_zone);
    for (const quiet of env.quiet_hours) {
      if ((quiet.methods === undefined || quiet.methods.includes(method)) && inWindow(minutes, quiet.from, quiet.to)) {
        refuse('quiet_hours', quiet.envelope, `quiet hours ${quiet.from}–${quiet.to} (${env.time_zone})`, { from: quiet.from, to: quiet.to, time_zone: env.time_zone });
      }
    }
    // Rate limits per device, and per device and capability (a config key or a method).
    const limits = env.rate_limits.filter((r) => r.capability === undefined || r.capability === method || r.capability in config);
    for (const limit of limits) {
      const key = `${device.id}|${limit.capability ?? '*'}|${limit.per_seconds}`;
      const windowMs = limit.per_seconds * 1000;
      if (this.#rates.count(key, windowMs, now) >= limit.max) {
        const retry = Math.ceil((this.#rates.nextSlot(key, limit.max, windowMs, now) - now) / 1000);
        refuse('rate_limit', limit.envelope, `at most ${limit.max} write(s)${limit.capability === undefined ? '' : ` of ${limit.capability}`} per ${limit.per_seconds} s; next in ${retry} s`, {
          max: limit.max,
          per_seconds: limit.per_seconds,
          ...(limit.capability !== undefined && { capability: limit.capability }),
          retry_after_s: retry,
        });
      }
    }
    if (!count) return;
    for (const limit of limits) this.#rates.add(`${device.id}|${limit.capability ?? '*'}|${limit.per_seconds}`, now, limit.per_seconds * 1000);
  }

  admitBatch(method: string, devices: readonly Device[]): void {
    if (this.#o.isRead(method)) return;
    const counts = new Map<string, { max: number; n: number }>();
    for (const device of devices) {
      const cap = this.effective(device).max_batch_devices;
      if (cap === undefined) continue;
      const entry = counts.get(cap.envelope) ?? { max: cap.max, n: 0 };
      entry.n++;
      counts.set(cap.envelope, entry);
    }
    for (const [envelope, { max, n }] of counts) {
      if (n > max) {
        throw new HubError('ENVELOPE_REFUSED', `Envelope refused batch ${method}: max_batch_devices (${envelope}): ${n} devices selected, at most ${max} per batch; nothing was sent`, {
          rule: 'max_batch_devices',
          envelope,
          method,
          devices: n,
          max,
        });
      }
    }
  }
}

const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);
