/** PacketSizeGuard: MQTT framing followed across arbitrary chunk boundaries (MQTT 3.1.1 §2.2.3). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PacketSizeGuard } from '../../src/mqtt/packet-size-guard.ts';

/** A packet: type byte, Remaining Length, `length` body bytes. */
function packet(length: number): Buffer {
  const header: number[] = [0x30];
  let n = length;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    header.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from(header), Buffer.alloc(length, 0xff)]);
}

describe('PacketSizeGuard', () => {
  it('passes packets up to the limit whatever the chunking, and refuses the first one above it', () => {
    const stream = Buffer.concat([packet(0), packet(127), packet(128), packet(16_383), packet(16_384), packet(20_000), packet(20_001)]);
    for (const size of [1, 2, 3, 7, 1000, stream.length]) {
      const guard = new PacketSizeGuard(20_000);
      let verdict = 'ok';
      let offset = 0;
      for (; offset < stream.length && verdict === 'ok'; offset += size) verdict = guard.check(stream.subarray(offset, offset + size));
      assert.equal(verdict, 'too-large', `chunks of ${size}`);
      assert.equal(guard.announced, 20_001);
      // Refused within the fixed header of the last packet: none of its body was needed.
      assert.ok(offset <= stream.length - 20_001 + size, `chunks of ${size}: refused at ${offset}`);
    }
  });

  it('refuses from a partial Remaining Length that already exceeds the limit, and a fifth length byte as malformed', () => {
    assert.equal(new PacketSizeGuard(100).check(Buffer.from([0x30, 0xff])), 'too-large');
    assert.equal(new PacketSizeGuard(Number.MAX_SAFE_INTEGER).check(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01])), 'malformed');
    assert.equal(new PacketSizeGuard(268_435_455).check(packet(0).subarray(0, 1)), 'ok');
  });
});
