// Sparkplug host counters, registered beside the hub's own Prometheus metrics.

import { Counter, type Registry } from 'prom-client';
import type { HubMetrics } from '../../../metrics/hub-metrics.ts';

type Labelled<L extends string> = Counter<L>;

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Labelled<L> {
  // One hub, one registry: a second host on the same registry shares the counter instead of failing.
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing as Labelled<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** The hub's counters plus the Sparkplug-specific ones. */
export class SparkplugHostMetrics {
  readonly hub: HubMetrics;
  /** Rebirth requests sent (NCMD Node Control/Rebirth), by why. */
  readonly rebirths: Labelled<'reason'>;
  /** Metrics received but not stored as telemetry, by why (DataSet, Template, arrays, nulls, transient…). */
  readonly skipped: Labelled<'reason'>;
  /** Device messages on `spBv1.0/{g}/{type}/{node}` (no device level) taken as the node's own device, by type. */
  readonly nodelessDevice: Labelled<'type'>;
  readonly #received = new Map<string, { inc(): void }>();

  constructor(hub: HubMetrics) {
    this.hub = hub;
    this.rebirths = counter(hub.registry, 'llmiot_sparkplug_rebirth_requests_total', 'Sparkplug rebirth requests (NCMD Node Control/Rebirth) sent, by reason.', ['reason']);
    this.nodelessDevice = counter(
      hub.registry,
      'llmiot_sparkplug_nodeless_device_messages_total',
      "Sparkplug device messages without a device level (spBv1.0/{group}/DBIRTH|DDATA|DDEATH/{node}), taken as the edge node's own device, by type.",
      ['type'],
    );
    this.skipped = counter(hub.registry, 'llmiot_sparkplug_metrics_skipped_total', 'Sparkplug metrics received but not stored as telemetry, by reason.', ['reason']);
  }

  /** Count a received message by type (pre-labelled children: this is the hot path). */
  received(type: string): void {
    let child = this.#received.get(type);
    if (child === undefined) this.#received.set(type, (child = this.hub.received.labels('sparkplug', type)));
    child.inc();
  }

  nodeless(type: string): void {
    this.nodelessDevice.inc({ type });
  }

  rejected(reason: string): void {
    this.hub.rejected.inc({ protocol: 'sparkplug', reason });
  }
}
