/**
 * LoggedBus: the bus the protocols subscribe through on a cluster instance, remembering each
 * subscription (filter, handler, shared or not). A survivor that adopts a dead instance's broker
 * session (session-adopter.ts) hands the messages queued there to these same handlers.
 */
import type { MessageHandler, MqttBus, PresenceEvent, PublishOptions, QoS } from '../core/ports/mqtt-bus.ts';

/** One subscription a protocol made. */
export interface LoggedSubscription {
  readonly filter: string;
  readonly handler: MessageHandler;
  readonly qos: QoS;
  /** In the instances' shared-subscription group (each message to one instance) or not (every instance gets a copy). */
  readonly shared: boolean;
}

export class LoggedBus implements MqttBus {
  readonly #inner: MqttBus;
  readonly #subscriptions = new Set<LoggedSubscription>();

  constructor(inner: MqttBus) {
    this.#inner = inner;
  }

  get kind(): MqttBus['kind'] {
    return this.#inner.kind;
  }

  /** The live subscriptions, in the order they were made. */
  get subscriptions(): readonly LoggedSubscription[] {
    return [...this.#subscriptions];
  }

  publish(topic: string, payload: Buffer | string, options?: PublishOptions): Promise<void> {
    return this.#inner.publish(topic, payload, options);
  }

  async subscribe(filter: string, handler: MessageHandler, options: { qos?: QoS; shared?: boolean } = {}): Promise<() => Promise<void>> {
    const unsubscribe = await this.#inner.subscribe(filter, handler, options);
    const entry: LoggedSubscription = { filter, handler, qos: options.qos ?? 0, shared: options.shared !== false };
    this.#subscriptions.add(entry);
    return () => {
      this.#subscriptions.delete(entry);
      return unsubscribe();
    };
  }

  onPresence(listener: (event: PresenceEvent) => void): () => void {
    return this.#inner.onPresence(listener);
  }

  onConnected(listener: () => void): () => void {
    return this.#inner.onConnected?.(listener) ?? (() => {});
  }

  setInboundPaused(paused: boolean): void {
    this.#inner.setInboundPaused?.(paused);
  }

  /** The hub closes the real bus. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
