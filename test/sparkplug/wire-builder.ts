// Hand-built protobuf bytes for Sparkplug decoder tests: lets a test say exactly what is on the wire.

/** A base-128 varint (bigint for values past 2^53, negative numbers as 64-bit two's complement). */
export function varint(value: number | bigint): number[] {
  let rest = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    out.push(rest === 0n ? low : low | 0x80);
  } while (rest !== 0n);
  return out;
}

/** A varint field (wire type 0). */
export function vfield(id: number, value: number | bigint): number[] {
  return [...varint(id * 8), ...varint(value)];
}

/** A length-delimited field (wire type 2): bytes, string or nested message. */
export function lfield(id: number, content: readonly number[] | Uint8Array | string): number[] {
  const bytes = typeof content === 'string' ? [...new TextEncoder().encode(content)] : [...content];
  return [...varint(id * 8 + 2), ...varint(bytes.length), ...bytes];
}

/** A fixed32 field (wire type 5) holding a little-endian float. */
export function ffield(id: number, value: number): number[] {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setFloat32(0, value, true);
  return [...varint(id * 8 + 5), ...bytes];
}

/** A fixed64 field (wire type 1) holding a little-endian double. */
export function dfield(id: number, value: number): number[] {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value, true);
  return [...varint(id * 8 + 1), ...bytes];
}

/** Concatenate fields into message bytes. */
export function bytesOf(...fields: (readonly number[])[]): Uint8Array {
  return Uint8Array.from(fields.flat());
}

/** A Payload holding the given Metric bodies (field 2). */
export function payloadWithMetrics(...metrics: (readonly number[])[]): Uint8Array {
  return bytesOf(...metrics.map((metric) => lfield(2, metric)));
}

/** The hex of some bytes, for readable assertions. */
export function hex(bytes: Uint8Array | readonly number[]): string {
  return Buffer.from(Uint8Array.from(bytes)).toString('hex');
}
