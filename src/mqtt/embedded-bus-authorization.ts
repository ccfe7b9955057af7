/** The embedded broker's publish and subscribe checks, as the aedes hooks EmbeddedMqttBus.create hands to aedes. */
import type { AedesOptions, Client, PublishPacket } from 'aedes';
import type { RetainedBudget } from './retained-budget.ts';
import type { SubscriptionLimit } from './subscription-limit.ts';
import type { Refusal } from './reject-reasons.ts';

const SYS_PREFIX = '$SYS/';

type AuthorizePublish = NonNullable<AedesOptions['authorizePublish']>;
type AuthorizeSubscribe = NonNullable<AedesOptions['authorizeSubscribe']>;
type PublishCallback = Parameters<AuthorizePublish>[2];

/** Log (throttled per client) and count a PUBLISH or subscription the checks refused. */
export type CheckRefusal = Refusal<'reserved-topic' | 'payload-too-large' | 'retained-count' | 'retained-bytes' | 'subscription-limit'>;

/** Options of {@link embeddedBusAuthorization}. */
export interface EmbeddedBusAuthorizationOptions {
  /** Largest PUBLISH payload, in bytes, a client may send. */
  readonly maxPacketBytes: number;
  /**
   * Device access control, after the size and `$SYS` checks: undefined to let a client's PUBLISH
   * (or will) through, else why it is refused (the client is disconnected).
   */
  readonly authorizePublish?: ((client: Client | null, packet: PublishPacket) => string | undefined) | undefined;
  /** Device access control of a SUBSCRIBE: answer `null` to refuse a filter (SUBACK 0x80). */
  readonly authorizeSubscribe?: AuthorizeSubscribe | undefined;
  /** The retained store's bounds; a retained PUBLISH that does not fit is refused. */
  readonly retained: RetainedBudget;
  /** The per-session subscription cap, checked after device access control. */
  readonly subscriptions: SubscriptionLimit;
  readonly refused: CheckRefusal;
  /** A PUBLISH passed every check: acknowledge it (the bus's QoS 1 admission) by calling `callback`. */
  readonly admit: AuthorizePublish;
}

/** The aedes hooks of {@link embeddedBusAuthorization}. */
export interface EmbeddedBusAuthorization {
  readonly authorizePublish: AuthorizePublish;
  readonly authorizeSubscribe: AuthorizeSubscribe;
}

/**
 * The chain of checks on what a client sends: a PUBLISH (or will) is refused on a reserved `$SYS/`
 * topic, past the payload limit, by device access control, or past the retained store's bounds, and
 * otherwise handed to `admit`; a subscription is refused by device access control, then by the
 * per-session cap.
 */
export function embeddedBusAuthorization(options: EmbeddedBusAuthorizationOptions): EmbeddedBusAuthorization {
  const { maxPacketBytes: maxPayload, retained, subscriptions, refused, admit } = options;
  const authorizePublish = (client: Client | null, packet: PublishPacket, callback: PublishCallback): void => {
    const topic = packet.topic;
    if (topic.startsWith(SYS_PREFIX)) {
      // aedes' default authorizePublish refuses $SYS/ from clients (aedes#597); keep that.
      reject('reserved-topic', `publish refused: ${topic} is reserved for the broker`);
      return;
    }
    const size = packet.payload.length;
    if (size > maxPayload) {
      reject('payload-too-large', `publish refused: payload of ${size} bytes on ${topic} exceeds ${maxPayload}`);
      return;
    }
    const denied = options.authorizePublish?.(client, packet);
    if (denied !== undefined) {
      callback(new Error(denied));
      return;
    }
    const overBudget = packet.retain ? retained.admits(topic, size) : null;
    if (overBudget !== null) {
      const { maxMessages, maxBytes } = retained.limits;
      const limit = overBudget === 'retained-count' ? `${maxMessages} retained messages` : `${maxBytes} bytes of retained messages`;
      reject(overBudget, `publish refused: retained message on ${topic} would exceed the broker's ${limit}`);
      return;
    }
    admit(client, packet, callback);

    function reject(reason: Parameters<CheckRefusal>[0], message: string): void {
      refused(reason, client === null ? null : client.id, topic, message);
      // MQTT 3.1.1 has no negative PUBACK: the server either acks positively or closes the
      // connection [MQTT-3.3.5-2]. aedes closes it, so the sender learns it was refused.
      callback(new Error(message));
    }
  };
  const limitSubscribe: AuthorizeSubscribe = (client, sub, callback) => {
    const refusal = subscriptions.check(client, sub.topic);
    if (refusal === null) return callback(null, sub);
    refused('subscription-limit', client.id, sub.topic, refusal);
    // MQTT 3.1.1 §3.9.3: return code 0x80 for this filter; the session and its other filters stay.
    callback(null, null);
  };
  // Device access control first (src/security/device-auth.ts), then the per-session cap.
  const access = options.authorizeSubscribe;
  const authorizeSubscribe: AuthorizeSubscribe = (client, sub, callback) => {
    if (access === undefined) return limitSubscribe(client, sub, callback);
    access(client, sub, (error, allowed) => (error !== null || allowed == null ? callback(error, null) : limitSubscribe(client, allowed, callback)));
  };
  return { authorizePublish, authorizeSubscribe };
}
