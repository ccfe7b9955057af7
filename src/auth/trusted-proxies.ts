/**
 * TrustedProxies (--trusted-proxy): the client's address behind a reverse proxy. Only when the TCP
 * peer is a trusted proxy is `X-Forwarded-For` read, from the right (RFC 7239 §5.2's order: each
 * proxy appends the address it saw), skipping addresses that are themselves trusted proxies, as
 * nginx's `real_ip_recursive on` does. From any other peer the header is ignored: a client can write
 * anything in it, so believing it would let one choose its own address (and dodge the login throttle).
 *
 * The address also decides who is the local admin (auth off: a loopback caller), so where nginx would
 * fall back to the proxy's own address this class says "unknown" (undefined) instead: a loopback proxy
 * whose header cannot be read, or that forwards without being trusted, must not make its client local.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** Headers a reverse proxy adds: a request carrying one came through a proxy. */
const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'] as const;

/** 127.0.0.0/8 and ::1 in every spelling (BlockList also matches ::ffff:127.0.0.1 and 0:0:0:0:0:0:0:1). */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

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

  /**
   * The client's address: the TCP peer's, or, when the peer is trusted, the right-most forwarded
   * address not itself trusted. Undefined (unknown) when a loopback peer that is not trusted forwarded
   * the request (a proxy --trusted-proxy does not name: its clients are not on this machine), or when
   * a forwarded entry is no address (`unknown`, an obfuscated name). A loopback address forwarded by a
   * proxy on another machine is that machine's loopback: the client is that proxy.
   */
  clientAddress(req: IncomingMessage): string | undefined {
    const peer = req.socket.remoteAddress;
    if (!this.trusts(peer)) return isLoopback(peer) && FORWARDING_HEADERS.some((name) => req.headers[name] !== undefined) ? undefined : peer;
    const header = req.headers['x-forwarded-for'];
    // RFC 9110 §5.6.1: a recipient ignores empty list elements.
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((h) => h.trim()).filter((h) => h !== '');
    let client = peer;
    // Who wrote the entry being read: the peer wrote the right-most one, each trusted hop the one left of it.
    let reporter = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hopAddress(hops[i] ?? '');
      if (hop === undefined) return undefined;
      if (isLoopback(hop) && !isLoopback(reporter)) return reporter;
      client = hop;
      if (!this.trusts(hop)) break;
      reporter = hop;
    }
    return client;
  }
}

const unmapped = (address: string): string => (address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address);

const isLoopback = (address: string | undefined): boolean => {
  if (address === undefined) return false;
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 6 ? 'ipv6' : 'ipv4');
};

/**
 * One X-Forwarded-For entry as an address in its plain form (`198.51.100.7`, `2001:db8::1`), or
 * undefined when it is none. Some proxies add the client's port (`198.51.100.7:4711`,
 * `[2001:db8::1]:4711`): it is dropped, as the address alone names the client.
 */
function hopAddress(hop: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(hop);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(hop);
  const address = bracketed?.[1] ?? v4WithPort?.[1] ?? hop;
  const family = isIP(address);
  if (family === 0 || (bracketed !== null && family !== 6)) return undefined;
  return unmapped(address).toLowerCase();
}
