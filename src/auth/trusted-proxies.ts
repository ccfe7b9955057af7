/**
 * TrustedProxies (--trusted-proxy): the client's address behind a reverse proxy. Only when the TCP
 * peer is a trusted proxy is `X-Forwarded-For` read, from the right (RFC 7239 §5.2's order: each
 * proxy appends the address it saw), skipping addresses that are themselves trusted proxies, as
 * nginx's `real_ip_recursive on` does. From any other peer the header is ignored: a client can write
 * anything in it, so believing it would let one choose its own address (and dodge the login throttle).
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

export class TrustedProxies {
  readonly #list = new BlockList();
  readonly #any: boolean;

  /**
   * @param entries addresses (`127.0.0.1`, `::1`) and CIDRs (`10.0.0.0/8`, `fd00::/8`); none: no proxy
   *   is trusted and the client is always the TCP peer.
   * @throws Error naming an entry that is neither.
   */
  constructor(entries: readonly string[] = []) {
    for (const entry of entries) {
      const [address = '', bits, ...rest] = entry.split('/');
      const family = isIP(address);
      const prefix = bits === undefined ? undefined : Number(bits);
      const max = family === 6 ? 128 : 32;
      if (family === 0 || rest.length > 0 || (prefix !== undefined && (!/^\d{1,3}$/.test(bits ?? '') || (prefix as number) > max))) {
        throw new Error(`--trusted-proxy: "${entry}" is not an IP address or CIDR (10.0.0.0/8, fd00::/8)`);
      }
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.#list.addAddress(address, type);
      else this.#list.addSubnet(address, prefix, type);
    }
    this.#any = entries.length > 0;
  }

  /** Whether `address` is one of the trusted proxies (an IPv4-mapped IPv6 address counts as its IPv4 form). */
  trusts(address: string | undefined): boolean {
    if (!this.#any || address === undefined) return false;
    const plain = unmapped(address);
    const family = isIP(plain);
    return family !== 0 && this.#list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** The client's address: the TCP peer's, or, when the peer is trusted, the right-most forwarded address not itself trusted. */
  clientAddress(req: IncomingMessage): string | undefined {
    const peer = req.socket.remoteAddress;
    if (!this.trusts(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((h) => h.trim());
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] ?? '';
      // An entry that is no address ends the walk: the last trusted hop is the client we know.
      if (isIP(hop) === 0) break;
      client = hop;
      if (!this.trusts(hop)) break;
    }
    return client;
  }
}

const unmapped = (address: string): string => (address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address);
