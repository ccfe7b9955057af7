/** Routes HTTP upgrade requests by path, so several WebSocket endpoints (/ws, /mqtt) share one server. */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** Takes over an upgrade request for one path (e.g. `WebSocketServer.handleUpgrade`). */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

const routers = new WeakMap<Server, UpgradeRouter>();

/**
 * The one `upgrade` listener of an HTTP server. Modules mount a handler per path; an upgrade for
 * any other path is answered HTTP 404 and its socket destroyed. Get it with {@link UpgradeRouter.for}
 * so every module shares the same router; do not add other `upgrade` listeners to the server.
 */
export class UpgradeRouter {
  readonly #handlers = new Map<string, UpgradeHandler>();

  private constructor(server: Server) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#dispatch(req, socket, head));
  }

  /** The router of `server`, created (and attached) on first use. */
  static for(server: Server): UpgradeRouter {
    let router = routers.get(server);
    if (router === undefined) {
      router = new UpgradeRouter(server);
      routers.set(server, router);
    }
    return router;
  }

  /** Mount `handler` for upgrades on exactly `path` (query ignored). Returns a function that unmounts it. */
  route(path: string, handler: UpgradeHandler): () => void {
    if (this.#handlers.has(path)) throw new Error(`Upgrade route rejected: ${path} already has a handler`);
    this.#handlers.set(path, handler);
    return () => {
      if (this.#handlers.get(path) === handler) this.#handlers.delete(path);
    };
  }

  #dispatch(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const handler = this.#handlers.get(path);
    if (handler !== undefined) return handler(req, socket, head);
    refuseUpgrade(socket, 404, 'Not Found', `No WebSocket endpoint at ${path}`);
  }
}

/** Answer an upgrade request with an HTTP error (JSON body) instead of a WebSocket, and close the socket. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string, message: string): void {
  socket.on('error', () => socket.destroy());
  socket.once('finish', () => socket.destroy());
  const body = JSON.stringify({ error: reason, message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

