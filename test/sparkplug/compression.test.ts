// Compressed Sparkplug payloads (uuid SPBV1.0_COMPRESSED, DEFLATE/GZIP body) and zip-bomb bounds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import {
  COMPRESSED_PAYLOAD_UUID,
  DataType,
  MalformedPayloadError,
  compressPayload,
  decodeMaybeCompressed,
  decodePayload,
  decompressPayload,
  encodePayload,
} from '../../src/protocols/sparkplug/codec/index.ts';
import type { SparkplugMetric, SparkplugPayload } from '../../src/protocols/sparkplug/codec/index.ts';

const PAYLOAD: SparkplugPayload = {
  timestamp: 1_700_000_000_000,
  seq: 12n,
  metrics: Array.from({ length: 50 }, (_, i) => ({ name: `Folder/Metric ${i}`, alias: BigInt(i), timestamp: 1_700_000_000_000, datatype: DataType.Int16, value: 100 - i * 7 })),
};

function envelope(body: Uint8Array | undefined, algorithm?: SparkplugMetric['value']): Uint8Array {
  return encodePayload({
    uuid: COMPRESSED_PAYLOAD_UUID,
    ...(body === undefined ? {} : { body }),
    metrics: algorithm === undefined ? [] : [{ name: 'algorithm', datatype: DataType.String, value: algorithm }],
  });
}

describe('Sparkplug compressed payloads', () => {
  for (const algorithm of ['DEFLATE', 'GZIP'] as const) {
    it(`${algorithm}: compressPayload → decodeMaybeCompressed round trips, and the envelope looks like Tahu's`, () => {
      const bytes = compressPayload(PAYLOAD, algorithm);
      assert.ok(bytes.length < encodePayload(PAYLOAD).length);
      assert.deepEqual(decodeMaybeCompressed(bytes), PAYLOAD);
      const outer = decodePayload(bytes);
      assert.equal(outer.uuid, COMPRESSED_PAYLOAD_UUID);
      assert.deepEqual(outer.metrics, [{ name: 'algorithm', datatype: DataType.String, value: algorithm }]);
      assert.deepEqual(decompressPayload(outer), PAYLOAD);
    });
  }

  it('defaults to DEFLATE without an algorithm metric, accepts lower case, and a raw DEFLATE stream', () => {
    const inner = encodePayload(PAYLOAD);
    assert.deepEqual(decodeMaybeCompressed(envelope(deflateSync(inner))), PAYLOAD);
    assert.deepEqual(decodeMaybeCompressed(envelope(gzipSync(inner), 'gzip')), PAYLOAD);
    assert.deepEqual(decodeMaybeCompressed(envelope(deflateRawSync(inner), 'DEFLATE')), PAYLOAD);
  });

  it('passes an uncompressed payload through unchanged', () => {
    assert.deepEqual(decodeMaybeCompressed(encodePayload(PAYLOAD)), PAYLOAD);
  });

  it('rejects a missing body, an unknown algorithm, a non-string algorithm, corrupt data and nested compression', () => {
    const inner = encodePayload(PAYLOAD);
    const cases: [string, Uint8Array][] = [
      ['no body', envelope(undefined, 'DEFLATE')],
      ['unknown algorithm', envelope(deflateSync(inner), 'LZ4')],
      ['corrupt DEFLATE', envelope(Uint8Array.from([0x78, 0x9c, 1, 2, 3, 4]), 'DEFLATE')],
      ['corrupt GZIP', envelope(Uint8Array.from([0x1f, 0x8b, 8, 0, 0]), 'GZIP')],
      ['GZIP body labelled DEFLATE', envelope(gzipSync(inner), 'DEFLATE')],
      ['an inner payload that is not protobuf', envelope(deflateSync(Uint8Array.from([0x0f])), 'DEFLATE')],
      ['a compressed payload inside a compressed payload', envelope(deflateSync(compressPayload(PAYLOAD)), 'DEFLATE')],
    ];
    for (const [name, bytes] of cases) assert.throws(() => decodeMaybeCompressed(bytes), MalformedPayloadError, name);
    const numeric = encodePayload({ uuid: COMPRESSED_PAYLOAD_UUID, body: deflateSync(inner), metrics: [{ name: 'algorithm', datatype: DataType.Int32, value: 1 }] });
    assert.throws(() => decodeMaybeCompressed(numeric), MalformedPayloadError);
  });

  it('applies maxBytes to the compressed envelope', () => {
    const bytes = compressPayload(PAYLOAD);
    assert.throws(() => decodeMaybeCompressed(bytes, { maxBytes: bytes.length - 1 }), MalformedPayloadError);
    assert.deepEqual(decodeMaybeCompressed(bytes, { maxBytes: bytes.length }), PAYLOAD);
  });

  it('bounds a zip bomb: 64 MiB of zeros in a ~64 KiB body stops at maxInflatedBytes', () => {
    const bomb = envelope(deflateSync(Buffer.alloc(64 * 1024 * 1024)), 'DEFLATE');
    assert.ok(bomb.length < 128 * 1024, `bomb is ${bomb.length} bytes`);
    const started = performance.now();
    assert.throws(() => decodeMaybeCompressed(bomb, { maxInflatedBytes: 1024 * 1024 }), (error: unknown) => {
      assert.ok(error instanceof MalformedPayloadError);
      assert.match(error.reason, /inflates past the 1048576-byte limit/);
      return true;
    });
    assert.ok(performance.now() - started < 2000);
    // The default bound (16 MiB) also stops it.
    assert.throws(() => decodeMaybeCompressed(bomb), /inflates past the 16777216-byte limit/);
    const gzipBomb = envelope(gzipSync(Buffer.alloc(8 * 1024 * 1024)), 'GZIP');
    assert.throws(() => decodeMaybeCompressed(gzipBomb, { maxInflatedBytes: 4096 }), MalformedPayloadError);
  });

  it('inflates a body of exactly maxInflatedBytes', () => {
    const inner = encodePayload(PAYLOAD);
    assert.deepEqual(decodeMaybeCompressed(envelope(deflateSync(inner)), { maxInflatedBytes: inner.length }), PAYLOAD);
    assert.throws(() => decodeMaybeCompressed(envelope(deflateSync(inner)), { maxInflatedBytes: inner.length - 1 }), MalformedPayloadError);
  });

  it('refuses a maxInflatedBytes that is not a positive integer', () => {
    assert.throws(() => decodeMaybeCompressed(compressPayload(PAYLOAD), { maxInflatedBytes: 0 }), RangeError);
  });

  it('1000 mutated compressed envelopes each decode or throw MalformedPayloadError', () => {
    const original = compressPayload(PAYLOAD);
    let state = 0x2545f491;
    const next = (n: number): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % n;
    };
    for (let i = 0; i < 1000; i += 1) {
      const bytes = Uint8Array.from(original);
      for (let edits = 1 + next(3); edits > 0; edits -= 1) bytes[next(bytes.length)] = next(256);
      try {
        decodeMaybeCompressed(bytes, { maxInflatedBytes: 64 * 1024 });
      } catch (error) {
        assert.ok(error instanceof MalformedPayloadError, `mutation #${i}: ${String(error)}`);
      }
    }
  });
});
