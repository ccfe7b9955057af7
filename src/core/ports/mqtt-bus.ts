/** MqttBus: how the hub talks MQTT, whether the broker is embedded (aedes) or external (mqtt.js). */

export type QoS = 0 | 1 | 2;

export interface PublishOptions {
  readonly qos?: QoS;
  readonly retain?: boolean;
  /**
   * QoS 1: reject with {@link NoSubscribersError} when the broker says no subscription matched
   * (MQTT 5 PUBACK reason 0x10, §3.4.2.1). Buses that cannot tell (MQTT 3.1.1, the embedded broker) resolve.
   */
  readonly requireSubscriber?: boolean;
}

/** A publish with `requireSubscriber` reached no subscriber: nobody will read it. */
export class NoSubscribersError extends Error {
  readonly topic: string;

  constructor(topic: string) {
    super(`no subscriber for ${topic}`);
    this.name = 'NoSubscribersError';
    this.topic = topic;
  }
}

/** What the bus knows about an incoming message besides topic and payload. */
export interface MessageMeta {
  /** Publisher's MQTT client id when the broker is embedded; undefined on an external broker. */
  readonly clientId?: string;
  readonly retain: boolean;
  readonly qos: QoS;
}

/**
 * Receives a message. A handler may return a promise to hold the message's acknowledgement: a QoS 1
 * message is acknowledged (PUBACK) only once every promise returned for it has settled. Fulfilled
 * means taken (stored, or refused for good and the sender told); rejected means not taken and worth
 * sending again (the store is down, the pipeline is full, the hub is stopping): the bus then does not
 * acknowledge it and ends the connection the message came on, so the sender resends it after
 * reconnecting (MQTT 3.1.1 §4.4, MQTT 5.0 §4.4). QoS 0 messages are never held; return nothing for them.
 */
export type MessageHandler = (topic: string, payload: Buffer, meta: MessageMeta) => void | Promise<void>;

/** A device connection opened or closed (embedded broker only; external brokers rely on wills). */
export interface PresenceEvent {
  readonly clientId: string;
  readonly connected: boolean;
  /** true when the connection ended without DISCONNECT (network loss, keep-alive timeout). */
  readonly abrupt?: boolean;
}

export interface MqttBus {
  /** "embedded" or "external". */
  readonly kind: 'embedded' | 'external';
  publish(topic: string, payload: Buffer | string, options?: PublishOptions): Promise<void>;
  /**
   * Subscribe a handler to a topic filter; resolves once the broker acknowledged. Returns the unsubscribe.
   * `shared: false` opts out of the hub instances' shared-subscription group (external broker): every
   * instance then receives every message of the filter.
   */
  subscribe(filter: string, handler: MessageHandler, options?: { qos?: QoS; shared?: boolean }): Promise<() => Promise<void>>;
  /** Connection presence of MQTT clients; a no-op subscription on buses that cannot see it. */
  onPresence(listener: (event: PresenceEvent) => void): () => void;
  /**
   * Each time the connection to the broker is established again after a loss, once the bus's
   * subscriptions are back in place (resubscribed, or kept in the broker's session). Not for the
   * first connection, which precedes the bus. Returns the unsubscribe. Optional: an embedded broker
   * never reconnects.
   */
  onConnected?(listener: () => void): () => void;
  /**
   * Flow control: stop (true) or restart (false) reading device messages, so a full telemetry
   * pipeline slows the senders down (TCP backpressure) instead of dropping their data. Optional:
   * a bus that cannot pause leaves buffering to the broker.
   */
  setInboundPaused?(paused: boolean): void;
  close(): Promise<void>;
}
