/** PacketSizeGuard: follows MQTT framing on a connection's bytes and refuses a packet by its announced size. */
import type { Client } from 'aedes';
import type { Duplex } from 'node:stream';

/** What the guard found in a chunk. */
export type GuardVerdict = 'ok' | 'too-large' | 'malformed';

/** Reading the fixed header's first byte, its Remaining Length, or skipping the body. */
const HEADER = 0;
const LENGTH = 1;
const BODY = 2;

/**
 * Tracks packet boundaries across the chunks read from one connection, so a packet is refused as soon
 * as its fixed header announces more than `maxRemainingLength` bytes, before any of its body is
 * buffered. MQTT 3.1.1 §2.2.3: the Remaining Length is a variable byte integer of at most 4 bytes
 * (up to 268,435,455); a fifth continuation byte is malformed [MQTT-2.2.3]. Costs one loop step per
 * packet start in a chunk, nothing per body byte.
 */
export class PacketSizeGuard {
  readonly #max: number;
  #state = HEADER;
  /** Remaining Length decoded so far (LENGTH) or body bytes still to skip (BODY). */
  #value = 0;
  #multiplier = 1;
  #lengthBytes = 0;
  /** The announced size of the refused packet, once refused. */
  announced = 0;

  constructor(maxRemainingLength: number) {
    this.#max = maxRemainingLength;
  }

  /** Inspect the next chunk of the connection's bytes; anything but 'ok' means close the connection. */
  check(chunk: Uint8Array): GuardVerdict {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.#state === BODY) {
        const take = Math.min(this.#value, n - i);
        this.#value -= take;
        i += take;
        if (this.#value === 0) this.#state = HEADER;
        continue;
      }
      if (this.#state === HEADER) {
        i++;
        this.#state = LENGTH;
        this.#value = 0;
        this.#multiplier = 1;
        this.#lengthBytes = 0;
        continue;
      }
      const byte = chunk[i++] as number;
      this.#value += (byte & 0x7f) * this.#multiplier;
      this.#multiplier *= 128;
      this.#lengthBytes++;
      if (this.#value > this.#max) {
        this.announced = this.#value;
        return 'too-large';
      }
      if ((byte & 0x80) !== 0) {
        if (this.#lengthBytes === 4) return 'malformed';
        continue;
      }
      this.#state = this.#value === 0 ? HEADER : BODY;
    }
    return 'ok';
  }
}

/**
 * Refuse a packet by the size its fixed header announces, before aedes buffers its body: aedes'
 * parser (mqtt-packet) has no size limit and would hold a 100 MiB PUBLISH in memory before
 * authorizePublish sees it. The guard reads each chunk aedes is about to parse; on a refusal the
 * connection is destroyed and `refused` told why. Install right after `aedes.handle()`.
 */
export function guardPacketSize(
  client: Client,
  stream: Duplex,
  maxRemainingLength: number,
  refused: (verdict: Exclude<GuardVerdict, 'ok'>, announced: number) => void,
): void {
  const parser = (client as unknown as { _parser: { parse(chunk: Buffer): number } })._parser;
  const parse = parser.parse.bind(parser);
  const guard = new PacketSizeGuard(maxRemainingLength);
  parser.parse = (chunk) => {
    const verdict = guard.check(chunk);
    if (verdict === 'ok') return parse(chunk);
    refused(verdict, guard.announced);
    stream.destroy();
    return 0;
  };
}
