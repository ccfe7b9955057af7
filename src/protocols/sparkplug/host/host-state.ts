// The Host Application STATE messages (Sparkplug 3.0 §6.4.2, §5.3): JSON on spBv1.0/STATE/{host_id}.

import { formatTopic, isValidSparkplugId } from '../codec/topic.ts';

/** A decoded STATE payload: `{"online": bool, "timestamp": ms}`. */
export interface HostStatePayload {
  readonly online: boolean;
  readonly timestamp: number;
}

/** An MQTT will as the hub's bus takes it. */
export interface StateWill {
  readonly topic: string;
  readonly payload: string;
  readonly qos: 1;
  readonly retain: true;
}

/**
 * The STATE topic and payloads of one host session. The birth (online) and the will (offline)
 * carry the same timestamp: the moment the hub's MQTT connection was set up
 * ([tck-id-host-topic-phid-birth-payload-timestamp], [tck-id-host-topic-phid-death-payload-timestamp-connect]).
 */
export class HostStateMessages {
  /** `spBv1.0/STATE/{host_id}` ([tck-id-host-topic-phid-birth-topic], [tck-id-host-topic-phid-death-topic]). */
  readonly topic: string;
  readonly hostId: string;
  /** UTC ms of the CONNECT whose will carries the offline STATE. */
  readonly timestamp: number;

  /** Throws when `hostId` is empty or holds `+`, `#` or `/` ([tck-id-topic-structure-namespace-valid-group-id] applies to host ids too). */
  constructor(hostId: string, timestamp: number) {
    if (!isValidSparkplugId(hostId)) throw new Error(`sparkplug host id is invalid: ${JSON.stringify(hostId)} (non-empty, without +, # or /)`);
    this.hostId = hostId;
    this.timestamp = timestamp;
    this.topic = formatTopic({ kind: 'state', messageType: 'STATE', hostId });
  }

  /** `{"online":true,"timestamp":T}` ([tck-id-host-topic-phid-birth-payload]). */
  online(): string {
    return JSON.stringify({ online: true, timestamp: this.timestamp });
  }

  /** `{"online":false,"timestamp":T}` ([tck-id-host-topic-phid-death-payload]). */
  offline(): string {
    return JSON.stringify({ online: false, timestamp: this.timestamp });
  }

  /** The will of the hub's connection: offline STATE, QoS 1, retained ([tck-id-host-topic-phid-death-qos], [tck-id-host-topic-phid-death-retain]). */
  will(): StateWill {
    return { topic: this.topic, payload: this.offline(), qos: 1, retain: true };
  }
}

/** Parse a STATE payload; undefined when it is not the 3.0 JSON form (e.g. a 2.2 "OFFLINE" string). */
export function parseStatePayload(payload: Buffer): HostStatePayload | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const { online, timestamp } = parsed as { online?: unknown; timestamp?: unknown };
  if (typeof online !== 'boolean' || typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return undefined;
  return { online, timestamp };
}
