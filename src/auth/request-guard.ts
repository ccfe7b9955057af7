/**
 * Host and Origin checks for /rpc, /ws, /mcp and the other API routes, and CORS.
 * DNS rebinding: a page on evil.example whose name is made to resolve to the hub sends
 * `Host: evil.example`; only the hub's own names pass. Cross-site requests (and cross-site WebSocket
 * hijacking, where the browser sends no preflight): a browser always sends `Origin`, and only the
 * hub's own origin and `--allowed-origins` pass.
 */
import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import { hostName, isHostSyntax, isLoopbackAddress, isLoopbackName } from './host-names.ts';
import { baseUrl } from './request-origin.ts';

export interface RequestGuardOptions {
  /** Extra Host names (`hub.example.com`, or `.example.com` for every subdomain): --allowed-hosts. */
  readonly allowedHosts?: readonly string[];
  /** Browser origins allowed to call the API cross-origin (`https://dash.example.com`): --allowed-origins. */
  readonly allowedOrigins?: readonly string[];
  /** The addresses the hub binds (their literal is a name of the hub). */
  readonly boundHosts?: readonly string[];
  /**
   * The origin of `--public-url` (`https://hub.example.com`): its host is a name of the hub, its origin
   * the hub's own (a login form posted from it passes when a proxy rewrote the Host), and every URL
   * the hub hands out (issuer, resource, challenges) names it instead of the request's address.
   */
  readonly publicOrigin?: string;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

export class RequestGuard {
  readonly #hosts: Set<string>;
  readonly #suffixes: string[];
  readonly #origins: Set<string>;
  /** The configured public origin (`--public-url`), if any. */
  readonly publicOrigin: string | undefined;

  constructor(options: RequestGuardOptions = {}) {
    const own = hostname().toLowerCase();
    this.publicOrigin = options.publicOrigin;
    const publicHost = options.publicOrigin === undefined ? [] : [new URL(options.publicOrigin).hostname];
    // The machine's names are the hub's only when it listens beyond loopback. A loopback-only hub is
    // reached by them only through a forward (socat, ssh -L, a proxy that keeps the Host): a client on
    // the LAN typing http://greenhouse.local:9000 would otherwise pass as a local caller.
    const bound = options.boundHosts ?? [];
    const loopbackOnly = bound.length > 0 && bound.every((h) => isLoopbackName(hostName(h.includes(':') && !h.startsWith('[') ? `[${h}]` : h)) || isLoopbackAddress(h));
    const machine = loopbackOnly ? [] : [own, `${own}.local`];
    const names = [...(options.allowedHosts ?? []), ...publicHost, ...bound.filter((h) => !WILDCARDS.has(h)), ...machine];
    this.#hosts = new Set(names.filter((n) => !n.startsWith('.')).map((n) => hostName(n.includes(':') && !n.startsWith('[') ? `[${n}]` : n)));
    this.#suffixes = names.filter((n) => n.startsWith('.')).map((n) => n.toLowerCase());
    this.#origins = new Set((options.allowedOrigins ?? []).map((o) => o.trim().replace(/\/$/, '').toLowerCase()).filter((o) => o !== ''));
  }

  /**
   * The hub's origin as the URLs it hands out to this caller name it: `--public-url` when set (behind
   * a TLS-terminating proxy the request itself says http:// and maybe the proxy's upstream address),
   * else the origin the request was made to. Never from X-Forwarded-* headers, which any client can send.
   */
  origin(req: IncomingMessage): string {
    return this.publicOrigin ?? baseUrl(req);
  }

  /** Why the request must be refused (403), or undefined: its Host, then its Origin. */
  rejection(req: IncomingMessage): string | undefined {
    return this.hostRejection(req) ?? this.#originRejection(req);
  }

  /**
   * Why the request's Host is refused, or undefined. Alone for endpoints any origin may call (the
   * authorization server's token endpoint, its metadata), whose answers still depend on the Host.
   */
  hostRejection(req: IncomingMessage): string | undefined {
    const rawHost = req.headers.host ?? '';
    if (rawHost !== '' && !isHostSyntax(rawHost)) return `Host ${JSON.stringify(rawHost)} is not a host name and port`;
    return this.#hostAllowed(hostName(rawHost), req) ? undefined : `Host "${rawHost}" is not a name of this hub (add it with --allowed-hosts)`;
  }

  #originRejection(req: IncomingMessage): string | undefined {
    const rawHost = req.headers.host ?? '';
    const host = hostName(rawHost);
    const origin = req.headers.origin;
    if (origin === undefined) return undefined;
    if (this.#origins.has(origin.toLowerCase()) || origin.toLowerCase() === this.publicOrigin) return undefined;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return `Origin "${origin}" is not allowed`;
    }
    if (url.host.toLowerCase() === rawHost.toLowerCase()) return undefined;
    // A development page on localhost calling a hub on localhost: both are this machine.
    if (isLoopbackName(url.hostname.toLowerCase()) && isLoopbackName(host)) return undefined;
    return `Origin "${origin}" is not allowed (add it with --allowed-origins)`;
  }

  /** The Origin to answer in Access-Control-Allow-Origin: a configured cross-origin caller, else undefined. */
  corsOrigin(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    return origin !== undefined && this.#origins.has(origin.toLowerCase()) ? origin : undefined;
  }

  #hostAllowed(host: string, req: IncomingMessage): boolean {
    if (host === '') return false;
    if (isLoopbackName(host) || this.#hosts.has(host) || this.#suffixes.some((s) => host.endsWith(s))) return true;
    // The address the client connected to, as a literal (http://192.168.1.20:8080): not a name anyone can rebind.
    const local = req.socket.localAddress;
    if (local === undefined || isLoopbackAddress(local)) return false;
    const literal = local.startsWith('::ffff:') ? local.slice(7) : local;
    return host === literal || host === `[${literal}]`;
  }
}
