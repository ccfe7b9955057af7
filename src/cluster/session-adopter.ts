/**
 * Session adoption: a survivor takes over the broker session of an instance that died (its lease
 * expired) so that instance's share of the shared-subscription group is not lost. The broker keeps
 * queueing the dead instance's share in its kept session until the session expires; the adopter
 * connects with the dead instance's client id and Clean Start 0 (MQTT 5.0 §3.1.2.4), receives what
 * was queued and hands it to this instance's own handlers (acknowledged after commit, as always),
 * unsubscribes the dead session from the group and from the dead instance's own topics so nothing new
 * is routed to it (a relay sent to the dead instance from then on finds no subscriber, and its sender
 * handles it: OwnedBus), and ends the session
 * (DISCONNECT with Session Expiry Interval 0, §3.14.2.2.2) once a marker it published behind the
 * queue came back. A command another instance forwarded to the dead one for a device whose session it
 * owned (queued under `llmiot/hub/{dead}/deliver`) goes to the device's current owner (`deliver`), so
 * the caller, still waiting on its own instance, gets its answer. If the dead instance returns meanwhile, the broker hands the session back to it
 * (session takeover, §3.1.4): the adopter stops there, and what it did not acknowledge the broker
 * sends to the returned instance.
 */
import { randomUUID } from 'node:crypto';
import type { MessageHandler, MessageMeta } from '../core/ports/mqtt-bus.ts';
import type { Logger } from '../log/logger.ts';
import { ExternalMqttBus, type ExternalMqttBusOptions } from '../mqtt/external-bus.ts';
import { matchTopic, sharedFilter } from '../mqtt/topic-filter.ts';
import { decodeRelay, deliverTopic, FANOUT_TOPIC, HUB_PREFIX, instanceFilter } from './instance-topics.ts';
import type { LoggedSubscription } from './logged-bus.ts';

/** How an adoption ended. */
export type AdoptionOutcome =
  /** Everything queued was taken and the session ended. */
  | { readonly kind: 'drained'; readonly messages: number }
  /** The dead instance came back and took its session (the broker said so: DISCONNECT 0x8E): the adopter stopped. */
  | { readonly kind: 'taken-over'; readonly messages: number }
  /**
   * The broker could not be reached, the connection ended (a broker that closes the connection of
   * a session taken over without saying so, as Mosquitto 2.0 does, lands here too) or the marker did
   * not come back in time: the adopter stopped; try again later, only while the lease stays expired.
   */
  | { readonly kind: 'failed'; readonly messages: number; readonly error: string };

export interface AdoptSessionOptions {
  readonly url: string;
  /** The dead instance's client id (= instance id). */
  readonly dead: string;
  /** This instance's shared-subscription group (the dead one's too). */
  readonly sharedGroup: string;
  /** The subscriptions of this instance's protocols: the dead instance made the same ones. */
  readonly subscriptions: readonly LoggedSubscription[];
  /** Credentials, session expiry while adopting, logger: the rest of the connection's options. */
  readonly connection: Pick<ExternalMqttBusOptions, 'username' | 'password' | 'sessionExpirySeconds' | 'connectTimeoutMs'>;
  /** How long the queue may take to drain before the adoption is given up (and retried later). */
  readonly drainTimeoutMs: number;
  readonly logger: Logger;
  /** This instance is stopping: end the adoption where it is (what was not acknowledged stays in the session). */
  readonly signal?: AbortSignal;
  /**
   * A command delivery (the payload of `llmiot/hub/{dead}/deliver`) queued for the dead instance as
   * the owner of its device's session: hand it to the device's current owner (acknowledged once it
   * settles). Without it, such a delivery is dropped and its caller times out.
   */
  readonly deliver?: (payload: Buffer) => Promise<void>;
}

/** DISCONNECT Reason Code "Session taken over" (MQTT 5.0 §3.14.2.1). */
const SESSION_TAKEN_OVER = 0x8e;

/** The topic the adopter's marker travels on: under the dead instance's own filter, which its session kept. */
export const adoptionMarkerTopic = (dead: string): string => `${HUB_PREFIX}/${dead}/adopted`;

export async function adoptSession(options: AdoptSessionOptions): Promise<AdoptionOutcome> {
  const { dead, subscriptions, logger } = options;
  const shared = subscriptions.filter((s) => s.shared);
  const relayPrefix = `${HUB_PREFIX}/${dead}/relay/`;
  const deliveries = deliverTopic(dead);
  const markerTopic = adoptionMarkerTopic(dead);
  const nonce = randomUUID();
  const holds = new Set<Promise<void>>();
  let messages = 0;
  let markerSeen: () => void = () => {};
  const marker = new Promise<void>((resolve) => (markerSeen = resolve));

  /** Held until it settles: the drain waits for it, and the bus acknowledges the message then. */
  const hold = (taken: readonly Promise<void>[]): Promise<void> | undefined => {
    if (taken.length === 0) return undefined;
    const all = Promise.all(taken).then(() => undefined);
    holds.add(all);
    void all.then(
      () => holds.delete(all),
      () => holds.delete(all),
    );
    return all;
  };
  /** A device message the dead instance would have taken: to this instance's handlers of its shared filters. */
  const take = (topic: string, payload: Buffer, meta: MessageMeta): Promise<void> | undefined => {
    const taken: Promise<void>[] = [];
    for (const { filter, handler } of shared) {
      if (!matchTopic(filter, topic)) continue;
      const held = handler(topic, payload, meta);
      if (held !== undefined) taken.push(held);
    }
    return hold(taken);
  };
  const onMarker: MessageHandler = (_topic, payload) => {
    if (payload.toString('utf8') === nonce) markerSeen();
    return undefined;
  };
  const unmatched: MessageHandler = (topic, payload, meta) => {
    if (topic === markerTopic) return onMarker(topic, payload, meta);
    messages++;
    if (topic.startsWith(relayPrefix)) {
      // A message another instance relayed to the dead one as its session's owner: routed again by the current owners.
      const relayed = decodeRelay(payload);
      return relayed === undefined ? undefined : take(relayed.topic, relayed.payload, { retain: false, qos: 1 });
    }
    // A command another instance waits for, sent to the dead one as its device's owner: to the current owner.
    if (topic === deliveries) return options.deliver === undefined ? undefined : hold([options.deliver(payload)]);
    // Answers for the dead instance's callers, the fan-out: nobody waits for them any more.
    if (topic.startsWith(HUB_PREFIX)) return undefined;
    // Unshared filters (Sparkplug) gave every live instance its own copy: only shared ones are taken here.
    return take(topic, payload, meta);
  };

  let bus: ExternalMqttBus;
  try {
    bus = await ExternalMqttBus.connect(options.url, { ...options.connection, clientId: dead, reconnectPeriodMs: 0, unmatched, logger });
  } catch (error) {
    return { kind: 'failed', messages, error: error instanceof Error ? error.message : String(error) };
  }
  let ending = false;
  let disconnected: (reasonCode: number | undefined) => void = () => {};
  const lost = new Promise<number | undefined>((resolve) => (disconnected = resolve));
  bus.onDisconnected((reasonCode) => {
    if (!ending) disconnected(reasonCode);
  });
  const outcome = (kind: 'drained' | 'taken-over'): AdoptionOutcome => ({ kind, messages });
  if (!bus.sessionPresent) {
    // Nothing kept for that client id (expired, or a broker without persistence restarted): drop the session this connection made.
    ending = true;
    await bus.endSession(options.url, { ...options.connection, clientId: dead }).catch(() => {});
    return outcome('drained');
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    // Out of the group and off the dead instance's own topics first, so the broker routes no new message to this
    // session: a relay or command another instance sends the dead one from now on gets "no matching subscribers"
    // (PUBACK 0x10) and its sender handles it (OwnedBus, OwnedChannel). Only the marker's own topic stays.
    const filters = new Set<string>([FANOUT_TOPIC, instanceFilter(dead)]);
    for (const s of subscriptions) filters.add(s.shared ? sharedFilter(options.sharedGroup, s.filter) : s.filter);
    const drained = (async (): Promise<'drained'> => {
      await bus.subscribe(markerTopic, onMarker, { qos: 1, shared: false });
      await bus.forget([...filters]);
      // The broker keeps one queue per client (Mosquitto does): the marker comes back behind everything queued before it.
      await bus.publish(markerTopic, nonce, { qos: 1 });
      await marker;
      while (holds.size > 0) await Promise.allSettled([...holds]);
      // The bus writes each PUBACK in a callback of the hold it waited for: let those run before DISCONNECT.
      await new Promise((resolve) => setImmediate(resolve));
      return 'drained';
    })();
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), options.drainTimeoutMs);
      options.signal?.addEventListener('abort', () => resolve('timeout'), { once: true });
    });
    const result = await Promise.race([drained, lost.then((reasonCode) => ({ reasonCode })), timeout]);
    if (typeof result === 'object') {
      void bus.close().catch(() => {});
      // Session taken over (MQTT 5.0 §3.14.2.1): the dead instance is back. Anything else (a lost connection, MQTT 3.1.1,
      // which has no server DISCONNECT) is tried again later, and only while the dead instance's lease stays expired.
      if (result.reasonCode === SESSION_TAKEN_OVER) return outcome('taken-over');
      return { kind: 'failed', messages, error: `connection lost while adopting${result.reasonCode === undefined ? '' : ` (reason 0x${result.reasonCode.toString(16)})`}` };
    }
    if (result === 'timeout') {
      ending = true;
      await bus.close().catch(() => {});
      const why = options.signal?.aborted === true ? 'this instance is stopping' : `the queue did not drain within ${options.drainTimeoutMs} ms`;
      return { kind: 'failed', messages, error: why };
    }
    ending = true;
    await bus.endSession(options.url, { ...options.connection, clientId: dead });
    return outcome('drained');
  } catch (error) {
    ending = true;
    await bus.close().catch(() => {});
    return { kind: 'failed', messages, error: error instanceof Error ? error.message : String(error) };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
