/** AuthDenials: count every refused CONNECT, PUBLISH and SUBSCRIBE, and log them without flooding. */
import { Counter, type Registry } from 'prom-client';

export const DENIAL_STAGES = ['connect', 'publish', 'subscribe'] as const;
export type DenialStage = (typeof DENIAL_STAGES)[number];
export const DENIAL_REASONS = [
  'no_credentials',
  'bad_username',
  'bad_credentials',
  'bad_enrollment_key',
  'revoked',
  'client_id_mismatch',
  'certificate_mismatch',
  'foreign_will',
  'foreign_topic',
  'no_identity',
  'store_error',
] as const;
export type DenialReason = (typeof DENIAL_REASONS)[number];

/** The log calls denials make. */
export interface DenialLogger {
  warn(object: Record<string, unknown>, message: string): void;
}

/** At most one log line per stage and reason per interval, carrying how many were suppressed. */
const LOG_INTERVAL_MS = 10_000;

export class AuthDenials {
  readonly #counter: Counter<'stage' | 'reason'>;
  readonly #logger: DenialLogger | undefined;
  readonly #now: () => number;
  readonly #lastLogged = new Map<string, { at: number; suppressed: number }>();

  constructor(options: { registry?: Registry; logger?: DenialLogger; now?: () => number } = {}) {
    this.#counter = new Counter({
      name: 'llmiot_device_auth_denied_total',
      help: 'Device connections, publications and subscriptions the broker refused (docs/security.md), by stage and reason.',
      labelNames: ['stage', 'reason'] as const,
      registers: options.registry === undefined ? [] : [options.registry],
    });
    // Every stage and reason from 0, so increase()/rate() see the first denial of each.
    for (const stage of DENIAL_STAGES) for (const reason of DENIAL_REASONS) this.#counter.inc({ stage, reason }, 0);
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /** Count one denial and log it unless a line for the same stage and reason went out recently. */
  deny(stage: DenialStage, reason: DenialReason, who: string | null, what: string | null, error?: unknown): void {
    this.#counter.inc({ stage, reason });
    const key = `${stage}:${reason}`;
    const now = this.#now();
    const last = this.#lastLogged.get(key);
    if (last !== undefined && now - last.at < LOG_INTERVAL_MS) {
      last.suppressed++;
      return;
    }
    this.#lastLogged.set(key, { at: now, suppressed: 0 });
    const detail = stage === 'connect' ? { username: what } : { topic: what };
    this.#logger?.warn(
      { stage, reason, clientId: who, ...detail, ...(last !== undefined && last.suppressed > 0 && { suppressed: last.suppressed }), ...(error !== undefined && { err: String(error) }) },
      `device ${stage} refused: ${reason}`,
    );
  }

  /** Denials so far for a stage and reason (tests, the bench). */
  async count(stage: DenialStage, reason: DenialReason): Promise<number> {
    const values = (await this.#counter.get()).values;
    return values.find((v) => v.labels.stage === stage && v.labels.reason === reason)?.value ?? 0;
  }
}
