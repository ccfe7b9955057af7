/**
 * DNS-rebinding protection for /mcp (MCP 2025-11-25 basic/transports §Security Warning: servers MUST
 * validate Origin; a request that arrived on a loopback interface must also name a loopback Host).
 * A page on evil.example that rebinds its name to 127.0.0.1 sends `Host: evil.example`, and is refused.
 */
import type { IncomingMessage } from 'node:http';
import { hostName, isLoopbackAddress, isLoopbackName } from '../auth/host-names.ts';

export { hostName, isLoopbackAddress } from '../auth/host-names.ts';

/**
 * Why the request must be refused with 403, or undefined when it may pass. `publicOrigin` (`--public-url`)
 * is the hub's own name and origin too: a reverse proxy on this machine forwards its Host to a hub on
 * loopback, and a name the operator configured is not one an attacker can rebind.
 */
export function hostRejection(req: IncomingMessage, publicOrigin?: string): string | undefined {
  const host = hostName(req.headers.host ?? '');
  const publicHost = publicOrigin === undefined ? undefined : new URL(publicOrigin).hostname;
  if (isLoopbackAddress(req.socket.localAddress) && !isLoopbackName(host) && host !== publicHost) return `Host "${req.headers.host ?? ''}" is not a loopback name`;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).hostname.toLowerCase();
  } catch {
    return `Origin "${origin}" is not a URL`;
  }
  if (originHost === host || isLoopbackName(originHost) || origin.toLowerCase() === publicOrigin) return undefined;
  return `Origin "${origin}" does not match the Host`;
}
