/** ExternalMqttBus: the MqttBus as an mqtt.js client of an external broker (Mosquitto, EMQX, …). */
import type { IPublishPacket, MqttClient } from 'mqtt';
import type { BusLogger } from './embedded-bus.ts';
import { NoSubscribersError, type MessageHandler, type MessageMeta, type MqttBus, type PresenceEvent, type PublishOptions, type QoS } from '../core/ports/mqtt-bus.ts';
import { EarlyMessages } from './early-messages.ts';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_EARLY_GRACE_MS,
  DEFAULT_RECONNECT_PERIOD_MS,
  DEFAULT_SESSION_EXPIRY_SECONDS,
  type ExternalMqttBusOptions,
  type ExternalSubscribeOptions,
} from './external-bus-options.ts';
import { buffered, connectOnce, describeConnectError, firstSessionPresent, redactUrl, refusedProtocolLevel } from './external-connect.ts';
import { PubackQueue } from './puback-queue.ts';
import { assertTopicFilter, assertTopicName, matchTopic, sharedFilter } from './topic-filter.ts';

export { DEFAULT_SESSION_EXPIRY_SECONDS, type ExternalMqttBusOptions, type ExternalSubscribeOptions } from './external-bus-options.ts';

/** One broker-side subscription and the handlers registered on it. */
interface Entry {
  readonly brokerFilter: string;
  /** The filter without any `$share/{group}/` prefix: what topics are matched against. */
  readonly filter: string;
  /** MQTT 5 Subscription Identifier (MQTT 5.0 §3.8.2.1.2), unique per entry. */
  readonly id: number;
  qos: QoS;
  readonly handlers: Set<{ readonly handler: MessageHandler }>;
  ready: Promise<void>;
}

/** Subscription Identifiers are Variable Byte Integers 1..268,435,455 (MQTT 5.0 §3.8.2.1.2). */
const MAX_SUBSCRIPTION_ID = 268_435_455;

/**
 * The hub as a client of an external MQTT broker. Speaks MQTT 5, falling back to 3.1.1 when the
 * broker refuses protocol level 5; reconnects on its own and resubscribes after a reconnect.
 *
 * Dispatch: on MQTT 5 each broker subscription carries a Subscription Identifier, so a PUBLISH is
 * handed exactly to the subscriptions the broker says it matched ([MQTT-3.3.4-3] to [MQTT-3.3.4-5]),
 * whether the broker sends one copy per matching subscription or one for all. Without identifiers
 * (MQTT 3.1.1, or a broker that lacks them) the topic is matched against every filter, which is
 * exact when the broker sends one copy per client, as Mosquitto does for 3.1.1 clients and MQTT
 * 3.1.1 §3.3.5 prefers; extra copies would repeat there. Presence is not visible: rely on wills.
 */
export class ExternalMqttBus implements MqttBus {
  readonly kind = 'external' as const;
  /** The MQTT protocol level in use: 5, or 4 (3.1.1) after a fallback. */
  readonly protocolVersion: 4 | 5;
  readonly #client: MqttClient;
  readonly #target: string;
  readonly #sharedGroup: string | undefined;
  readonly #logger: BusLogger | undefined;
  readonly #useSubscriptionIds: boolean;
  /** The broker keeps the hub's session (session expiry above 0). */
  readonly #keepSession: boolean;
  readonly #sharedAvailable: boolean;
  readonly #entries = new Map<string, Entry>();
  readonly #byId = new Map<number, Entry>();
  readonly #connectedListeners = new Set<() => void>();
  readonly #disconnectedListeners = new Set<(reasonCode: number | undefined) => void>();
  /** Reason Code of the DISCONNECT the broker sent on this connection, if it sent one (MQTT 5.0 §3.14.2.1). */
  #serverDisconnect: number | undefined;
  readonly #unmatched: MessageHandler | undefined;
  /** Whether the broker had a session for this client id at the first connection (CONNACK Session Present). */
  readonly sessionPresent: boolean;
  #nextId = 1;
  #closed: Promise<void> | undefined;
  /** Holds of the QoS 1 message being dispatched ('message' fires just before handleMessage). */
  readonly #holds = new WeakMap<IPublishPacket, Promise<void>[]>();
  /** PUBACKs in arrival order once each message is stored. */
  readonly #acks: PubackQueue;
  /** QoS 1 messages that matched no handler yet, held until one subscribes or the grace period ends. */
  readonly #early: EarlyMessages;
  /** Packet ids of our QoS 1 publishes the broker answered "No matching subscribers" (PUBACK 0x10), until publish reads them. */
  readonly #noSubscribers = new Set<number>();

  private constructor(client: MqttClient, version: 4 | 5, target: string, options: ExternalMqttBusOptions) {
    this.#client = client;
    this.protocolVersion = version;
    this.#target = target;
    this.#sharedGroup = options.sharedGroup;
    this.#logger = options.logger;
    const properties = version === 5 ? client.serverProperties : undefined;
    this.#useSubscriptionIds = version === 5 && properties?.subscriptionIdentifiersAvailable !== false;
    this.#sharedAvailable = properties?.sharedSubscriptionAvailable !== false;
    this.#keepSession = (options.sessionExpirySeconds ?? DEFAULT_SESSION_EXPIRY_SECONDS) > 0;
    this.#unmatched = options.unmatched;
    this.sessionPresent = firstSessionPresent.get(client) === true;
    client.options.reconnectPeriod = options.reconnectPeriodMs ?? DEFAULT_RECONNECT_PERIOD_MS;
    this.#acks = new PubackQueue(client, (messageId) =>
      this.#logger?.warn({ broker: target, messageId }, 'MQTT message not taken (store down, pipeline full or stopping); reconnecting so the broker sends it again'),
    );
    client.on('message', (topic, payload, packet) => this.#dispatch(topic, payload, packet));
    // MQTT.js resolves a publish answered 0x10 as a success without saying so: note it before it does.
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'puback' && packet.reasonCode === 0x10 && packet.messageId !== undefined) this.#noSubscribers.add(packet.messageId);
    });
    // Acknowledged means stored: a QoS 1 message is acknowledged once its handlers' holds settled.
    client.handleMessage = (packet, callback) => this.#acknowledge(packet, callback);
    const early = buffered.get(client) ?? [];
    buffered.delete(client);
    client.on('close', () => {
      // Acknowledgements still due belong to the lost connection: the broker sends those messages again.
      this.#acks.reset();
      const reasonCode = this.#serverDisconnect;
      this.#serverDisconnect = undefined;
      for (const listener of [...this.#disconnectedListeners]) listener(reasonCode);
    });
    client.on('disconnect', (packet) => void (this.#serverDisconnect = packet.reasonCode ?? 0));
    this.#early = new EarlyMessages(options.earlyMessageGraceMs ?? DEFAULT_EARLY_GRACE_MS, (messages) =>
      this.#logger?.warn({ broker: target, messages }, 'MQTT messages matched no subscription of the hub; acknowledged and dropped'),
    );
    client.on('offline', () => this.#logger?.warn({ broker: target }, 'MQTT broker connection lost; reconnecting'));
    // Messages the kept session delivered before this point: dispatched now (held until a handler subscribes).
    for (const { packet, callback } of early) {
      this.#dispatch(packet.topic.toString(), packet.payload as Buffer, packet);
      this.#acknowledge(packet, callback);
    }
    client.on('connect', (connack) => void this.#reconnected(connack.sessionPresent === true));
    client.on('error', (error) => this.#logger?.debug({ broker: target, err: error.message }, 'MQTT client error'));
  }

  /**
   * Connect to the broker at `url` (mqtt://, mqtts://, ws://, wss://). Rejects with
   * "cannot reach MQTT broker at <url>: <cause>" when the first connection fails or takes longer
   * than `connectTimeoutMs`, and with "MQTT broker at <url> refused the connection: …" on a
   * CONNACK refusal. Credentials in the URL are never echoed.
   */
  static async connect(url: string, options: ExternalMqttBusOptions = {}): Promise<ExternalMqttBus> {
    const target = redactUrl(url);
    if (options.sharedGroup !== undefined) sharedFilter(options.sharedGroup, '#'); // validate it up front
    const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const startedAt = Date.now();
    try {
      const client = await connectOnce(url, 5, options, timeoutMs);
      return new ExternalMqttBus(client, 5, target, options);
    } catch (error) {
      if (!refusedProtocolLevel(error)) throw describeConnectError(error, target, timeoutMs);
    }
    // The broker refused MQTT 5 (CONNACK 0x01 in 3.1.1 [MQTT-3.1.2-2], 0x84 in 5.0 §3.2.2.2).
    const remaining = Math.max(1, timeoutMs - (Date.now() - startedAt));
    try {
      const client = await connectOnce(url, 4, options, remaining);
      options.logger?.info({ broker: target }, 'MQTT broker refused MQTT 5; using MQTT 3.1.1');
      return new ExternalMqttBus(client, 4, target, options);
    } catch (error) {
      throw describeConnectError(error, target, timeoutMs);
    }
  }

  async publish(topic: string, payload: Buffer | string, options: PublishOptions = {}): Promise<void> {
    this.#assertOpen();
    assertTopicName(topic);
    const qos = options.qos ?? 0;
    const sent = await this.#client.publishAsync(topic, payload, { qos, retain: options.retain ?? false });
    if (qos !== 1) return;
    const messageId = sent !== undefined && 'messageId' in sent ? sent.messageId : undefined;
    const none = messageId !== undefined && this.#noSubscribers.delete(messageId);
    if (none && options.requireSubscriber === true) throw new NoSubscribersError(topic);
  }

  async subscribe(
    filter: string,
    handler: MessageHandler,
    options: ExternalSubscribeOptions = {},
  ): Promise<() => Promise<void>> {
    this.#assertOpen();
    assertTopicFilter(filter);
    const qos: QoS = options.qos ?? 0;
    const group = options.shared === false ? undefined : this.#sharedGroup;
    if (group !== undefined && !this.#sharedAvailable) {
      throw new Error(`MQTT broker at ${this.#target} does not support shared subscriptions ($share/${group}/${filter})`);
    }
    const brokerFilter = group === undefined ? filter : sharedFilter(group, filter);
    const registration = { handler };
    let entry = this.#entries.get(brokerFilter);
    if (entry === undefined) {
      entry = this.#newEntry(brokerFilter, filter, qos);
      entry.handlers.add(registration);
      entry.ready = this.#send(entry, qos);
      const created = entry;
      this.#early.replay(filter, (topic, payload, meta) => {
        const holds: Promise<void>[] = [];
        this.#deliver(created, topic, payload, meta, holds);
        return holds;
      });
    } else {
      // Registered before SUBACK so messages that arrive right behind it are not missed.
      entry.handlers.add(registration);
      if (qos > entry.qos) {
        const previous = entry.ready;
        entry.qos = qos;
        entry.ready = previous.then(() => this.#send(entry as Entry, qos));
      }
    }
    try {
      await entry.ready;
    } catch (error) {
      this.#release(entry, registration);
      throw error;
    }
    let active = true;
    const current = entry;
    return () => {
      if (!active) return Promise.resolve();
      active = false;
      return this.#release(current, registration, true);
    };
  }

  /** External brokers do not report other clients' connections; this never fires. */
  onPresence(_listener: (event: PresenceEvent) => void): () => void {
    return () => {};
  }

  /** Reconnections (not the first connection), each reported once the subscriptions are back. */
  onConnected(listener: () => void): () => void {
    const entry = (): void => listener();
    this.#connectedListeners.add(entry);
    return () => void this.#connectedListeners.delete(entry);
  }

  /**
   * After a reconnection: subscribe every entry again (awaiting the SUBACKs), then tell the
   * listeners, so what they publish (the Sparkplug STATE birth) follows the subscriptions. A kept
   * session is subscribed again too: another connection with this client id may have changed it
   * meanwhile (a cluster survivor that adopted it while this instance's lease had lapsed unsubscribes
   * it from the group); on MQTT 5 with Retain Handling 1 (§3.8.3.1), so a subscription the session
   * still had sends no retained message again.
   */
  async #reconnected(sessionPresent: boolean): Promise<void> {
    this.#logger?.info({ broker: this.#target, sessionPresent }, 'MQTT broker connection restored');
    const entries = [...this.#entries.values()];
    const results = await Promise.allSettled(entries.map((entry) => this.#send(entry, entry.qos, sessionPresent)));
    for (const result of results) {
      if (result.status === 'rejected') this.#logger?.warn({ broker: this.#target, err: String(result.reason) }, 'MQTT resubscription failed');
    }
    if (this.#closed !== undefined || !this.#client.connected) return;
    for (const listener of [...this.#connectedListeners]) {
      try {
        listener();
      } catch (error) {
        this.#logger?.warn({ err: String(error) }, 'MQTT connected listener threw');
      }
    }
  }

  /**
   * Each time the connection ends (lost, taken over by another client with this client id, or
   * closed), with the Reason Code of the broker's DISCONNECT when it sent one (MQTT 5: 0x8E Session
   * taken over, §3.14.2.1). Returns the unsubscribe.
   */
  onDisconnected(listener: (reasonCode: number | undefined) => void): () => void {
    const entry = (reasonCode: number | undefined): void => listener(reasonCode);
    this.#disconnectedListeners.add(entry);
    return () => void this.#disconnectedListeners.delete(entry);
  }

  /**
   * UNSUBSCRIBE broker filters this bus never subscribed to (those of an adopted session, `$share/…`
   * prefixes included), so the broker stops routing their messages to this session.
   */
  async forget(brokerFilters: readonly string[]): Promise<void> {
    this.#assertOpen();
    if (brokerFilters.length > 0) await this.#client.unsubscribeAsync([...brokerFilters]);
  }

  /**
   * Disconnect and end the session on the broker: MQTT 5 DISCONNECT with Session Expiry Interval 0
   * (§3.14.2.2.2); on 3.1.1, which has no such field, connect once more with CleanSession 1, which
   * discards the kept session (§3.1.2.4), and disconnect.
   */
  async endSession(url: string, options: ExternalMqttBusOptions): Promise<void> {
    this.#early.stop();
    if (this.protocolVersion === 5) {
      this.#closed ??= this.#client.endAsync(false, { properties: { sessionExpiryInterval: 0 } });
      return this.#closed;
    }
    this.#closed ??= this.#client.endAsync();
    await this.#closed;
    const clean = await connectOnce(url, 4, { ...options, sessionExpirySeconds: 0 }, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    await clean.endAsync();
  }

  /** Disconnect cleanly (DISCONNECT, so no will), after in-flight QoS>0 messages are acknowledged. */
  close(): Promise<void> {
    this.#early.stop();
    this.#closed ??= this.#client.endAsync();
    return this.#closed;
  }

  /** MQTT.js calls this for every PUBLISH after 'message' (#dispatch): the holds collected there decide the PUBACK. */
  #acknowledge(packet: IPublishPacket, callback: (error?: Error) => void): void {
    const holds = this.#holds.get(packet);
    this.#holds.delete(packet);
    this.#acks.acknowledge(packet, holds, callback);
  }

  #assertOpen(): void {
    if (this.#closed !== undefined) throw new Error(`MQTT bus is closed: broker ${this.#target}`);
  }

  #newEntry(brokerFilter: string, filter: string, qos: QoS): Entry {
    const id = this.#nextId;
    this.#nextId = id === MAX_SUBSCRIPTION_ID ? 1 : id + 1;
    const entry: Entry = { brokerFilter, filter, id, qos, handlers: new Set(), ready: Promise.resolve() };
    this.#entries.set(brokerFilter, entry);
    this.#byId.set(id, entry);
    return entry;
  }

  /** SUBSCRIBE for an entry; rejects when the broker refuses it (SUBACK code 0x80 or above, §3.9.3). */
  async #send(entry: Entry, qos: QoS, onlyNewRetained = false): Promise<void> {
    // MQTT 5.0 §3.8.3.1: Retain As Published off, so live messages arrive with RETAIN 0 as in 3.1.1;
    // Retain Handling 1 (retained messages only if the subscription is new) when restoring a kept session's.
    const rh = onlyNewRetained && this.protocolVersion === 5 ? { rh: 1 as const } : {};
    const options = this.#useSubscriptionIds
      ? { qos, rap: false, ...rh, properties: { subscriptionIdentifier: entry.id } }
      : { qos, ...rh };
    try {
      const granted = await this.#client.subscribeAsync(entry.brokerFilter, options);
      const code = granted[0]?.qos ?? 0x80;
      if (code >= 0x80) throw Object.assign(new Error(`reason code 0x${code.toString(16)}`), { code });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const message = `MQTT broker at ${this.#target} refused the subscription to "${entry.brokerFilter}": ${reason}`;
      throw new Error(message, { cause: error });
    }
  }

  /**
   * Drop one handler; UNSUBSCRIBE when it was the entry's last. With a kept session and `keep`, the
   * entry stays dormant instead: the broker subscription lives on in the session, so what devices
   * send while the hub stops and restarts is queued for it; messages for a dormant entry are not
   * acknowledged (the broker sends them again to the next run).
   */
  #release(entry: Entry, registration: { readonly handler: MessageHandler }, keep = false): Promise<void> {
    entry.handlers.delete(registration);
    if (entry.handlers.size > 0 || this.#entries.get(entry.brokerFilter) !== entry) return Promise.resolve();
    if (keep && this.#keepSession) return Promise.resolve();
    this.#entries.delete(entry.brokerFilter);
    this.#byId.delete(entry.id);
    if (this.#closed !== undefined) return Promise.resolve();
    const failed = (error: unknown): void =>
      this.#logger?.debug({ filter: entry.brokerFilter, err: String(error) }, 'MQTT unsubscribe failed');
    return this.#client.unsubscribeAsync(entry.brokerFilter).then(() => undefined, failed);
  }

  #dispatch(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const meta: MessageMeta = { retain: packet.retain, qos: packet.qos };
    const holds: Promise<void>[] | undefined = packet.qos === 1 ? [] : undefined;
    let matched = 0;
    let dormant = false;
    const ids = packet.properties?.subscriptionIdentifier;
    if (ids !== undefined) {
      for (const id of typeof ids === 'number' ? [ids] : ids) {
        // An identifier given by an earlier run of the hub (a kept session) may now name another filter.
        const entry = this.#byId.get(id);
        if (entry === undefined || !matchTopic(entry.filter, topic)) continue;
        matched += this.#deliver(entry, topic, payload, meta, holds);
        dormant ||= entry.handlers.size === 0;
      }
    }
    // Without identifiers, or with ones of an earlier run of the hub (a kept session): match topics.
    if (matched === 0) {
      for (const entry of this.#entries.values()) {
        if (!matchTopic(entry.filter, topic)) continue;
        matched += this.#deliver(entry, topic, payload, meta, holds);
        dormant ||= entry.handlers.size === 0;
      }
    }
    if (matched === 0 && this.#unmatched !== undefined) {
      try {
        const held = this.#unmatched(topic, payload, meta);
        if (held !== undefined) {
          if (holds === undefined) held.then(undefined, () => {});
          else holds.push(held);
        }
      } catch (error) {
        this.#logger?.warn({ topic, err: String(error) }, 'mqtt message handler threw');
      }
      if (holds !== undefined && holds.length > 0) this.#holds.set(packet, holds);
      return;
    }
    if (holds === undefined) return;
    // Unsubscribed while the session is kept (the hub is stopping): never acknowledged on this connection.
    if (matched === 0 && dormant) holds.push(new Promise<void>(() => {}));
    if (matched === 0 && this.#early.open && this.#closed === undefined) {
      // A kept session delivers what was queued as soon as the hub connects, before its protocols
      // subscribed: hold the message (no PUBACK) until a handler for it subscribes.
      holds.push(this.#early.hold(topic, payload, meta));
    }
    if (holds.length > 0) this.#holds.set(packet, holds);
  }

  /** Hand a message to an entry's handlers, collecting the holds they return; returns how many handlers got it. */
  #deliver(entry: Entry | undefined, topic: string, payload: Buffer, meta: MessageMeta, holds: Promise<void>[] | undefined): number {
    if (entry === undefined) return 0;
    for (const { handler } of entry.handlers) {
      try {
        const held = handler(topic, payload, meta);
        if (held !== undefined) {
          if (holds === undefined) held.then(undefined, () => {});
          else holds.push(held);
        }
      } catch (error) {
        this.#logger?.warn({ filter: entry.brokerFilter, err: String(error) }, 'mqtt message handler threw');
      }
    }
    return entry.handlers.size;
  }
}
