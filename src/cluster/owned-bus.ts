/**
 * OwnedBus: the MqttBus one protocol sees when its device sessions have owners (Sparkplug edge
 * nodes for seq order, LwM2M endpoints for their registration). A message whose session another
 * instance owns is not handled here: on a shared subscription (one instance gets each message) it is
 * relayed to the owner, and acknowledged once the broker took the relay (handled here when the
 * broker says no session subscribes to the owner's topic any more); on an unshared one (every
 * instance gets every message) it is dropped, the owner has its own copy.
 */
import { NoSubscribersError, type MessageHandler, type MessageMeta, type MqttBus, type QoS } from '../core/ports/mqtt-bus.ts';
import { matchTopic } from '../mqtt/topic-filter.ts';
import { BusView } from './bus-view.ts';
import { encodeRelay, relayTopic } from './instance-topics.ts';
import type { SessionWindow } from './session-window.ts';

/** Who owns which session key: now, and among the settled members (Membership). */
export interface SessionOwnership {
  readonly instance: string;
  ownerOf(key: string): string | undefined;
  settledOwnerOf(key: string): string | undefined;
}

export interface OwnedBusOptions {
  readonly protocol: string;
  readonly ownership: SessionOwnership;
  /** The session key of a topic (edge node id, endpoint); undefined: every instance handles it (e.g. STATE). */
  readonly keyOf: (topic: string) => string | undefined;
  /** Unshared subscriptions: where the messages of sessions owned elsewhere are kept for a takeover's replay. */
  readonly window?: SessionWindow;
  /** A relay to `owner` reached no subscriber: the members this instance knows are stale (re-read them). */
  readonly onOwnerGone?: (owner: string) => void;
}

/** A live message of a session being taken over, waiting for the replay to finish. */
interface HeldMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly meta: MessageMeta;
  readonly handler: MessageHandler;
}

interface Subscription {
  readonly filter: string;
  readonly handler: MessageHandler;
}

export class OwnedBus extends BusView {
  readonly #o: OwnedBusOptions;
  readonly #subscriptions = new Set<Subscription>();
  /** Every session key seen, owned here or not, with its last topic (a new owner re-establishes the sessions it takes over). */
  readonly keys = new Map<string, string>();
  /** Messages relayed to and dropped for other owners (metrics, tests). */
  relayed = 0;
  dropped = 0;
  /** Relays no session took (the owner died and its session was ended): handled here instead. */
  ownerGone = 0;
  /** Sessions being taken over: their live messages wait here until the replay is done. */
  readonly #holding = new Map<string, HeldMessage[]>();

  constructor(inner: MqttBus, options: OwnedBusOptions) {
    super(inner);
    this.#o = options;
  }

  override async subscribe(filter: string, handler: MessageHandler, options: { qos?: QoS; shared?: boolean } = {}): Promise<() => Promise<void>> {
    const subscription: Subscription = { filter, handler };
    this.#subscriptions.add(subscription);
    const shared = options.shared !== false;
    const wrapped: MessageHandler = (topic, payload, meta) => this.#route(topic, payload, meta, handler, shared);
    try {
      const unsubscribe = await this.inner.subscribe(filter, wrapped, options);
      return () => {
        this.#subscriptions.delete(subscription);
        return unsubscribe();
      };
    } catch (error) {
      this.#subscriptions.delete(subscription);
      throw error;
    }
  }

  /** A message another instance relayed here (this instance owns its session): to the handlers whose filter matches. */
  deliverRelayed(topic: string, payload: Buffer): Promise<void> | undefined {
    const meta: MessageMeta = { retain: false, qos: 1 };
    const holds: Promise<void>[] = [];
    for (const { filter, handler } of this.#subscriptions) {
      if (!matchTopic(filter, topic)) continue;
      const held = handler(topic, payload, meta);
      if (held !== undefined) holds.push(held);
    }
    return holds.length === 0 ? undefined : Promise.all(holds).then(() => undefined);
  }

  #route(topic: string, payload: Buffer, meta: MessageMeta, handler: MessageHandler, shared: boolean): void | Promise<void> {
    const key = this.#o.keyOf(topic);
    if (key === undefined) return handler(topic, payload, meta);
    this.keys.set(key, topic);
    const { instance } = this.#o.ownership;
    const owner = this.#o.ownership.ownerOf(key);
    if (!shared) {
      // Every instance gets this message: only the owner, once settled, handles it (one ingest, in seq order).
      if (owner === instance && this.#o.ownership.settledOwnerOf(key) === instance) {
        const held = this.#holding.get(key);
        if (held === undefined) return handler(topic, payload, meta);
        held.push({ topic, payload, meta, handler });
        return undefined;
      }
      this.dropped++;
      // Kept for a while in case its owner dies: the next owner replays what the dead one cannot have stored.
      this.#o.window?.add(key, topic, payload);
      return undefined;
    }
    if (owner === undefined || owner === instance) return handler(topic, payload, meta);
    this.relayed++;
    const relayed = this.inner.publish(relayTopic(owner, this.#o.protocol), encodeRelay(topic, payload), { qos: 1, requireSubscriber: true }).catch((error: unknown) => {
      if (!(error instanceof NoSubscribersError)) throw error;
      // The owner's session is gone (it died and a survivor adopted and ended its session before this
      // instance saw the members change): handle the message here rather than lose it.
      this.ownerGone++;
      this.#o.onOwnerGone?.(owner);
      return handler(topic, payload, meta) ?? undefined;
    });
    // QoS 0 is never held; a QoS 1 message is acknowledged once the broker took the relay for the owner (or it was handled here).
    if (meta.qos === 0) {
      relayed.catch(() => {});
      return undefined;
    }
    return relayed;
  }

  /**
   * Hold the live (unshared) messages of session `key` until the returned release is called: a new
   * owner replays the window first, so the session's messages are handled in their order.
   */
  hold(key: string): () => void {
    if (!this.#holding.has(key)) this.#holding.set(key, []);
    return () => {
      const held = this.#holding.get(key) ?? [];
      this.#holding.delete(key);
      for (const { topic, payload, meta, handler } of held) {
        try {
          const result = handler(topic, payload, meta);
          result?.catch(() => {});
        } catch {
          // a handler that throws is the protocol's to log; the others still get their messages
        }
      }
    };
  }
}
