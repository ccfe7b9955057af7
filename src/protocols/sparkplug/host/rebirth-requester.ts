// Rebirth requests (NCMD Node Control/Rebirth = true), at most one per edge node per debounce window.

import type { Logger } from '../../../log/logger.ts';
import type { MqttBus } from '../../../core/ports/mqtt-bus.ts';
import { commandTopic, rebirthPayload } from './command-payloads.ts';
import { sessionKey } from './edge-node-session.ts';
import type { SparkplugHostMetrics } from './host-metrics.ts';

/** Why the host asked an edge node to rebirth. */
export const REBIRTH_REASONS = ['seq_gap', 'data_before_birth', 'unknown_alias', 'unknown_metric', 'unknown_device', 'datatype_mismatch', 'invalid_birth', 'duplicate_alias', 'owner_changed'] as const;
export type RebirthReason = (typeof REBIRTH_REASONS)[number];

export interface RebirthRequesterOptions {
  readonly bus: MqttBus;
  readonly logger: Logger;
  readonly metrics: SparkplugHostMetrics;
  readonly now: () => number;
  /** Least time between two requests to one edge node (default 5000 ms, as Eclipse Tahu's host). */
  readonly debounceMs: number;
}

export class RebirthRequester {
  readonly #o: RebirthRequesterOptions;
  /** Last request time per `{group}/{node}`. */
  readonly #last = new Map<string, number>();

  constructor(options: RebirthRequesterOptions) {
    this.#o = options;
  }

  /** Ask `{groupId}/{edgeNodeId}` to rebirth unless it was asked within the debounce window; returns whether it was sent. */
  request(groupId: string, edgeNodeId: string, reason: RebirthReason, detail: string): boolean {
    const key = sessionKey(groupId, edgeNodeId);
    const now = this.#o.now();
    const last = this.#last.get(key);
    if (last !== undefined && now - last < this.#o.debounceMs) {
      this.#o.logger.debug({ groupId, edgeNodeId, reason, detail }, 'sparkplug: rebirth already requested recently');
      return false;
    }
    this.#last.set(key, now);
    this.#o.metrics.rebirths.inc({ reason });
    this.#o.logger.info({ groupId, edgeNodeId, reason, detail }, 'sparkplug: requesting rebirth');
    this.#o.bus.publish(commandTopic(groupId, edgeNodeId), Buffer.from(rebirthPayload(now)), { qos: 0, retain: false }).catch((error: unknown) => {
      this.#o.logger.warn({ err: error, groupId, edgeNodeId }, 'sparkplug: rebirth request not sent');
    });
    return true;
  }

  clear(): void {
    this.#last.clear();
  }
}
