/** Options of the external-broker MqttBus (external-bus.ts), and their defaults. */
import type { MessageHandler, QoS } from '../core/ports/mqtt-bus.ts';
import type { BusLogger } from './embedded-bus.ts';

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

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Default {@link ExternalMqttBusOptions.sessionExpirySeconds}. */
export const DEFAULT_SESSION_EXPIRY_SECONDS = 3600;
export const DEFAULT_EARLY_GRACE_MS = 30_000;
export const DEFAULT_RECONNECT_PERIOD_MS = 1_000;
