// Sparkplug B payload codec: typed SparkplugPayload <-> protobuf bytes (Sparkplug 3.0 §6.4).

import { MalformedPayloadError } from './malformed-payload-error.ts';
import { decodeMetric, encodeMetric } from './metric.ts';
import { readPayloadMessage, schema, writePayloadMessage } from './schema.ts';
import type { SparkplugPayload } from './types.ts';
import { checkWireTypes, optional, optionalTime, optionalU64, repeated, stringInput, timeInput, toBytes, u64Input } from './wire.ts';
import type { WireDraft, WireMessage } from './wire.ts';

/** Options for {@link encodePayload}. */
export interface EncodePayloadOptions {
  /**
   * Encode every value by its metric's datatype but leave `datatype` off the wire, as DATA and CMD
   * messages should ([tck-id-payloads-metric-datatype-not-req]). Default false.
   */
  omitMetricDatatypes?: boolean;
}

/** Options for {@link decodePayload}. */
export interface DecodePayloadOptions {
  /** Reject input longer than this many bytes before parsing it. */
  maxBytes?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Encode a payload. Each metric value is written to the oneof member its datatype calls for
 * (signed integers as two's complement); a metric without datatype is written by the JS type of
 * its value. Input that cannot be encoded throws TypeError or RangeError naming the offending path.
 */
export function encodePayload(payload: SparkplugPayload, options: EncodePayloadOptions = {}): Uint8Array {
  if (typeof payload !== 'object' || payload === null || !Array.isArray(payload.metrics)) {
    throw new TypeError('Sparkplug encode: payload must be an object with a metrics array');
  }
  const metricOptions = { omitDatatypes: options.omitMetricDatatypes === true };
  const draft: WireDraft = {
    metrics: payload.metrics.map((metric, i) => encodeMetric(metric, `metrics[${i}]`, metricOptions)),
  };
  if (payload.timestamp !== undefined) draft['timestamp'] = timeInput(payload.timestamp, 'timestamp');
  if (payload.seq !== undefined) draft['seq'] = u64Input(payload.seq, 'seq');
  if (payload.uuid !== undefined) draft['uuid'] = stringInput(payload.uuid, 'uuid');
  if (payload.body !== undefined) {
    if (!(payload.body instanceof Uint8Array)) throw new TypeError('Sparkplug encode: body must be a Uint8Array');
    draft['body'] = payload.body;
  }
  return writePayloadMessage(draft);
}

function protobufReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith('index out of range')) return `truncated: a field runs past the end of its message (${message})`;
  if (message === 'max depth exceeded' || message.includes('call stack')) return 'messages nested too deeply';
  return `not a protobuf Payload message (${message})`;
}

/**
 * Decode a Sparkplug B payload into typed values. Anything that is not a payload we can type —
 * garbage, truncation, a known field with the wrong wire type, a value that does not fit its
 * datatype, array bytes of the wrong length, input over `maxBytes` — throws
 * {@link MalformedPayloadError}, never a protobufjs error. Unknown fields and extensions are ignored.
 */
export function decodePayload(bytes: Uint8Array, options: DecodePayloadOptions = {}): SparkplugPayload {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('Sparkplug decode: bytes must be a Uint8Array');
  if (options.maxBytes !== undefined && bytes.byteLength > options.maxBytes) {
    throw new MalformedPayloadError(`payload of ${bytes.byteLength} bytes exceeds the ${options.maxBytes}-byte limit`);
  }
  let msg: WireMessage;
  try {
    msg = readPayloadMessage(bytes);
  } catch (cause) {
    throw new MalformedPayloadError(protobufReason(cause), { cause });
  }
  checkWireTypes(msg, schema.payload, '');
  const out: Mutable<SparkplugPayload> = {
    metrics: repeated(msg, 'metrics').map((metric, i) => decodeMetric(metric as WireMessage, `metrics[${i}]`)),
  };
  const timestamp = optionalTime(msg, 'timestamp', 'timestamp');
  const seq = optionalU64(msg, 'seq');
  const uuid = optional(msg, 'uuid', 'string');
  if (timestamp !== undefined) out.timestamp = timestamp;
  if (seq !== undefined) out.seq = seq;
  if (uuid !== undefined) out.uuid = uuid;
  if (Object.hasOwn(msg, 'body')) out.body = toBytes(msg['body']);
  return out;
}
