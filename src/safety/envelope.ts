/**
 * Safety envelopes: what a device write may do, declared per device, model, tag or zone in the
 * policy file (`envelopes`), checked for every write whoever sends it (docs/llm.md).
 */

/** Which devices an envelope covers; every given criterion must hold (none given: every device). */
export interface EnvelopeMatch {
  /** Hardware ids or UUIDs. */
  readonly devices?: readonly string[];
  readonly models?: readonly string[];
  readonly tags?: readonly string[];
  readonly zones?: readonly string[];
  readonly types?: readonly ('mcu' | 'sensor' | 'actuator')[];
}

/** Allowed values of one configuration key: a range and/or a closed set. */
export interface ValueRule {
  readonly minimum?: number;
  readonly maximum?: number;
  readonly allowed_values?: readonly (string | number | boolean)[];
}

/** At most `max` writes in any `per_seconds` window, per device; only those touching `capability` (a config key or a method) when given. */
export interface RateLimit {
  readonly max: number;
  readonly per_seconds: number;
  readonly capability?: string;
}

/** "No pump on while the tank level is below 20": refuse `forbid` while the condition holds on `when.device`'s latest value. */
export interface Interlock {
  readonly name?: string;
  readonly when: {
    /** Hardware id or UUID of the device whose latest value decides. */
    readonly device: string;
    readonly measurement: string;
    readonly below?: number;
    readonly above?: number;
    /** A value older than this counts as unknown (default: any age). */
    readonly max_age_s?: number;
  };
  /** What is refused: a config key (any value, or only these values) and/or whole methods. */
  readonly forbid: { readonly key?: string; readonly values?: readonly (string | number | boolean)[]; readonly methods?: readonly string[] };
  /** No (fresh) value: refuse (default, the safe side) or allow. */
  readonly if_unknown?: 'refuse' | 'allow';
}

/** No writes between `from` and `to` (local time of the policy's time_zone; may span midnight). */
export interface QuietHours {
  readonly from: string;
  readonly to: string;
  /** Only these methods (default: every write). */
  readonly methods?: readonly string[];
}

export interface Envelope {
  /** How refusals name it; default `envelopes[i]`. */
  readonly name: string;
  readonly match: EnvelopeMatch;
  /** Per configuration key (of sensor.configure / mcu.set_config `config`), narrowing the datasheet. */
  readonly config?: Readonly<Record<string, ValueRule>>;
  readonly rate_limits?: readonly RateLimit[];
  readonly interlocks?: readonly Interlock[];
  readonly quiet_hours?: readonly QuietHours[];
  /** Most devices this envelope covers that one batch may write to. */
  readonly max_batch_devices?: number;
}

export interface EnvelopePolicy {
  readonly envelopes: readonly Envelope[];
  /** IANA time zone of quiet hours (default UTC). */
  readonly timeZone: string;
}

export const NO_ENVELOPES: EnvelopePolicy = { envelopes: [], timeZone: 'UTC' };

/** The rule a refusal names (ENVELOPE_REFUSED data.rule). */
export type EnvelopeRule = 'range' | 'allowed_values' | 'read_only' | 'rate_limit' | 'interlock' | 'quiet_hours' | 'max_batch_devices';
