/** Loopback addresses and Host header names. */

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

/**
 * Whether a Host header value has the syntax RFC 9110 §7.2 gives it: uri-host [ ":" port ], the host
 * an IP literal or a reg-name (RFC 3986 §3.2.2: unreserved, pct-encoded, sub-delims). Without a
 * public URL the hub's origin is built from it (the issuer, `resource_metadata` in challenges,
 * approval links), so a value carrying `"` or `\` (`localhost:1", error="…`) must not pass on its name alone.
 */
export const isHostSyntax = (host: string): boolean => /^(?:\[[0-9a-f:.]+\]|[a-z0-9\-._~%!$&'()*+,;=]+)(?::\d{0,5})?$/i.test(host);

/** `localhost`, `*.localhost`, `127.0.0.1`, `[::1]`. */
export const isLoopbackName = (name: string): boolean => LOOPBACK_NAMES.has(name) || name.endsWith('.localhost');
