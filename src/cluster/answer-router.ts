/**
 * AnswerRouter: device answers to commands another instance waits for. The broker hands a device's
 * answer to whichever instance its shared subscription picks; when that is not the instance that sent
 * the command, the command's route (PostgreSQL `command_routes`) names the waiting instance, and the
 * answer goes to it on its own topic. The waiting instance applies the usual rule (only the command's
 * device or its MCU may answer) and completes it; its timeout stays in force until then.
 */
import type { AnswerOutcome, DeviceIngress } from '../core/device-ingress.ts';
import type { RpcErrorObject } from '../core/errors.ts';
import type { Logger } from '../log/logger.ts';
import type { PostgresClusterStore } from '../storage/postgres/postgres-cluster-store.ts';

type Outcome = { result: unknown } | { error: RpcErrorObject };

/** An answer on its way to the waiting instance. */
export interface ForwardedAnswer {
  readonly id: string;
  readonly from: string;
  readonly outcome: Outcome;
}

export interface AnswerRouterOptions {
  readonly cluster: PostgresClusterStore;
  readonly instance: string;
  readonly logger: Logger;
  /** Publish to the waiting instance's answer topic. */
  readonly send: (instance: string, answer: ForwardedAnswer) => Promise<void>;
  /** An answer no instance waits for (finished, timed out or never sent): counted by the caller's protocol. */
  readonly onUnmatched?: (answer: ForwardedAnswer) => void;
}

/** The hub's DeviceIngress for protocols, whose `completed` forwards what no local command waits for. */
export function routingIngress(inner: DeviceIngress, router: AnswerRouter): DeviceIngress {
  return {
    announce: (announcement) => inner.announce(announcement),
    seen: (deviceId, state) => inner.seen(deviceId, state),
    report: (points) => inner.report(points),
    disconnected: (deviceId, reason, options) => inner.disconnected(deviceId, reason, options),
    stale: (deviceId, state) => inner.stale(deviceId, state),
    removed: (deviceId) => inner.removed(deviceId),
    completed(commandId: string, from: string, outcome: Outcome): AnswerOutcome {
      const taken = inner.completed(commandId, from, outcome);
      if (taken !== 'unknown') return taken;
      router.forward({ id: commandId, from, outcome });
      return 'forwarded';
    },
  };
}

export class AnswerRouter {
  readonly #o: AnswerRouterOptions;
  /** Answers sent to another instance, and answers no instance waited for (tests, metrics). */
  forwarded = 0;
  unmatched = 0;

  constructor(options: AnswerRouterOptions) {
    this.#o = options;
  }

  /** Look up who waits for the command and send the answer there. */
  forward(answer: ForwardedAnswer): void {
    this.#o.cluster
      .waitingInstance(answer.id)
      .then(async (instance) => {
        if (instance === undefined || instance === this.#o.instance) {
          this.unmatched++;
          this.#o.onUnmatched?.(answer);
          return;
        }
        await this.#o.send(instance, answer);
        this.forwarded++;
      })
      .catch((error: unknown) => this.#o.logger.warn({ err: error instanceof Error ? error.message : String(error), commandId: answer.id }, 'cluster: command answer not forwarded'));
  }

  /** An answer another instance forwarded here. */
  static parse(payload: Buffer): ForwardedAnswer | undefined {
    try {
      const value = JSON.parse(payload.toString('utf8')) as Partial<ForwardedAnswer>;
      if (typeof value.id !== 'string' || typeof value.from !== 'string' || typeof value.outcome !== 'object' || value.outcome === null) return undefined;
      return value as ForwardedAnswer;
    } catch {
      return undefined;
    }
  }
}
