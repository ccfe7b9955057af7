/** ExternalMqttBus: the MqttBus as an mqtt.js client of an external broker (Mosquitto, EMQX, …). */
import { randomUUID } from 'node:crypto';
import { connect as mqttConnect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { BusLogger } from './embedded-bus.ts';
import type { MessageHandler, MessageMeta, MqttBus, PresenceEvent, PublishOptions, QoS } from '../core/ports/mqtt-bus.ts';
import { assertTopicFilter, assertTopicName, matchTopic, sharedFilter } from './topic-filter.ts';

/** Options of {@link ExternalMqttBus.connect}. */
export interface ExternalMqttBusOptions {
  /**
   * MQTT client id; default `llmiot-hub-<random>`. Every hub instance needs its own, and the same one
   * across its restarts for the broker to keep its session (the hub derives one: hub.ts).
   */
  readonly clientId?: string;
  /**
   * How long the broker keeps the hub's session (its subscriptions and the QoS 1 messages queued
   * for it) after the connection ends, in seconds: MQTT 5 Session Expiry Interval (§3.1.2.11.2).
   * Default 3600. Above 0 the hub connects with Clean Start off, so what devices send while it
   * restarts waits for it; 0 is a clean session (nothing kept). On MQTT 3.1.1 a kept session
   * (CleanSession 0) lasts until the broker's own limit (Mosquitto `persistent_client_expiration`).
   */
  readonly sessionExpirySeconds?: number;
  /** How long messages that match no handler yet are held after connecting (a kept session delivers before the hub subscribed); default 30 s. */
  readonly earlyMessageGraceMs?: number;
  /**
   * Shared-subscription group (MQTT 5.0 §4.8.2). When set, `subscribe(filter)` subscribes to
   * `$share/{group}/{filter}`, so the hub instances of one group split the matching messages
   * between them (each message goes to one instance) instead of each receiving all of them; that is
   * how several stateless hubs spread ingestion. Pass `{ shared: false }` to `subscribe` for
   * filters every instance must see. Brokers do not send retained messages to shared subscriptions.
   */
  readonly sharedGroup?: string;
  /** Last will, published by the broker when the hub's connection ends without DISCONNECT. */
  readonly will?: { readonly topic: string; readonly payload: Buffer | string; readonly qos?: QoS; readonly retain?: boolean };
  readonly logger?: BusLogger;
  /** How long the first connection may take before `connect` rejects; default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Delay between reconnection attempts after the connection is lost; default 1 s. */
  readonly reconnectPeriodMs?: number;
  /** The hub's own credentials on the broker (docs/security.md); user info in the URL works too. */
  readonly username?: string;
  readonly password?: string;
  /**
   * Messages that match no subscription of this bus go here instead of being held as early
   * messages: a connection that adopts another client's kept session (src/cluster/session-adopter.ts)
   * receives what that session subscribed to, not what this bus did. The holds it returns delay the
   * PUBACK as for any handler.
   */
  readonly unmatched?: MessageHandler;
}

/** Options of {@link ExternalMqttBus.subscribe}. */
export interface ExternalSubscribeOptions {
  readonly qos?: QoS;
  /** Use the bus's shared-subscription group for this filter; default true when a group is set. */
  readonly shared?: boolean;
}

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

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Default {@link ExternalMqttBusOptions.sessionExpirySeconds}. */
export const DEFAULT_SESSION_EXPIRY_SECONDS = 3600;
const DEFAULT_EARLY_GRACE_MS = 30_000;
const DEFAULT_RECONNECT_PERIOD_MS = 1_000;
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
  /** This connection's QoS 1 messages not acknowledged yet, in arrival order; a new array per connection. */
  #pendingAcks: PendingAck[] = [];
  /** Set once a not-taken message made this connection end (so it is ended once). */
  #dropping = false;
  /** QoS 1 messages that matched no handler yet, held until one subscribes or the grace period ends. */
  #early: EarlyMessage[] = [];
  #earlyUntil: number;
  #earlyTimer: ReturnType<typeof setTimeout> | undefined;

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
    client.on('message', (topic, payload, packet) => this.#dispatch(topic, payload, packet));
    // Acknowledged means stored: a QoS 1 message is acknowledged once its handlers' holds settled.
    client.handleMessage = (packet, callback) => this.#acknowledge(packet, callback);
    const early = buffered.get(client) ?? [];
    buffered.delete(client);
    client.on('close', () => {
      // Acknowledgements still due belong to the lost connection: the broker sends those messages again.
      this.#pendingAcks = [];
      this.#dropping = false;
      const reasonCode = this.#serverDisconnect;
      this.#serverDisconnect = undefined;
      for (const listener of [...this.#disconnectedListeners]) listener(reasonCode);
    });
    client.on('disconnect', (packet) => void (this.#serverDisconnect = packet.reasonCode ?? 0));
    const grace = options.earlyMessageGraceMs ?? DEFAULT_EARLY_GRACE_MS;
    this.#earlyUntil = Date.now() + grace;
    this.#earlyTimer = setTimeout(() => this.#releaseEarly(), grace);
    this.#earlyTimer.unref?.();
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
    await this.#client.publishAsync(topic, payload, { qos: options.qos ?? 0, retain: options.retain ?? false });
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
      this.#replayEarly(entry);
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
   * After a reconnection: without a kept session, subscribe every entry again (awaiting the SUBACKs),
   * then tell the listeners, so what they publish (the Sparkplug STATE birth) follows the subscriptions.
   */
  async #reconnected(sessionPresent: boolean): Promise<void> {
    this.#logger?.info({ broker: this.#target, sessionPresent }, 'MQTT broker connection restored');
    if (!sessionPresent) {
      const entries = [...this.#entries.values()];
      const results = await Promise.allSettled(entries.map((entry) => this.#send(entry, entry.qos)));
      for (const result of results) {
        if (result.status === 'rejected') this.#logger?.warn({ broker: this.#target, err: String(result.reason) }, 'MQTT resubscription failed');
      }
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
    if (this.#earlyTimer !== undefined) clearTimeout(this.#earlyTimer);
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
    if (this.#earlyTimer !== undefined) clearTimeout(this.#earlyTimer);
    this.#closed ??= this.#client.endAsync();
    return this.#closed;
  }

  /**
   * MQTT.js calls this for every PUBLISH after 'message' (#dispatch). A QoS 1 message whose handlers
   * hold it is acknowledged when they settle: MQTT.js would send the PUBACK on `callback()` but
   * handles the next packet only after it, so the hub would take one message per commit; instead
   * the callback is given an error (MQTT.js then sends no PUBACK and reads on) and the bus writes the
   * PUBACK itself, in arrival order [MQTT-4.6.0-2], if the connection is still the same one. A
   * message not taken is not acknowledged and the connection is ended, so the broker sends it again
   * on the session it kept (MQTT 5.0 §4.4; 3.1.1 §4.4).
   */
  #acknowledge(packet: IPublishPacket, callback: (error?: Error) => void): void {
    const holds = this.#holds.get(packet);
    if (packet.qos !== 1 || holds === undefined) {
      callback();
      return;
    }
    this.#holds.delete(packet);
    const pending: PendingAck = { messageId: packet.messageId ?? 0, settled: false };
    const queue = this.#pendingAcks;
    queue.push(pending);
    const settle = (taken: boolean): void => {
      if (queue !== this.#pendingAcks) return; // that connection is gone
      if (!taken) {
        this.#notTaken(pending.messageId);
        return;
      }
      pending.settled = true;
      while (queue.length > 0 && (queue[0] as PendingAck).settled) {
        const head = queue.shift() as PendingAck;
        if (this.#client.connected) this.#client.stream.write(pubackBytes(head.messageId));
      }
    };
    Promise.all(holds).then(() => settle(true), () => settle(false));
    callback(HELD);
  }

  /** A held message was not taken: end this connection (once) so the broker sends it again after the reconnection. */
  #notTaken(messageId: number): void {
    if (this.#dropping) return;
    this.#dropping = true;
    this.#pendingAcks = [];
    this.#logger?.warn({ broker: this.#target, messageId }, 'MQTT message not taken (store down, pipeline full or stopping); reconnecting so the broker sends it again');
    this.#client.stream.destroy();
  }

  /** Hand held early messages to a new entry's handlers when they match it. */
  #replayEarly(entry: Entry): void {
    if (this.#early.length === 0) return;
    const still: EarlyMessage[] = [];
    for (const early of this.#early) {
      if (!matchTopic(entry.filter, early.topic)) {
        still.push(early);
        continue;
      }
      const holds: Promise<void>[] = [];
      this.#deliver(entry, early.topic, early.payload, early.meta, holds);
      if (holds.length === 0) early.release(true);
      else Promise.all(holds).then(() => early.release(true), () => early.release(false));
    }
    this.#early = still;
  }

  /** The grace period is over: messages no handler wanted are acknowledged (nothing here takes them). */
  #releaseEarly(): void {
    this.#earlyTimer = undefined;
    const early = this.#early;
    this.#early = [];
    if (early.length > 0) this.#logger?.warn({ broker: this.#target, messages: early.length }, 'MQTT messages matched no subscription of the hub; acknowledged and dropped');
    for (const message of early) message.release(true);
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
  async #send(entry: Entry, qos: QoS): Promise<void> {
    // MQTT 5.0 §3.8.3.1: Retain As Published off, so live messages arrive with RETAIN 0 as in 3.1.1.
    const options = this.#useSubscriptionIds
      ? { qos, rap: false, properties: { subscriptionIdentifier: entry.id } }
      : { qos };
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

  /** Drop one handler; UNSUBSCRIBE when it was the entry's last. */
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
    if (matched === 0 && Date.now() < this.#earlyUntil && this.#closed === undefined) {
      // A kept session delivers what was queued as soon as the hub connects, before its protocols
      // subscribed: hold the message (no PUBACK) until a handler for it subscribes.
      holds.push(new Promise<void>((resolve, reject) => this.#early.push({ topic, payload, meta, release: (taken) => (taken ? resolve() : reject(new Error('not taken'))) })));
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

/** One connection attempt with no automatic retry; resolves on CONNACK 0. */
function connectOnce(url: string, version: 4 | 5, options: ExternalMqttBusOptions, timeoutMs: number): Promise<MqttClient> {
  const sessionExpiry = options.sessionExpirySeconds ?? DEFAULT_SESSION_EXPIRY_SECONDS;
  const clientOptions: IClientOptions = {
    protocolVersion: version,
    clientId: options.clientId ?? `llmiot-hub-${randomUUID().slice(0, 8)}`,
    // A kept session (Clean Start 0, MQTT 5.0 §3.1.2.4; CleanSession 0, 3.1.1 §3.1.2.4): the broker
    // queues QoS 1 messages for the hub while it is away and resends the unacknowledged ones.
    clean: sessionExpiry === 0,
    ...(version === 5 && sessionExpiry > 0 && { properties: { sessionExpiryInterval: sessionExpiry } }),
    reconnectPeriod: 0,
    // mqtt.js' own CONNACK timer, kept behind ours so the first failure reads "no answer within".
    connectTimeout: timeoutMs + 1000,
    // The bus resubscribes itself after a reconnection (#reconnected), so it knows when that is done.
    resubscribe: false,
  };
  if (options.username !== undefined) clientOptions.username = options.username;
  if (options.password !== undefined) clientOptions.password = options.password;
  if (options.will !== undefined) {
    const { topic, payload, qos = 0, retain = false } = options.will;
    clientOptions.will = { topic, payload, qos, retain };
  }
  const client = mqttConnect(url, clientOptions);
  // A kept session delivers its queued messages right behind the CONNACK, before the bus exists:
  // take them without acknowledging (MQTT.js waits for the callback), for the bus to replay.
  const early: BufferedPublish[] = [];
  buffered.set(client, early);
  client.handleMessage = (packet, callback) => void early.push({ packet, callback });
  return new Promise<MqttClient>((resolve, reject) => {
    let lastError: unknown;
    const timer = setTimeout(() => fail(new ConnectTimeout()), timeoutMs);
    const onConnect = (connack: { sessionPresent?: boolean }): void => {
      firstSessionPresent.set(client, connack.sessionPresent === true);
      cleanup();
      resolve(client);
    };
    const onError = (error: unknown): void => void (lastError = error);
    const onClose = (): void => fail(lastError ?? new ClosedBeforeConnack());
    function cleanup(): void {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
    }
    function fail(error: unknown): void {
      cleanup();
      client.on('error', () => {}); // late errors from the abandoned client must not end the process
      client.end(true);
      reject(error);
    }
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
  });
}

/** A QoS 1 message waiting for its PUBACK. */
interface PendingAck {
  readonly messageId: number;
  settled: boolean;
}

/** A QoS 1 message that arrived before any handler for it subscribed. */
interface EarlyMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly meta: MessageMeta;
  release(taken: boolean): void;
}

/** A PUBLISH MQTT.js handed over before the bus was constructed, with its handleMessage callback. */
interface BufferedPublish {
  readonly packet: IPublishPacket;
  readonly callback: (error?: Error) => void;
}

/** Per client from connectOnce, the PUBLISHes that arrived before the bus took the client over. */
const buffered = new WeakMap<MqttClient, BufferedPublish[]>();
/** Per client from connectOnce, CONNACK's Session Present flag. */
const firstSessionPresent = new WeakMap<MqttClient, boolean>();

/** Given to MQTT.js' handleMessage callback so it sends no PUBACK of its own (the bus writes it: #acknowledge). */
const HELD = new Error('PUBACK held until the message is stored');

/** PUBACK with Remaining Length 2: 3.1.1 §3.4, and MQTT 5.0 §3.4.2.1 (reason Success and no properties omitted). */
function pubackBytes(messageId: number): Buffer {
  return Buffer.from([0x40, 0x02, messageId >> 8, messageId & 0xff]);
}

class ConnectTimeout extends Error {}
class ClosedBeforeConnack extends Error {}

/** The broker does not speak MQTT 5: it said so in CONNACK, or hung up on the CONNECT. */
function refusedProtocolLevel(error: unknown): boolean {
  if (error instanceof ClosedBeforeConnack) return true;
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 1 || code === 0x84;
}

function describeConnectError(error: unknown, target: string, timeoutMs: number): Error {
  if (error instanceof ConnectTimeout) {
    return new Error(`cannot reach MQTT broker at ${target}: no answer within ${timeoutMs} ms`);
  }
  if (error instanceof ClosedBeforeConnack) {
    return new Error(`cannot reach MQTT broker at ${target}: connection closed before CONNACK`);
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'number') {
    const reason = message.replace(/^Connection refused: /, '');
    return Object.assign(new Error(`MQTT broker at ${target} refused the connection: ${reason}`, { cause: error }), { code });
  }
  const detail = typeof code === 'string' ? code : message;
  const wrapped = new Error(`cannot reach MQTT broker at ${target}: ${detail}`, { cause: error });
  return typeof code === 'string' ? Object.assign(wrapped, { code }) : wrapped;
}

/** The URL without user info, for messages and logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
