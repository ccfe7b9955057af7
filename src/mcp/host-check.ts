/**
 * DNS-rebinding protection for /mcp (MCP 2025-11-25 basic/transports §Security Warning: servers MUST
 * validate Origin; a request that arrived on a loopback interface must also name a loopback Host).
 * A page on evil.example that rebinds its name to 127.0.0.1 sends `Host: evil.example`, and is refused.
 */
import type { IncomingMessage } from 'node:http';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** `127.0.0.0/8`, `::1`, and their IPv4-mapped IPv6 forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

/** Hostname of a Host header value (`name:port`, `[v6]:port`), lower-cased. */
export function hostName(host: string): string {
  const lower = host.trim().toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  const colon = lower.lastIndexOf(':');
  return colon === -1 ? lower : lower.slice(0, colon);
}

const isLoopbackName = (name: string): boolean => LOOPBACK_NAMES.has(name) || name.endsWith('.localhost');

/** Why the request must be refused with 403, or undefined when it may pass. */
export function hostRejection(req: IncomingMessage): string | undefined {
  const host = hostName(req.headers.host ?? '');
  if (isLoopbackAddress(req.socket.localAddress) && !isLoopbackName(host)) return `Host "${req.headers.host ?? ''}" is not a loopback name`;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).hostname.toLowerCase();
  } catch {
    return `Origin "${origin}" is not a URL`;
  }
  if (originHost === host || isLoopbackName(originHost)) return undefined;
  return `Origin "${origin}" does not match the Host`;
}
