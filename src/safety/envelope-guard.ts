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
import type { TelemetryStore } from '../core/ports/telemetry-store.ts';
import type { TelemetryPoint } from '../core/telemetry.ts';
import type { EnvelopePolicy, EnvelopeRule } from './envelope.ts';
import { effectiveEnvelope, sameValue, type EffectiveEnvelope } from './effective-envelope.ts';
import { inWindow, minutesOfDay } from './local-time.ts';
import { RateWindow } from './rate-window.ts';

export interface EnvelopeGuardOptions {
  readonly policy: EnvelopePolicy;
  readonly registry: DeviceRegistry;
  readonly cache: LatestValueCache;
  /**
   * The committed latest values every hub instance writes (the store's `latest` table), set when this
   * hub is one of several (src/cluster/): another instance may have ingested the watched reading, so
   * an interlock decides on the newer of the cache and the store. Absent: the cache alone.
   */
  readonly shared?: Pick<TelemetryStore, 'latest'>;
  /**
   * Longest wait in ms for `shared` to answer; past it the write is refused, as when the store cannot
   * be read. Default {@link SHARED_READ_TIMEOUT_MS}.
   */
  readonly sharedReadTimeoutMs?: number;
  readonly now: () => number;
  /** Whether a device-side method only reads (reads pass every envelope); unknown methods count as writes. */
  readonly isRead: (method: string) => boolean;
}

/**
 * Default {@link EnvelopeGuardOptions.sharedReadTimeoutMs}: an unreachable PostgreSQL would otherwise
 * hold the write (and its caller) until pg gives up on the connection (10 s to get one from the pool,
 * none for the query). The read is one indexed lookup, well under this on a healthy store.
 */
export const SHARED_READ_TIMEOUT_MS = 2_000;

type Scalar = string | number | boolean;
/** The watched points read from the shared store for one write, by `deviceId|measurement`; `unreadable`: why the store could not be read. */
type SharedPoints = ReadonlyMap<string, TelemetryPoint> | { readonly unreadable: string };

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

  admit(command: GuardedCommand): void | Promise<void> {
    return this.judge(command.device, command.method, command.params, true);
  }

  /**
   * {@link check} with the interlocks' values as the cluster knows them: alone, the cache (at once);
   * clustered, the newer of the cache and the store, so a promise. `count` as for check (false: a
   * preview before an approval is asked for).
   */
  judge(device: Device, method: string, params: JsonObject, count: boolean): void | Promise<void> {
    if (this.#o.shared === undefined) return this.check(device, method, params, count);
    return this.#judgeShared(device, method, params, count, this.#o.shared);
  }

  /** Clustered: read the watched values of the interlocks this write trips from the store first (one query), then check. */
  async #judgeShared(device: Device, method: string, params: JsonObject, count: boolean, shared: Pick<TelemetryStore, 'latest'>): Promise<void> {
    const watched = this.#o.isRead(method) ? [] : this.#tripped(this.effective(device), method, params);
    let points: SharedPoints = new Map();
    if (watched.length > 0) {
      const ids = new Set<string>();
      const measurements = new Set<string>();
      for (const lock of watched) {
        const source = this.#source(lock.when.device);
        if (source === undefined) continue;
        ids.add(source.id);
        measurements.add(lock.when.measurement);
      }
      const timeoutMs = this.#o.sharedReadTimeoutMs ?? SHARED_READ_TIMEOUT_MS;
      let timer: ReturnType<typeof setTimeout> | undefined;
      // Fail closed after timeoutMs: the query is abandoned (its answer, if any, is dropped), not cancelled.
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, timeoutMs, 'timeout')));
      try {
        const read = ids.size === 0 ? [] : await Promise.race([shared.latest({ deviceIds: [...ids], measurements: [...measurements] }), timedOut]);
        points = read === 'timeout' ? { unreadable: `the shared store did not answer within ${timeoutMs} ms` } : new Map(read.map((p) => [`${p.deviceId}|${p.measurement}`, p]));
      } catch {
        points = { unreadable: 'the shared store could not be read' };
      } finally {
        clearTimeout(timer);
      }
    }
    this.check(device, method, params, count, points);
  }

  /**
   * Refuse (throw) a write of `method` with `params` on `device` that leaves its envelope; with
   * `count`, a write let through counts toward the rate limits (false: a preview, e.g. before an
   * approval is asked for). `shared`: the watched points read from the store (clustered, see admit).
   */
  check(device: Device, method: string, params: JsonObject, count: boolean, shared?: SharedPoints): void {
    if (this.#o.isRead(method)) return;
    const env = this.effective(device);
    const config = configOf(params);
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
    // Interlocks: the current state of another device (the latest-value cache; clustered, the newer of it and the store).
    for (const lock of this.#tripped(env, method, params)) {
      const name = lock.name ?? `${lock.when.device} ${lock.when.measurement}`;
      const details = { interlock: name, watched_device: lock.when.device, measurement: lock.when.measurement, below: lock.when.below, above: lock.when.above };
      if (shared !== undefined && 'unreadable' in shared) {
        // Fail closed whatever if_unknown says: the cluster may know a newer value this instance cannot read.
        refuse('interlock', lock.envelope, `interlock "${name}": ${shared.unreadable} for ${lock.when.measurement} from ${lock.when.device}, so it is refused to be safe`, { ...details, value: null });
      }
      const stored = shared !== undefined && !('unreadable' in shared) ? shared : undefined;
      const source = this.#source(lock.when.device);
      const point = source === undefined ? undefined : newer(this.#o.cache.forDevice(source.id, [lock.when.measurement])[0], stored?.get(`${source.id}|${lock.when.measurement}`));
      const fresh = point !== undefined && typeof point.value === 'number' && (lock.when.max_age_s === undefined || now - point.ts <= lock.when.max_age_s * 1000);
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

  #source(device: string): Device | undefined {
    return this.#o.registry.get(device) ?? this.#o.registry.getByHardwareId(device);
  }

  /** The interlocks whose `forbid` this write matches. */
  #tripped(env: EffectiveEnvelope, method: string, params: JsonObject): EffectiveEnvelope['interlocks'] {
    const config = configOf(params);
    return env.interlocks.filter(
      (lock) =>
        (lock.forbid.methods?.includes(method) ?? false) ||
        (lock.forbid.key !== undefined && lock.forbid.key in config && (lock.forbid.values === undefined || lock.forbid.values.some((v) => sameValue(v, config[lock.forbid.key as string] as Scalar)))),
    );
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

/** The newer of two readings of one series (the cache's and the store's). */
const newer = (a: TelemetryPoint | undefined, b: TelemetryPoint | undefined): TelemetryPoint | undefined => (a === undefined || (b !== undefined && b.ts > a.ts) ? b : a);

const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);
const configOf = (params: JsonObject): Record<string, unknown> => (isObject(params['config']) ? (params['config'] as Record<string, unknown>) : {});
