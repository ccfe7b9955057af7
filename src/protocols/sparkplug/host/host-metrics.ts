// Sparkplug host counters, registered beside the hub's own Prometheus metrics.

import type { Counter } from 'prom-client';
import { counter } from '../../../metrics/declare.ts';
import type { HubMetrics } from '../../../metrics/hub-metrics.ts';
import { SKIP_REASONS } from './metric-points.ts';
import { REBIRTH_REASONS } from './rebirth-requester.ts';
import { SPARKPLUG_REJECTION_REASONS } from './rejection-reasons.ts';

/** The hub's counters plus the Sparkplug-specific ones. */
export class SparkplugHostMetrics {
  readonly hub: HubMetrics;
  /** Rebirth requests sent (NCMD Node Control/Rebirth), by why. */
  readonly rebirths: Counter<'reason'>;
  /** Metrics received but not stored as telemetry, by why (DataSet, Template, arrays, nulls, transient…). */
  readonly skipped: Counter<'reason'>;
  /** Device messages on `spBv1.0/{g}/{type}/{node}` (no device level) taken as the node's own device, by type. */
  readonly nodelessDevice: Counter<'type'>;
  /** Scale-out: messages a new owner replayed from the window other instances kept (never in llmiot_messages_received_total), by type. */
  readonly replayed: Counter<'type'>;
  /** Scale-out: replayed messages rejected (never in llmiot_messages_rejected_total), by reason. */
  readonly replayRejected: Counter<'reason'>;
  readonly #received = new Map<string, { inc(): void }>();
  /** While a replay runs, received messages count as replayed: the dead owner counted them already when they arrived. */
  #replaying = false;

  constructor(hub: HubMetrics) {
    this.hub = hub;
    // One hub, one registry: a second host on the same registry shares these counters (counter() returns the existing one).
    this.rebirths = counter(hub.registry, {
      name: 'llmiot_sparkplug_rebirth_requests_total',
      help: 'Sparkplug rebirth requests (NCMD Node Control/Rebirth) sent, by reason.',
      labelNames: ['reason'],
      initial: REBIRTH_REASONS.map((reason) => ({ reason })),
    });
    this.nodelessDevice = counter(hub.registry, {
      name: 'llmiot_sparkplug_nodeless_device_messages_total',
      help: "Sparkplug device messages without a device level (spBv1.0/{group}/DBIRTH|DDATA|DDEATH/{node}), taken as the edge node's own device, by type.",
      labelNames: ['type'],
      initial: ['DBIRTH', 'DDATA', 'DDEATH'].map((type) => ({ type })),
    });
    this.replayed = counter(hub.registry, {
      name: 'llmiot_sparkplug_replayed_messages_total',
      help: 'Sparkplug messages a new owner replayed after a hub instance died (scale-out), by type; not counted again in llmiot_messages_received_total.',
      labelNames: ['type'],
      initial: ['NBIRTH', 'NDATA', 'DBIRTH', 'DDATA', 'DDEATH'].map((type) => ({ type })),
    });
    this.replayRejected = counter(hub.registry, {
      name: 'llmiot_sparkplug_replay_rejected_total',
      help: 'Sparkplug messages a new owner replayed after a hub instance died (scale-out) and rejected, by reason; not counted again in llmiot_messages_rejected_total.',
      labelNames: ['reason'],
      initial: SPARKPLUG_REJECTION_REASONS.map((reason) => ({ reason })),
    });
    this.skipped = counter(hub.registry, {
      name: 'llmiot_sparkplug_metrics_skipped_total',
      help: 'Sparkplug metrics received but not stored as telemetry, by reason.',
      labelNames: ['reason'],
      initial: [...SKIP_REASONS, 'unknown_alias', 'unknown_metric'].map((reason) => ({ reason })),
    });
  }

  /** Count a received message by type (pre-labelled children: this is the hot path). */
  received(type: string): void {
    if (this.#replaying) {
      this.replayed.inc({ type });
      return;
    }
    let child = this.#received.get(type);
    if (child === undefined) this.#received.set(type, (child = this.hub.received.labels('sparkplug', type)));
    child.inc();
  }

  /** Count the messages `run` handles (and the rejections among them) as replayed, not received. */
  replaying(run: () => void): void {
    this.#replaying = true;
    try {
      run();
    } finally {
      this.#replaying = false;
    }
  }

  nodeless(type: string): void {
    this.nodelessDevice.inc({ type });
  }

  rejected(reason: string): void {
    // A replayed message was judged when it arrived (by the dead owner, or counted by it as received): apart.
    if (this.#replaying) this.replayRejected.inc({ reason });
    else this.hub.rejected.inc({ protocol: 'sparkplug', reason });
  }
}
