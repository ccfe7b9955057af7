/** EmbeddedMqttBus: the MqttBus over an in-process aedes broker; the hub itself is a direct subscriber. */
import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes, type AedesOptions, type AedesPublishPacket, type Client, type PublishPacket } from 'aedes';
import type { Logger } from '../log/logger.ts';
import type { MessageHandler, MessageMeta, MqttBus, PresenceEvent, PublishOptions, QoS } from '../core/ports/mqtt-bus.ts';
import { ThrottledLog } from '../log/throttled-log.ts';
import { QoS1Admission, type AdmissionBroker } from './embedded-bus-admission.ts';
import { embeddedBusAuthorization } from './embedded-bus-authorization.ts';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_MAX_PACKET_BYTES, EmbeddedBusConnections, type PausableClient } from './embedded-bus-connections.ts';
import { DEFAULT_MAX_RETAINED_BYTES, DEFAULT_MAX_RETAINED_MESSAGES, RetainedBudget } from './retained-budget.ts';
import { DEFAULT_MAX_SUBSCRIPTIONS_PER_CLIENT, subscriptionLimit } from './subscription-limit.ts';
import { assertTopicFilter, assertTopicName } from './topic-filter.ts';

/** The log calls the buses make; a pino logger or the hub's {@link Logger} fits. */
export type BusLogger = Pick<Logger, 'warn' | 'info' | 'debug'>;

import type { PublishRejectReason, Refusal } from './reject-reasons.ts';

export type { PublishRejectReason };

/** Options of {@link EmbeddedMqttBus.create}. */
export interface EmbeddedMqttBusOptions {
  /** Largest PUBLISH payload, in bytes, a client may send; default 256 KiB. */
  readonly maxPacketBytes?: number;
  readonly logger?: BusLogger;
  /**
   * Called for each packet the broker refused (count it): a PUBLISH or a packet too large closes the
   * connection; a refused subscription gets the SUBACK failure code and the connection stays.
   */
  readonly onRejected?: (reason: PublishRejectReason, clientId: string | null, topic: string) => void;
  /** Open MQTT connections over TCP and TLS at most; one past it is closed at once. Default 10,000. */
  readonly maxConnections?: number;
  /** A connection that has not sent CONNECT after this many ms is closed; default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Most topic filters one MQTT session may hold; default 1,000. */
  readonly maxSubscriptionsPerClient?: number;
  /** Most retained messages kept; default 10,000. */
  readonly maxRetainedMessages?: number;
  /** Most bytes (topics and payloads) of retained messages kept; default 64 MiB. */
  readonly maxRetainedBytes?: number;
  /** Clock of the throttled refusal log; Date.now when absent. */
  readonly now?: () => number;
  /** Device authentication (src/security/device-auth.ts): aedes' CONNECT hook. Default: everyone. */
  readonly authenticate?: AedesOptions['authenticate'];
  /**
   * Device access control, after the size and `$SYS` checks: undefined to let a client's PUBLISH
   * (or will) through, else why it is refused (the hook counts and logs it; the client is disconnected).
   */
  readonly authorizePublish?: (client: Client | null, packet: PublishPacket) => string | undefined;
  /** aedes' SUBSCRIBE hook: answer `null` to refuse a filter (SUBACK 0x80). Default: every filter. */
  readonly authorizeSubscribe?: AedesOptions['authorizeSubscribe'];
}

export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PACKET_BYTES } from './embedded-bus-connections.ts';

const DOLLAR = 36; // '$'
const PLUS = 43; // '+'
const HASH = 35; // '#'
const HANDLER_ERROR_LOG_INTERVAL_MS = 1000;

type Deliver = (packet: AedesPublishPacket, done: () => void) => void;

/** What aedes keeps about a stored retained message (aedes-persistence). */
interface RetainedPacket {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
}

/** The part of aedes' persistence the bus reads: retained messages matching a filter. */
interface RetainedSource {
  createRetainedStream(filter: string): AsyncIterable<RetainedPacket>;
}

/**
 * The default bus: an aedes broker in this process. Devices connect through the listeners of
 * `listeners.ts` (TCP, TLS, WebSocket, in-process); the hub's own subscriptions and publications
 * go straight into aedes with no socket. Create with {@link EmbeddedMqttBus.create}; nothing listens
 * until a listener is attached.
 *
 * aedes speaks MQTT 3.1 and 3.1.1 only: devices must connect with protocol level 3 or 4.
 */
export class EmbeddedMqttBus implements MqttBus {
  readonly kind = 'embedded' as const;
  readonly #broker: Aedes;
  readonly #logger: BusLogger | undefined;
  readonly #presence = new Set<(event: PresenceEvent) => void>();
  /** Device streams taken on, read within the packet limit, paused together (embedded-bus-connections.ts). */
  readonly #connections: EmbeddedBusConnections;

  /** Clients whose connect was announced, so a disconnect is reported only after a connect. */
  readonly #announced = new WeakSet<Client>();
  #closing = false;
  #closed: Promise<void> | undefined;
  /** Device QoS 1 PUBLISHes acknowledged once taken (embedded-bus-admission.ts). */
  readonly #admission: QoS1Admission;
  #handlerErrors = 0;
  #handlerErrorLoggedAt = 0;
  readonly #retained: RetainedBudget;

  private constructor(broker: Aedes, options: EmbeddedMqttBusOptions, refused: Refusal, retained: RetainedBudget) {
    this.#broker = broker;
    this.#logger = options.logger;
    this.#admission = new QoS1Admission(broker as unknown as AdmissionBroker, options.logger);
    // First: its 'clientReady' listener pauses a new client before presence is announced.
    this.#connections = new EmbeddedBusConnections(broker, {
      maxPacketBytes: options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES,
      ...(options.maxConnections !== undefined && { maxConnections: options.maxConnections }),
      refused,
    });
    this.#retained = retained;
    broker.on('clientReady', (client) => this.#onClientReady(client));
    broker.on('clientDisconnect', (client) => this.#onClientDisconnect(client));
    broker.on('clientError', (client, error) => {
      this.#logger?.debug({ clientId: client.id, err: error.message }, 'mqtt client error');
    });
    broker.on('connectionError', (_client, error) => {
      this.#logger?.debug({ err: error.message }, 'mqtt connection error before CONNECT');
    });
    // aedes emits 'error' for persistence failures; an unhandled 'error' would end the process.
    const emitter: EventEmitter = broker;
    emitter.on('error', (error: Error) => {
      this.#logger?.warn({ err: error.message }, 'embedded mqtt broker error');
    });
  }

  /** Start an embedded broker (aedes 1.x sets up its persistence asynchronously). Opens no port. */
  static async create(options: EmbeddedMqttBusOptions = {}): Promise<EmbeddedMqttBus> {
    const onRejected = options.onRejected;
    const logger = options.logger;
    // Set once the broker exists; authorizePublish runs only after that.
    let bus: EmbeddedMqttBus;
    const log = logger === undefined ? undefined : new ThrottledLog(options.now === undefined ? { logger } : { logger, now: options.now });
    const refused: Refusal = (reason, clientId, topic, message) => {
      log?.warn(clientId ?? '', { clientId, topic, reason }, message);
      onRejected?.(reason, clientId, topic);
    };
    const retained = new RetainedBudget({
      maxMessages: options.maxRetainedMessages ?? DEFAULT_MAX_RETAINED_MESSAGES,
      maxBytes: options.maxRetainedBytes ?? DEFAULT_MAX_RETAINED_BYTES,
    });
    const subscriptions = subscriptionLimit(options.maxSubscriptionsPerClient ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_CLIENT);
    // The publish and subscribe checks (embedded-bus-authorization.ts); a PUBLISH that passes is admitted.
    const { authorizePublish, authorizeSubscribe } = embeddedBusAuthorization({
      maxPacketBytes: options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES,
      authorizePublish: options.authorizePublish,
      authorizeSubscribe: options.authorizeSubscribe,
      retained,
      subscriptions,
      refused,
      admit: (client, packet, callback) => bus.#admit(client, packet, callback),
    });
    const broker = await Aedes.createBroker({
      authorizePublish,
      authorizeSubscribe,
      ...(options.authenticate !== undefined && { authenticate: options.authenticate }),
      connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    });
    broker.on('subscribe', (_subscriptions, client) => subscriptions.settled(client));
    trackRetained(broker, retained);
    bus = new EmbeddedMqttBus(broker, options, refused, retained);
    return bus;
  }

  /**
   * Flow control: pause or resume reading from every device connection (aedes stops reading the
   * socket, so TCP pushes back on the devices); clients that connect while paused start paused.
   * The hub's own publishes and subscriptions are not affected.
   */
  setInboundPaused(paused: boolean): void {
    this.#connections.setPaused(paused);
  }

  /** Open MQTT connections over TCP and TLS (those the `maxConnections` cap counts). */
  get openConnections(): number {
    return this.#connections.sockets;
  }

  /** Hand a connected byte stream (socket, TLS socket, WebSocket stream, in-process pair) to the broker. */
  handleConnection(stream: Duplex, request?: IncomingMessage): void {
    this.#connections.handleConnection(stream, request);
  }

  /** The largest Remaining Length a packet may announce (payload limit plus PUBLISH overhead). */
  get maxPacketLength(): number {
    return this.#connections.maxPacketLength;
  }

  /** Retained messages and their bytes now kept by the broker. */
  get retained(): { readonly messages: number; readonly bytes: number } {
    return { messages: this.#retained.messages, bytes: this.#retained.bytes };
  }

  /** Number of MQTT clients currently connected. */
  get connectedClients(): number {
    return this.#broker.connectedClients;
  }

  async publish(topic: string, payload: Buffer | string, options: PublishOptions = {}): Promise<void> {
    this.#assertOpen();
    assertTopicName(topic);
    const packet: PublishPacket = {
      cmd: 'publish',
      topic,
      payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
      qos: options.qos ?? 0,
      retain: options.retain ?? false,
      dup: false,
    };
    return new Promise((resolve, reject) => {
      this.#broker.publish(packet, (error) => (error ? reject(error) : resolve()));
    });
  }

  async subscribe(
    filter: string,
    handler: MessageHandler,
    options: { qos?: QoS } = {},
  ): Promise<() => Promise<void>> {
    this.#assertOpen();
    assertTopicFilter(filter);
    const maxQos: QoS = options.qos ?? 0;
    // [MQTT-4.7.2-1] aedes' own router matches '#' against $SYS/…; the spec says it must not.
    const first = filter.charCodeAt(0);
    const blockDollar = first === HASH || first === PLUS;
    let active = true;

    // The per-message path: no allocation for the common case (not retained, QoS within the
    // subscription's), no promise, no logging. The aedes packet itself carries `clientId` (set by
    // aedes for client publishes), `retain` and `qos`, so it serves as the MessageMeta.
    const deliver: Deliver = (packet, done) => {
      if (!active || (blockDollar && packet.topic.charCodeAt(0) === DOLLAR)) {
        done();
        return;
      }
      const meta = packet.retain || packet.qos > maxQos ? liveMeta(packet, maxQos) : asMeta(packet);
      let held: void | Promise<void> = undefined;
      try {
        held = handler(packet.topic, packet.payload as Buffer, meta);
      } catch (error) {
        this.#handlerFailed(filter, error);
      }
      if (held === undefined) {
        done();
        return;
      }
      // The handler holds the PUBACK (#admit) until it settles. `done` is not held: aedes' emitter
      // runs a bounded number of publishes at once, and a held one would make every other wait.
      if (!this.#admission.hold(packet, held)) held.then(undefined, () => {});
      done();
    };

    await new Promise<void>((resolve, reject) => {
      // aedes reports a refused filter (too many levels) through the callback with an error.
      this.#broker.subscribe(filter, deliver, (error?: Error) => (error ? reject(error) : resolve()));
    });
    void this.#replayRetained(filter, handler, maxQos, blockDollar, () => active);

    return () => {
      if (!active) return Promise.resolve();
      active = false;
      return new Promise<void>((resolve) => this.#broker.unsubscribe(filter, deliver, () => resolve()));
    };
  }

  onPresence(listener: (event: PresenceEvent) => void): () => void {
    this.#presence.add(listener);
    return () => {
      this.#presence.delete(listener);
    };
  }

  /** Disconnect every client and stop the broker. Presence events stop when closing starts. */
  close(): Promise<void> {
    if (this.#closed === undefined) {
      this.#closing = true;
      this.#connections.close();
      this.#closed = new Promise<void>((resolve) => this.#broker.close(() => resolve()));
    }
    return this.#closed;
  }

  #assertOpen(): void {
    if (this.#closing) throw new Error('MQTT bus is closed: embedded broker');
  }

  /**
   * Acknowledged means stored: a device's QoS 1 PUBLISH is acknowledged once every subscriber has it
   * and every hub handler that holds it (MessageHandler) has taken it (QoS1Admission). QoS 0, the
   * hub's own publishes and anything while closing take aedes' path unchanged.
   */
  #admit(client: Client | null, packet: PublishPacket, authorized: (error?: Error | null) => void): void {
    if (client === null || packet.qos !== 1 || this.#closing) {
      authorized(null);
      return;
    }
    this.#admission.admit(client, packet, () => (client as unknown as PausableClient)._nextBatch());
  }

  /** A new subscription receives the retained messages matching it, flagged `retain` [MQTT-3.3.1-6]. */
  async #replayRetained(
    filter: string,
    handler: MessageHandler,
    maxQos: QoS,
    blockDollar: boolean,
    isActive: () => boolean,
  ): Promise<void> {
    const persistence = (this.#broker as unknown as { persistence: RetainedSource }).persistence;
    try {
      for await (const packet of persistence.createRetainedStream(filter)) {
        if (!isActive()) return;
        if (blockDollar && packet.topic.charCodeAt(0) === DOLLAR) continue;
        const meta: MessageMeta = { retain: true, qos: packet.qos < maxQos ? packet.qos : maxQos };
        try {
          handler(packet.topic, packet.payload, meta);
        } catch (error) {
          this.#handlerFailed(filter, error);
        }
      }
    } catch (error) {
      this.#logger?.warn({ filter, err: String(error) }, 'reading retained messages failed');
    }
  }

  #onClientReady(client: Client): void {
    if (this.#closing) return;
    this.#announced.add(client);
    this.#emitPresence({ clientId: client.id, connected: true });
  }

  #onClientDisconnect(client: Client): void {
    if (!this.#announced.has(client)) return;
    this.#announced.delete(client);
    if (this.#closing) return;
    // aedes sets `_disconnected` only when the client sent DISCONNECT [MQTT-3.14.4-3]; any other
    // end (socket error or close, keep-alive timeout [MQTT-3.1.2-24], takeover [MQTT-3.1.4-2],
    // refused PUBLISH) is abrupt, which is also when the will is published [MQTT-3.1.2-8].
    const clean = (client as Client & { _disconnected?: boolean })._disconnected === true;
    this.#emitPresence({ clientId: client.id, connected: false, abrupt: !clean });
  }

  #emitPresence(event: PresenceEvent): void {
    for (const listener of this.#presence) {
      try {
        listener(event);
      } catch (error) {
        this.#logger?.warn({ clientId: event.clientId, err: String(error) }, 'presence listener threw');
      }
    }
  }

  /** A handler threw: log it, at most once a second with the count, and keep delivering. */
  #handlerFailed(filter: string, error: unknown): void {
    this.#handlerErrors++;
    const now = Date.now();
    if (now - this.#handlerErrorLoggedAt < HANDLER_ERROR_LOG_INTERVAL_MS) return;
    this.#handlerErrorLoggedAt = now;
    this.#logger?.warn({ filter, err: String(error), count: this.#handlerErrors }, 'mqtt message handler threw');
    this.#handlerErrors = 0;
  }
}

/** Keep the budget in step with the retained store: every store and delete passes through storeRetained. */
function trackRetained(broker: Aedes, budget: RetainedBudget): void {
  const persistence = (broker as unknown as { persistence: { storeRetained(packet: RetainedPacket): Promise<void> } }).persistence;
  const store = persistence.storeRetained.bind(persistence);
  persistence.storeRetained = async (packet) => {
    await store(packet);
    budget.stored(packet.topic, packet.payload.length);
  };
}

/** The aedes packet viewed as MessageMeta (it has `clientId`, `retain` and `qos` fields). */
function asMeta(packet: AedesPublishPacket): MessageMeta {
  return packet as unknown as MessageMeta;
}

/**
 * Meta for a live message that needs adjusting: the RETAIN flag is cleared on messages sent for an
 * established subscription [MQTT-3.3.1-9], and QoS is capped at the subscription's [MQTT-3.8.4-6].
 */
function liveMeta(packet: AedesPublishPacket, maxQos: QoS): MessageMeta {
  const clientId = (packet as { clientId?: string }).clientId;
  const qos = packet.qos < maxQos ? packet.qos : maxQos;
  return clientId === undefined ? { retain: false, qos } : { clientId, retain: false, qos };
}
