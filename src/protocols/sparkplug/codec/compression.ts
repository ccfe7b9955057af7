// Compressed Sparkplug payloads: uuid "SPBV1.0_COMPRESSED", the real payload DEFLATE/GZIP-compressed in body.
//
// Not in the 3.0 specification but sent by Eclipse Tahu (JS and Java) and node-red-contrib-mqtt-
// sparkplug-plus: an optional String metric `algorithm` names the method, DEFLATE when absent.
// DEFLATE means a zlib stream (RFC 1950, what pako.deflate and java.util.zip.Deflater write); a raw
// RFC 1951 stream is accepted too. Inflation is bounded so that a zip bomb costs at most
// `maxInflatedBytes` of memory.

import { constants as bufferConstants } from 'node:buffer';
import { deflateSync, gzipSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { decodePayload, encodePayload } from './codec.ts';
import { DataType } from './datatypes.ts';
import { MalformedPayloadError } from './malformed-payload-error.ts';
import type { SparkplugPayload } from './types.ts';

/** The payload uuid that marks a compressed body. */
export const COMPRESSED_PAYLOAD_UUID = 'SPBV1.0_COMPRESSED';
/** Inflated-size bound used when the caller gives none: 16 MiB. */
export const DEFAULT_MAX_INFLATED_BYTES = 16 * 1024 * 1024;

/** The compression methods in use. */
export type CompressionAlgorithm = 'DEFLATE' | 'GZIP';

/** Options for {@link decodeMaybeCompressed}. */
export interface DecodeMaybeCompressedOptions {
  /** Reject an (outer) payload longer than this many bytes before parsing it. */
  maxBytes?: number;
  /** Reject a body that inflates past this many bytes; default {@link DEFAULT_MAX_INFLATED_BYTES}. */
  maxInflatedBytes?: number;
}

/** True when a decoded payload is a compressed envelope. */
export function isCompressedPayload(payload: SparkplugPayload): boolean {
  return payload.uuid === COMPRESSED_PAYLOAD_UUID;
}

function algorithmOf(envelope: SparkplugPayload): CompressionAlgorithm {
  const metric = envelope.metrics.find((m) => m.name === 'algorithm');
  if (metric === undefined || metric.value === undefined) return 'DEFLATE';
  if (typeof metric.value !== 'string') throw new MalformedPayloadError('the algorithm metric is not a string', { path: 'metrics.algorithm' });
  const algorithm = metric.value.toUpperCase();
  if (algorithm === 'DEFLATE' || algorithm === 'GZIP') return algorithm;
  throw new MalformedPayloadError(`unsupported compression algorithm ${JSON.stringify(metric.value)}`, { path: 'metrics.algorithm' });
}

function isZlibHeader(body: Uint8Array): boolean {
  const cmf = body[0] ?? 0;
  const flg = body[1] ?? 0;
  return (cmf & 0x0f) === 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 === 0;
}

function inflate(body: Uint8Array, algorithm: CompressionAlgorithm, maxOutputLength: number): Uint8Array {
  const options = { maxOutputLength };
  try {
    if (algorithm === 'GZIP') return gunzipSync(body, options);
    return isZlibHeader(body) ? inflateSync(body, options) : inflateRawSync(body, options);
  } catch (cause) {
    if (cause instanceof RangeError || (cause as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new MalformedPayloadError(`compressed body inflates past the ${maxOutputLength}-byte limit`, { path: 'body', cause });
    }
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new MalformedPayloadError(`compressed body is not valid ${algorithm} data (${message})`, { path: 'body', cause });
  }
}

/**
 * Inflate and decode the payload inside a compressed envelope. A missing body, an unknown
 * algorithm, corrupt data, a body over `maxInflatedBytes` once inflated or a second level of
 * compression throw {@link MalformedPayloadError}.
 */
export function decompressPayload(envelope: SparkplugPayload, maxInflatedBytes = DEFAULT_MAX_INFLATED_BYTES): SparkplugPayload {
  if (!Number.isSafeInteger(maxInflatedBytes) || maxInflatedBytes < 1 || maxInflatedBytes > bufferConstants.MAX_LENGTH) {
    throw new RangeError(`maxInflatedBytes must be an integer in 1…${bufferConstants.MAX_LENGTH}, got ${maxInflatedBytes}`);
  }
  if (envelope.body === undefined) throw new MalformedPayloadError('compressed payload has no body', { path: 'body' });
  const inner = decodePayload(inflate(envelope.body, algorithmOf(envelope), maxInflatedBytes));
  if (isCompressedPayload(inner)) throw new MalformedPayloadError('compressed payload contains another compressed payload', { path: 'body' });
  return inner;
}

/**
 * Decode a payload, inflating it first when it is a compressed envelope (uuid
 * `SPBV1.0_COMPRESSED`). Every failure is a {@link MalformedPayloadError}.
 */
export function decodeMaybeCompressed(bytes: Uint8Array, options: DecodeMaybeCompressedOptions = {}): SparkplugPayload {
  const outer = decodePayload(bytes, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
  return isCompressedPayload(outer) ? decompressPayload(outer, options.maxInflatedBytes) : outer;
}

/**
 * Encode `payload`, compress it, and wrap it in a compressed envelope with an `algorithm` metric,
 * as Tahu does. Returns the envelope's bytes.
 */
export function compressPayload(payload: SparkplugPayload, algorithm: CompressionAlgorithm = 'DEFLATE'): Uint8Array {
  const inner = encodePayload(payload);
  const body = algorithm === 'GZIP' ? gzipSync(inner) : deflateSync(inner);
  return encodePayload({
    uuid: COMPRESSED_PAYLOAD_UUID,
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    metrics: [{ name: 'algorithm', datatype: DataType.String, value: algorithm }],
  });
}
