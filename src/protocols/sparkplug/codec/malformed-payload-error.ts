// The one error a Sparkplug payload decoder throws: the bytes are not a payload we can type.

/** Options for {@link MalformedPayloadError}. */
export interface MalformedPayloadErrorOptions {
  /** Where in the payload the problem sits, e.g. `metrics[3].value`. */
  path?: string;
  /** The underlying failure (a protobuf or zlib error), kept for logs. */
  cause?: unknown;
}

/**
 * A Sparkplug payload that cannot be decoded into typed values: not protobuf, truncated, a field with
 * the wrong wire type, a value that does not fit its datatype, an over-size or zip-bomb body.
 * The sender is at fault; the message should be counted and dropped, never crash the host.
 */
export class MalformedPayloadError extends Error {
  /** Stable string code for logs and metrics. */
  readonly code = 'SPARKPLUG_MALFORMED_PAYLOAD';
  /** What is wrong, in a few words, without the path. */
  readonly reason: string;
  /** Where in the payload, when known (`metrics[2].properties.engUnit`). */
  readonly path: string | undefined;

  constructor(reason: string, options: MalformedPayloadErrorOptions = {}) {
    const where = options.path === undefined || options.path === '' ? '' : ` at ${options.path}`;
    super(`malformed Sparkplug payload: ${reason}${where}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MalformedPayloadError';
    this.reason = reason;
    this.path = options.path;
  }
}
