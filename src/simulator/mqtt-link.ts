/** One device's MQTT connection (mqtt.js): will, subscriptions, and publishing with a bounded in-flight window. */
import type { Duplex } from 'node:stream';
import mqtt, { MqttClient, type IClientOptions } from 'mqtt';

/** How to reach the broker: a URL, or a stream factory for in-process tests (e.g. one side of `duplexPair()`). */
export interface BrokerConnection {
  /** Broker URL, e.g. `mqtt://localhost:1883` or `ws://localhost:8080/mqtt`. */
  readonly url?: string;
  /** Opens a fresh duplex stream to the broker for each (re)connection; wins over `url`. */
  readonly streamBuilder?: () => Duplex;
  /** Passed through to mqtt.js (username, password, protocolVersion, keepalive, …). */
  readonly connectOptions?: IClientOptions;
  /**
   * The password a device logs in with, by hardware id: its own secret (`llm-iot device credentials
   * create`) or the fleet enrollment key. The username is then the device's client id, its hardware id.
   */
  readonly passwordFor?: (hardwareId: string) => string | undefined;
}

/** mqtt.js options for one device: the shared ones, and its own login when {@link BrokerConnection.passwordFor} names one. */
export function deviceLogin(options: BrokerConnection, clientId: string): IClientOptions {
  const password = options.passwordFor?.(clientId);
  return password === undefined ? { ...options.connectOptions } : { ...options.connectOptions, username: clientId, password };
}

/** Counters the link updates. */
export interface LinkCounters {
  /** Messages handed to the client. */
  sent: number;
  /** Messages the broker acknowledged (PUBACK for QoS 1; written to the socket for QoS 0). */
  acknowledged: number;
  errors: number;
}

export interface MqttLinkOptions extends BrokerConnection {
  readonly clientId: string;
  readonly will: { readonly topic: string; readonly payload: string };
  /** Publishes allowed to wait for their acknowledgement at once; further publishers wait (backpressure). */
  readonly maxInFlight: number;
}

export interface LinkHandlers {
  onMessage(topic: string, payload: Buffer): void;
  onConnect(): void;
  onClose(): void;
}

/** A device's MQTT session. mqtt.js reconnects on its own; every (re)connect calls `onConnect`. */
export class MqttLink {
  readonly #options: MqttLinkOptions;
  readonly #counters: LinkCounters;
  readonly #client: MqttClient;
  #inFlight = 0;
  #closed = false;
  readonly #waiters: (() => void)[] = [];

  constructor(options: MqttLinkOptions, counters: LinkCounters, handlers: LinkHandlers) {
    this.#options = options;
    this.#counters = counters;
    const clientOptions: IClientOptions = {
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...deviceLogin(options, options.clientId),
      clientId: options.clientId,
      clean: true,
      will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1, retain: false },
    };
    const builder = options.streamBuilder;
    if (builder !== undefined) this.#client = new MqttClient(() => builder(), clientOptions);
    else if (options.url !== undefined) this.#client = mqtt.connect(options.url, clientOptions);
    else throw new TypeError('MqttLink needs a url or a streamBuilder');
    this.#client.on('message', (topic, payload) => handlers.onMessage(topic, payload));
    this.#client.on('connect', () => handlers.onConnect());
    this.#client.on('close', () => handlers.onClose());
    // Connection errors are retried by mqtt.js; count them so they show in the stats.
    this.#client.on('error', () => {
      this.#counters.errors++;
    });
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves once fewer than `maxInFlight` publishes await their acknowledgement (or the link closed). */
  async waitForCapacity(): Promise<void> {
    while (!this.#closed && this.#inFlight >= this.#options.maxInFlight) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Publish once fewer than `maxInFlight` publishes are unacknowledged, and resolve when the broker acknowledged
   * (QoS 1) or the socket took the bytes (QoS 0, mqtt.js waits for `drain`). So nothing piles up inside mqtt.js.
   * Resolves false on failure (counted) or when the link is closed, never rejects.
   */
  async publish(topic: string, payload: string, qos: 0 | 1): Promise<boolean> {
    await this.waitForCapacity();
    if (this.#closed) return false;
    this.#counters.sent++;
    this.#inFlight++;
    try {
      await this.#client.publishAsync(topic, payload, { qos });
      this.#counters.acknowledged++;
      return true;
    } catch {
      this.#counters.errors++;
      return false;
    } finally {
      this.#inFlight--;
      this.#waiters.shift()?.();
    }
  }

  async subscribe(topic: string): Promise<void> {
    await this.#client.subscribeAsync(topic, { qos: 1 });
  }

  /** Orderly DISCONNECT: the broker drops the will. */
  async close(): Promise<void> {
    await this.#client.endAsync();
    this.#release();
  }

  /** Drop the connection without DISCONNECT (power loss, reset): the broker publishes the will. */
  async destroy(): Promise<void> {
    await this.#client.endAsync(true);
    this.#release();
  }

  #release(): void {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}
