/**
 * BusView: a cluster's view of the hub's MqttBus (LoggedBus, OwnedBus). It passes everything but
 * `subscribe` through to the real bus and closes nothing: the hub closes the real bus.
 */
import type { MessageHandler, MqttBus, PresenceEvent, PublishOptions, QoS } from '../core/ports/mqtt-bus.ts';

export abstract class BusView implements MqttBus {
  protected readonly inner: MqttBus;

  constructor(inner: MqttBus) {
    this.inner = inner;
  }

  get kind(): MqttBus['kind'] {
    return this.inner.kind;
  }

  publish(topic: string, payload: Buffer | string, options?: PublishOptions): Promise<void> {
    return this.inner.publish(topic, payload, options);
  }

  abstract subscribe(filter: string, handler: MessageHandler, options?: { qos?: QoS; shared?: boolean }): Promise<() => Promise<void>>;

  onPresence(listener: (event: PresenceEvent) => void): () => void {
    return this.inner.onPresence(listener);
  }

  onConnected(listener: () => void): () => void {
    return this.inner.onConnected?.(listener) ?? (() => {});
  }

  setInboundPaused(paused: boolean): void {
    this.inner.setInboundPaused?.(paused);
  }

  /** The hub closes the real bus; a view of it has nothing of its own to close. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
