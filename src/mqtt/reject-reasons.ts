/**
 * Why the embedded broker refuses a client's packet or connection: the `reason` of
 * llmiot_messages_rejected_total{protocol="mqtt"}, every one pre-initialised at 0 so that `increase()`
 * sees the first refusal of each kind. Where they arise: embedded-bus-authorization.ts (publish and
 * subscribe checks) and embedded-bus-connections.ts (packet size, connection cap).
 */
export const MQTT_REJECT_REASONS = [
  'payload-too-large',
  'reserved-topic',
  'packet-too-large',
  'malformed-packet',
  'retained-count',
  'retained-bytes',
  'subscription-limit',
  'connection-limit',
] as const;

/** Why the broker refused a client's packet (the `reason` label of llmiot_messages_rejected_total). */
export type PublishRejectReason = (typeof MQTT_REJECT_REASONS)[number];

/** Log (throttled per client) and count one refusal; `R`: the reasons the caller can give. */
export type Refusal<R extends PublishRejectReason = PublishRejectReason> = (reason: R, clientId: string | null, topic: string, message: string) => void;
