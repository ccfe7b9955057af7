/**
 * Why the Sparkplug host rejects a message: the `reason` of llmiot_messages_rejected_total{protocol="sparkplug"}
 * and of llmiot_sparkplug_replay_rejected_total, pre-initialised at 0 in both.
 * Where they arise: sparkplug-host.ts, edge-lifecycle.ts, metric-catalog.ts; `overloaded` is telemetry
 * refused by a full pipeline (data-ingest.ts).
 */
export const SPARKPLUG_REJECTION_REASONS = [
  'bad_topic', 'oversized', 'retained', 'malformed_payload', 'data_before_birth', 'stale_seq', 'stale_ndeath', 'invalid_birth',
  'duplicate_alias', 'unnamed_metric', 'untyped_metric', 'overloaded',
  // Hub-side checks (docs/sparkplug.md): another connection speaking for a node, a birth over another protocol's device, a client's STATE for this host.
  'foreign_publisher', 'foreign_birth', 'foreign_state',
] as const;
