/**
 * addressBlock: the block of addresses one client can be assumed to control, for counting its
 * failures. An IPv4 address is its own block; an IPv6 client is its /64, since a site is usually
 * handed at least a /64 and a host picks its own interface identifier in it at will (RFC 4291 §2.5.1,
 * privacy addresses of RFC 8981): counting per address would let it rotate past any per-address limit.
 */
import { isIP } from 'node:net';

/**
 * `198.51.100.7` for an IPv4 address or its IPv4-mapped IPv6 form, `2001:db8:1:2::/64` for any IPv6
 * address in that /64 (a zone id `%eth0` is dropped), and anything that is no address unchanged.
 */
export function addressBlock(address: string): string {
  const plain = address.includes('%') ? address.slice(0, address.indexOf('%')) : address;
  const family = isIP(plain);
  if (family === 4) return plain;
  if (family !== 6) return address;
  const groups = ipv6Groups(plain.toLowerCase());
  // RFC 4291 §2.5.5.2: ::ffff:a.b.c.d is an IPv4 client, counted per address like any IPv4 client.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing dotted IPv4 part split in two). */
function ipv6Groups(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const parse = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [Number.parseInt(group, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const first = parse(head);
  if (tail === undefined) return first;
  const last = parse(tail);
  return [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last];
}
