/** A device's MQTT connection whose will is rebuilt before every CONNECT, with binary payloads and per-protocol counters. */
import mqtt, { MqttClient, type IClientOptions } from 'mqtt';
import { deviceLogin, type BrokerConnection, type LinkCounters } from './mqtt-link.ts';

/** A will message, built afresh for each CONNECT (Sparkplug: NDEATH with that connection's bdSeq). */
export interface SessionWill {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: 0 | 1;
}

export interface SessionLinkOptions extends BrokerConnection {
  readonly clientId: string;
  /** Called once before each CONNECT, the first included; its message becomes that connection's will. */
  readonly will: () => SessionWill | undefined;
  /** Publishes allowed to wait for their acknowledgement at once; further publishers wait (backpressure). */
  readonly maxInFlight: number;
}

export interface SessionLinkHandlers {
  onMessage(topic: string, payload: Buffer): void;
  onConnect(): void;
  onClose(): void;
  /** A transport error mqtt.js will retry on its own. */
  onError(): void;
}

/**
 * One MQTT session shared by several protocols. Unlike {@link MqttLink} it takes bytes, counts each publish
 * against the caller's counters, and refreshes the will on every reconnect: mqtt.js emits `reconnect` just
 * before it builds the CONNECT packet from `client.options`, so the new will goes out with that CONNECT.
 */
export class SessionLink {
  readonly #options: SessionLinkOptions;
  readonly #client: MqttClient;
  #inFlight = 0;
  #closed = false;
  readonly #waiters: (() => void)[] = [];

  constructor(options: SessionLinkOptions, handlers: SessionLinkHandlers) {
    this.#options = options;
    const clientOptions: IClientOptions = {
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...deviceLogin(options, options.clientId),
      clientId: options.clientId,
      clean: true,
      ...willOption(options.will()),
    };
    const builder = options.streamBuilder;
    if (builder !== undefined) this.#client = new MqttClient(() => builder(), clientOptions);
    else if (options.url !== undefined) this.#client = mqtt.connect(options.url, clientOptions);
    else throw new TypeError('SessionLink needs a url or a streamBuilder');
    this.#client.on('reconnect', () => {
      const will = options.will();
      if (will === undefined) delete this.#client.options.will;
      else this.#client.options.will = toMqttWill(will);
    });
    this.#client.on('message', (topic, payload) => handlers.onMessage(topic, payload));
    this.#client.on('connect', () => handlers.onConnect());
    this.#client.on('close', () => handlers.onClose());
    this.#client.on('error', () => handlers.onError());
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
   * Publish once there is capacity; resolves true when the broker acknowledged (QoS 1) or the socket took the
   * bytes (QoS 0). Failures resolve false and count in `counters.errors`; never rejects.
   */
  async publish(topic: string, payload: string | Uint8Array, qos: 0 | 1, counters: LinkCounters): Promise<boolean> {
    await this.waitForCapacity();
    if (this.#closed || !this.#client.connected) return false;
    counters.sent++;
    this.#inFlight++;
    try {
      await this.#client.publishAsync(topic, typeof payload === 'string' ? payload : Buffer.from(payload), { qos, retain: false });
      counters.acknowledged++;
      return true;
    } catch {
      counters.errors++;
      return false;
    } finally {
      this.#inFlight--;
      this.#waiters.shift()?.();
    }
  }

  async subscribe(topics: readonly string[]): Promise<void> {
    await this.#client.subscribeAsync([...topics], { qos: 1 });
  }

  /** Orderly DISCONNECT: the broker drops the will. */
  async close(): Promise<void> {
    this.#release();
    await this.#client.endAsync();
  }

  /** Drop the connection without DISCONNECT (power loss, reset): the broker publishes the will. */
  async destroy(): Promise<void> {
    this.#release();
    await this.#client.endAsync(true);
  }

  #release(): void {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}

function willOption(will: SessionWill | undefined): Pick<IClientOptions, 'will'> {
  return will === undefined ? {} : { will: toMqttWill(will) };
}

function toMqttWill(will: SessionWill): NonNullable<IClientOptions['will']> {
  return { topic: will.topic, payload: Buffer.from(will.payload), qos: will.qos, retain: false };
}
