/** The cap on subscriptions per MQTT session, as a check the broker's authorizeSubscribe composes with others. */
import type { Client } from 'aedes';

/** Default {@link subscriptionLimit} cap. */
export const DEFAULT_MAX_SUBSCRIPTIONS_PER_CLIENT = 1_000;

/** The cap, as the broker's authorizeSubscribe uses it. */
export interface SubscriptionLimit {
  readonly max: number;
  /**
   * Why `filter` must be refused for `client` (its session already holds `max` filters), or null when
   * it fits; an admitted filter is counted at once, so filters of one SUBSCRIBE are counted together.
   * Run it after any other check of the same authorizeSubscribe, so only filters that will be
   * subscribed are counted.
   */
  check(client: Client, filter: string): string | null;
  /** The SUBSCRIBE of `client` completed: its admitted filters are now in the session (aedes `subscribe` event). */
  settled(client: Client): void;
}

/** aedes keeps a session's filters as the keys of `client.subscriptions`. */
type WithSubscriptions = Client & { readonly subscriptions?: Readonly<Record<string, unknown>> };

/**
 * A cap of `max` topic filters per MQTT session. Re-subscribing to a filter the session holds is
 * always allowed (it replaces the subscription [MQTT-3.8.4-3]). 10,000 filters on one socket tripled
 * another device's latency (issue 10); a refused filter gets the SUBACK failure code 0x80.
 */
export function subscriptionLimit(max = DEFAULT_MAX_SUBSCRIPTIONS_PER_CLIENT): SubscriptionLimit {
  // Admitted but not yet in client.subscriptions (a persistent session stores them first, asynchronously).
  const pending = new WeakMap<Client, Set<string>>();
  return {
    max,
    check(client, filter) {
      const held = (client as WithSubscriptions).subscriptions ?? {};
      if (Object.hasOwn(held, filter)) return null;
      let inFlight = pending.get(client);
      let count = Object.keys(held).length;
      if (inFlight !== undefined) {
        if (inFlight.has(filter)) return null;
        for (const f of inFlight) if (!Object.hasOwn(held, f)) count++;
      }
      if (count >= max) return `subscription refused: session ${client.id} already holds ${max} topic filters (the limit)`;
      if (inFlight === undefined) pending.set(client, (inFlight = new Set()));
      inFlight.add(filter);
      return null;
    },
    settled(client) {
      pending.delete(client);
    },
  };
}
