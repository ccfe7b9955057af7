// The error thrown for a topic that is not a valid Sparkplug B topic (Sparkplug 3.0 §4.1).

/** A topic string that is not `spBv1.0/{group}/{type}/{node}[/{device}]` or `spBv1.0/STATE/{host}`. */
export class MalformedTopicError extends Error {
  /** Stable string code for logs and metrics. */
  readonly code = 'SPARKPLUG_MALFORMED_TOPIC';
  /** What is wrong, in a few words. */
  readonly reason: string;
  /** The offending topic. */
  readonly topic: string;

  constructor(reason: string, topic: string) {
    super(`malformed Sparkplug topic: ${reason}: ${JSON.stringify(topic)}`);
    this.name = 'MalformedTopicError';
    this.reason = reason;
    this.topic = topic;
  }
}
