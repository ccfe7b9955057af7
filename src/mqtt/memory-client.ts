/** MemoryMqttClient: a device's connection to a {@link MemoryMqttBus}, shaped like the mqtt.js client calls devices make. */
import { EventEmitter } from 'node:events';
import type { QoS } from '../core/ports/mqtt-bus.ts';
import type { MemoryBrokerLink, MemoryMessage } from './memory-bus.ts';
import { assertTopicFilter, assertTopicName, matchTopic } from './topic-filter.ts';

/** The will a device leaves with the broker, published if its connection ends without DISCONNECT. */
export interface MemoryWill {
  readonly topic: string;
  readonly payload: Buffer | string;
  readonly qos?: QoS;
  readonly retain?: boolean;
}

/** Options of {@link MemoryMqttBus.connect}. */
export interface MemoryClientOptions {
  readonly will?: MemoryWill;
}

/** What a 'message' listener gets as its third argument (the fields of an mqtt.js PUBLISH packet tests read). */
export interface MemoryPublishPacket {
  readonly cmd: 'publish';
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly dup: false;
}

type Callback = (error?: Error) => void;

/**
 * A device client: `publish`/`subscribe`/`unsubscribe`/`end` and their `…Async` forms, and the
 * 'connect', 'message', 'close' and 'end' events, as mqtt.js has them. `end(true)` drops the
 * connection without DISCONNECT, as mqtt.js does, so the will is published.
 */
export class MemoryMqttClient extends EventEmitter {
  readonly clientId: string;
  readonly options: { readonly clientId: string };
  readonly will: MemoryWill | undefined;
  connected = false;
  readonly #link: MemoryBrokerLink;
  readonly #subscriptions = new Map<string, QoS>();
  #ended = false;

  constructor(clientId: string, link: MemoryBrokerLink, options: MemoryClientOptions = {}) {
    super();
    this.clientId = clientId;
    this.options = { clientId };
    this.will = options.will;
    this.#link = link;
  }

  publish(topic: string, payload: Buffer | string, options: { qos?: QoS; retain?: boolean } | Callback = {}, callback?: Callback): this {
    const opts = typeof options === 'function' ? {} : options;
    const done = typeof options === 'function' ? options : callback;
    this.publishAsync(topic, payload, opts).then(
      () => done?.(),
      (error: Error) => (done ? done(error) : this.emit('error', error)),
    );
    return this;
  }

  /** Resolves once every subscriber has the message (the PUBACK, whatever the QoS). */
  async publishAsync(topic: string, payload: Buffer | string, options: { qos?: QoS; retain?: boolean } = {}): Promise<void> {
    this.#assertConnected();
    assertTopicName(topic);
    const message: MemoryMessage = {
      topic,
      payload: typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload),
      qos: options.qos ?? 0,
      retain: options.retain ?? false,
      clientId: this.clientId,
    };
    await new Promise<void>((resolve) => this.#link.publish(message, resolve));
  }

  subscribe(filter: string | string[], options: { qos?: QoS } | Callback = {}, callback?: Callback): this {
    const opts = typeof options === 'function' ? {} : options;
    const done = typeof options === 'function' ? options : callback;
    this.subscribeAsync(filter, opts).then(
      () => done?.(),
      (error: Error) => (done ? done(error) : this.emit('error', error)),
    );
    return this;
  }

  /** Resolves on the SUBACK; the retained messages matching the filters follow. */
  async subscribeAsync(filter: string | string[], options: { qos?: QoS } = {}): Promise<Array<{ topic: string; qos: QoS }>> {
    this.#assertConnected();
    const filters = Array.isArray(filter) ? filter : [filter];
    for (const f of filters) assertTopicFilter(f);
    const qos = options.qos ?? 0;
    await new Promise<void>((resolve) => this.#link.defer(resolve));
    for (const f of filters) {
      this.#subscriptions.set(f, qos);
      this.#link.subscribed(this, f, qos);
    }
    return filters.map((topic) => ({ topic, qos }));
  }

  async unsubscribeAsync(filter: string | string[]): Promise<void> {
    this.#assertConnected();
    await new Promise<void>((resolve) => this.#link.defer(resolve));
    for (const f of Array.isArray(filter) ? filter : [filter]) this.#subscriptions.delete(f);
  }

  /** End the connection: cleanly (DISCONNECT, no will) or, with `force`, abruptly (will published). */
  end(force = false, callback?: () => void): this {
    void this.endAsync(force).then(() => callback?.());
    return this;
  }

  async endAsync(force = false): Promise<void> {
    if (this.#ended) return;
    this.#close(force);
    await new Promise<void>((resolve) => this.#link.defer(resolve));
  }

  /** The network went away: the broker sees an abrupt end and publishes the will. */
  simulateConnectionLoss(): void {
    if (!this.#ended) this.#close(true);
  }

  /** The broker dropped this client (takeover, broker closing). @internal */
  drop(): void {
    if (!this.#ended) this.#close(true);
  }

  /** The highest QoS among this client's subscriptions matching `topic`, or undefined. @internal */
  matchingQos(topic: string): QoS | undefined {
    let best: QoS | undefined;
    for (const [filter, qos] of this.#subscriptions) {
      if (matchTopic(filter, topic) && (best === undefined || qos > best)) best = qos;
    }
    return best;
  }

  /** Hand a message to the 'message' listeners. @internal */
  deliver(message: MemoryMessage): void {
    if (this.#ended) return;
    const packet: MemoryPublishPacket = { cmd: 'publish', topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retain, dup: false };
    this.emit('message', message.topic, message.payload, packet);
  }

  #close(abrupt: boolean): void {
    this.#ended = true;
    this.connected = false;
    this.#subscriptions.clear();
    this.#link.disconnected(this, abrupt);
    this.#link.defer(() => {
      this.emit('close');
      this.emit('end');
    });
  }

  #assertConnected(): void {
    if (this.#ended) throw new Error(`MQTT client ${this.clientId} is disconnected`);
  }
}
