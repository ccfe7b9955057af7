/** Deliveries to a device at no more than the QoS its matching subscriptions were granted [MQTT-3.8.4-6]. */
import type { Client } from 'aedes';
import { matchTopic } from './topic-filter.ts';

type Deliver = (packet: { topic: string; qos: number }, done: (error?: Error) => void) => void;

/** The parts of an aedes Client this module touches. */
type DeliveringClient = Client & {
  deliverQoS: Deliver;
  readonly subscriptions: Readonly<Record<string, { readonly qos: number } | undefined>>;
};

/**
 * Cap the QoS of every QoS 1/2 delivery to `client` at the highest QoS granted among its subscriptions
 * matching the topic [MQTT-3.8.4-6][MQTT-3.3.5-1]. aedes downgrades only when a subscription's filter
 * equals the topic, so a retained message (which aedes sends through `deliverQoS` with its stored QoS)
 * or a live one reached through a wildcard filter went out at the publisher's QoS. Install right
 * after `aedes.handle()`, before the client subscribes: aedes binds `deliverQoS` into each
 * subscription. Each packet reaching `deliverQoS` is this client's own copy, so it is capped in place.
 */
export function capDeliveryQos(client: Client): void {
  const c = client as DeliveringClient;
  const deliver = c.deliverQoS;
  c.deliverQoS = (packet, done) => {
    if (packet.qos > 0) {
      const granted = grantedQos(c.subscriptions, packet.topic);
      if (granted !== undefined && granted < packet.qos) packet.qos = granted;
    }
    deliver(packet, done);
  };
}

/** The highest QoS granted to a filter matching `topic`, or undefined when none matches. */
function grantedQos(subscriptions: DeliveringClient['subscriptions'], topic: string): number | undefined {
  let best: number | undefined;
  for (const filter in subscriptions) {
    const qos = subscriptions[filter]?.qos ?? 0;
    if (best !== undefined && qos <= best) continue;
    if (matchTopic(filter, topic)) {
      best = qos;
      if (best === 2) break;
    }
  }
  return best;
}
