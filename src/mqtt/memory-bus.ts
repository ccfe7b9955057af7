/** MemoryMqttBus: the MqttBus and its device clients linked in memory, no socket and no MQTT codec (tests, simulations). */
import type { MessageHandler, MessageMeta, MqttBus, PresenceEvent, PublishOptions, QoS } from '../core/ports/mqtt-bus.ts';
import { MemoryMqttClient, type MemoryClientOptions } from './memory-client.ts';
import { assertTopicFilter, assertTopicName, matchTopic } from './topic-filter.ts';

/** One message on its way through the broker. */
export interface MemoryMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
  /** The publishing device's client id; undefined when the hub published. */
  readonly clientId?: string;
}

/** What a {@link MemoryMqttClient} needs from its broker. */
export interface MemoryBrokerLink {
  /** Route a device's PUBLISH; `done` runs once every subscriber has it (the PUBACK). */
  publish(message: MemoryMessage, done: () => void): void;
  /** A device subscribed: queue the retained messages matching `filter` for it. */
  subscribed(client: MemoryMqttClient, filter: string, qos: QoS): void;
  /** The device's connection ended; `abrupt` when it sent no DISCONNECT (its will is published). */
  disconnected(client: MemoryMqttClient, abrupt: boolean): void;
  /** Run `task` on a later turn, in order with every other delivery of this broker. */
  defer(task: () => void): void;
}

interface HubSubscription {
  readonly filter: string;
  readonly handler: MessageHandler;
  readonly qos: QoS;
  active: boolean;
}

/**
 * An in-process broker in the InMemoryTransport manner: the hub side is this {@link MqttBus};
 * devices are {@link MemoryMqttClient}s from {@link MemoryMqttBus.connect}, shaped like the part of
 * an mqtt.js client that devices use. Behaves as the embedded broker does where the contract says
 * so: topic-filter matching, retained messages (an empty payload clears one), QoS capped at the
 * subscription's, the publisher's client id in the meta, presence events and wills, client-id
 * takeover, inbound pause. Delivery is asynchronous and in publish order, never re-entrant.
 */
export class MemoryMqttBus implements MqttBus {
  /** Like the embedded broker, it knows publishers and presence. */
  readonly kind = 'embedded' as const;
  readonly #subscriptions: HubSubscription[] = [];
  readonly #clients = new Map<string, MemoryMqttClient>();
  readonly #retained = new Map<string, MemoryMessage>();
  readonly #presence = new Set<(event: PresenceEvent) => void>();
  readonly #queue: Array<() => void> = [];
  #draining = false;
  #paused = false;
  readonly #held: Array<() => void> = [];
  #closed = false;

  readonly #link: MemoryBrokerLink = {
    publish: (message, done) => {
      const route = (): void => this.#route(message, done);
      if (this.#paused) this.#held.push(route);
      else this.defer(route);
    },
    subscribed: (client, filter, qos) => {
      for (const message of this.#retained.values()) {
        if (!matchTopic(filter, message.topic)) continue;
        const delivered: MemoryMessage = { ...message, qos: message.qos < qos ? message.qos : qos, retain: true };
        this.defer(() => client.deliver(delivered));
      }
    },
    disconnected: (client, abrupt) => this.#disconnected(client, abrupt),
    defer: (task) => this.defer(task),
  };

  /** Connect a device. A client id already connected is taken over: the old client is dropped [MQTT-3.1.4-2]. */
  async connect(clientId: string, options: MemoryClientOptions = {}): Promise<MemoryMqttClient> {
    this.#assertOpen();
    this.#clients.get(clientId)?.drop();
    const client = new MemoryMqttClient(clientId, this.#link, options);
    this.#clients.set(clientId, client);
    await new Promise<void>((resolve) => this.defer(resolve));
    client.connected = true;
    this.#emitPresence({ clientId, connected: true });
    client.emit('connect', { cmd: 'connack', returnCode: 0, sessionPresent: false });
    return client;
  }

  /** Number of device clients currently connected. */
  get connectedClients(): number {
    return this.#clients.size;
  }

  async publish(topic: string, payload: Buffer | string, options: PublishOptions = {}): Promise<void> {
    this.#assertOpen();
    assertTopicName(topic);
    const message: MemoryMessage = {
      topic,
      payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
      qos: options.qos ?? 0,
      retain: options.retain ?? false,
    };
    await new Promise<void>((resolve) => this.defer(() => this.#route(message, resolve)));
  }

  async subscribe(filter: string, handler: MessageHandler, options: { qos?: QoS } = {}): Promise<() => Promise<void>> {
    this.#assertOpen();
    assertTopicFilter(filter);
    const subscription: HubSubscription = { filter, handler, qos: options.qos ?? 0, active: true };
    await new Promise<void>((resolve) => this.defer(resolve));
    this.#subscriptions.push(subscription);
    // A new subscription receives the matching retained messages, flagged retain [MQTT-3.3.1-6].
    for (const message of this.#retained.values()) {
      if (matchTopic(filter, message.topic)) this.defer(() => this.#toHub(subscription, message, true));
    }
    return async () => {
      if (!subscription.active) return;
      subscription.active = false;
      const index = this.#subscriptions.indexOf(subscription);
      if (index >= 0) this.#subscriptions.splice(index, 1);
    };
  }

  onPresence(listener: (event: PresenceEvent) => void): () => void {
    this.#presence.add(listener);
    return () => {
      this.#presence.delete(listener);
    };
  }

  /** Hold device publishes (their `publishAsync` waits) until resumed; the hub's own are not held. */
  setInboundPaused(paused: boolean): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    if (!paused) for (const route of this.#held.splice(0)) this.defer(route);
  }

  /** Drop every device (no wills: the broker itself is going) and refuse further work. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.setInboundPaused(false);
    for (const client of [...this.#clients.values()]) client.drop();
    this.#clients.clear();
    this.#subscriptions.length = 0;
    await new Promise<void>((resolve) => this.defer(resolve));
  }

  /** Run `task` on a later turn of the event loop, after every task deferred before it. */
  defer(task: () => void): void {
    this.#queue.push(task);
    if (this.#draining) return;
    this.#draining = true;
    setImmediate(() => this.#drain());
  }

  #drain(): void {
    // Tasks deferred while draining run in this same pass, still in order.
    for (let i = 0; i < this.#queue.length; i++) (this.#queue[i] as () => void)();
    this.#queue.length = 0;
    this.#draining = false;
  }

  #route(message: MemoryMessage, done: () => void): void {
    if (message.retain) {
      // An empty retained payload deletes the retained message [MQTT-3.3.1-10].
      if (message.payload.length === 0) this.#retained.delete(message.topic);
      else this.#retained.set(message.topic, message);
    }
    // A retained PUBLISH to an established subscription arrives with RETAIN 0 [MQTT-3.3.1-9].
    const holds: Promise<void>[] = [];
    for (const subscription of [...this.#subscriptions]) {
      if (matchTopic(subscription.filter, message.topic)) this.#toHub(subscription, message, false, holds);
    }
    for (const client of this.#clients.values()) {
      const qos = client.matchingQos(message.topic);
      if (qos !== undefined) client.deliver({ ...message, qos: message.qos < qos ? message.qos : qos, retain: false });
    }
    // As the embedded broker: a device's QoS 1 message is acknowledged once the handlers holding it
    // settled; one not taken is never acknowledged and the device's connection is dropped.
    if (holds.length === 0 || message.qos !== 1 || message.clientId === undefined) {
      done();
      return;
    }
    const publisher = this.#clients.get(message.clientId);
    Promise.all(holds).then(done, () => {
      if (this.#clients.get(message.clientId as string) === publisher) publisher?.drop();
    });
  }

  #toHub(subscription: HubSubscription, message: MemoryMessage, retain: boolean, holds?: Promise<void>[]): void {
    if (!subscription.active) return;
    const qos = message.qos < subscription.qos ? message.qos : subscription.qos;
    const meta: MessageMeta = message.clientId === undefined ? { retain, qos } : { clientId: message.clientId, retain, qos };
    try {
      const held = subscription.handler(message.topic, message.payload, meta);
      if (held !== undefined) {
        if (holds !== undefined && qos === 1) holds.push(held);
        else held.then(undefined, () => {});
      }
    } catch {
      // A handler's failure is its own; the other subscribers still get the message.
    }
  }

  #disconnected(client: MemoryMqttClient, abrupt: boolean): void {
    if (this.#clients.get(client.clientId) !== client) return;
    this.#clients.delete(client.clientId);
    if (this.#closed) return;
    // The will is published when the connection ends without DISCONNECT [MQTT-3.1.2-8].
    const will = client.will;
    if (abrupt && will !== undefined) {
      const payload = typeof will.payload === 'string' ? Buffer.from(will.payload) : will.payload;
      const message: MemoryMessage = { topic: will.topic, payload, qos: will.qos ?? 0, retain: will.retain ?? false, clientId: client.clientId };
      this.defer(() => this.#route(message, () => {}));
    }
    this.#emitPresence({ clientId: client.clientId, connected: false, abrupt });
  }

  #emitPresence(event: PresenceEvent): void {
    for (const listener of this.#presence) {
      try {
        listener(event);
      } catch {
        // A presence listener's failure must not stop the others.
      }
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('MQTT bus is closed: in-memory broker');
  }
}
