/** JSON-RPC 2.0 over WebSocket at /ws: requests, server-pushed notifications, per-connection sessions. */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ROLE_SCOPE, roleAtLeast, type Principal } from '../core/principal.ts';
import { HubError, toRpcErrorObject, ERROR_CATALOGUE } from '../core/errors.ts';
import type { Logger } from '../log/logger.ts';
import type { RpcDispatcher } from '../rpc/dispatcher.ts';
import type { CallContext } from '../rpc/method.ts';
import { BEARER_SUBPROTOCOL, bearerChallenge, bearerOf, challengeScope, bearerSubprotocol, clientAddress, liveSessionOf, loopbackOnlySecurity, type HttpSecurity } from './http-security.ts';
import { UpgradeRouter } from './upgrade-router.ts';

/** Options of {@link attachJsonRpcWebSocket}. */
export interface JsonRpcWebSocketOptions {
  readonly server: Server;
  readonly dispatcher: RpcDispatcher;
  readonly logger: Logger;
  /** Upgrade path served. Default '/ws'. */
  readonly path?: string;
  /** Largest message handled; larger ones get -32006 and the connection stays open. Default 1 MiB. */
  readonly maxMessageBytes?: number;
  /** Hard frame limit: a larger message closes the connection (1009). Default 4 × maxMessageBytes. */
  readonly maxPayloadBytes?: number;
  /** Notifications to a socket with more than this many unsent bytes are dropped. Default 4 MiB. */
  readonly maxBufferedBytes?: number;
  /** Ping interval; a peer that has not answered the previous ping is terminated. Default 30 s. */
  readonly keepaliveMs?: number;
  /** Open connections at most; an upgrade beyond is answered HTTP 503. Default 1,000. */
  readonly maxConnections?: number;
  /** Host/Origin checks and authentication of the upgrade; default: no credentials, loopback callers only. */
  readonly security?: HttpSecurity;
}

/** The running endpoint: counters for metrics and a way to shut it down. */
export interface JsonRpcWebSocket {
  /** Open connections. */
  readonly connections: number;
  /** Notifications dropped because their socket was too far behind (backpressure), since start. */
  readonly droppedNotifications: number;
  /** Close every connection (1001), detach from the server. */
  close(): Promise<void>;
}

interface Connection {
  readonly ws: WebSocket;
  alive: boolean;
  dropped: number;
}

const MiB = 1024 * 1024;
const CLOSE_GRACE_MS = 1000;
/** A client that lets this many unsent bytes pile up (it is not reading its responses) is disconnected. */
const SLOW_CONSUMER_FACTOR = 4;

/** Serve JSON-RPC over WebSocket on `path` of `server` (through the server's {@link UpgradeRouter}). */
export function attachJsonRpcWebSocket(options: JsonRpcWebSocketOptions): JsonRpcWebSocket {
  const { dispatcher, logger } = options;
  const path = options.path ?? '/ws';
  const maxMessageBytes = options.maxMessageBytes ?? MiB;
  const maxBufferedBytes = options.maxBufferedBytes ?? 4 * MiB;
  const security = options.security ?? loopbackOnlySecurity();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes ?? 4 * maxMessageBytes,
    // A browser's token rides in a `bearer.<token>` subprotocol; never echo it back, select the client's other one.
    handleProtocols: (protocols) => [...protocols].find((p) => !p.startsWith(BEARER_SUBPROTOCOL)) ?? false,
  });
  const connections = new Set<Connection>();
  let droppedNotifications = 0;

  const maxConnections = options.maxConnections ?? 1_000;
  const unroute = UpgradeRouter.for(options.server).route(path, (req, socket, head) => {
    // Counted before and after the (asynchronous) authentication: ws completes an upgrade
    // synchronously, so `connections` already counts every accepted one.
    const refuseFull = (socket: Duplex): void => {
      logger.warn({ path, limit: maxConnections }, 'WebSocket connection refused: connection limit reached');
      refuseUpgrade(socket, 503, 'Service Unavailable', `WebSocket connection limit reached: ${maxConnections} open connections on ${path}`);
    };
    if (connections.size >= maxConnections) return refuseFull(socket);
    admitUpgrade(req, socket, security).then(
      (principal) => {
        if (principal === undefined) return;
        if (connections.size >= maxConnections) return refuseFull(socket);
        wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req, principal));
      },
      (error: unknown) => {
        logger.error({ err: error, path }, 'WebSocket upgrade authentication failed');
        refuseUpgrade(socket, 500, 'Internal Server Error', 'Internal error');
      },
    );
  });

  const keepalive = setInterval(() => {
    for (const connection of connections) {
      if (!connection.alive) {
        logger.debug({ path }, 'WebSocket peer missed a ping: terminated');
        connection.ws.terminate();
        continue;
      }
      connection.alive = false;
      if (connection.ws.readyState === WebSocket.OPEN) connection.ws.ping();
    }
  }, options.keepaliveMs ?? 30_000);
  keepalive.unref();

  /** Send unless the peer stopped reading; true when sent. */
  function send(connection: Connection, text: string): boolean {
    const { ws } = connection;
    if (ws.readyState !== WebSocket.OPEN) return false;
    if (ws.bufferedAmount > SLOW_CONSUMER_FACTOR * maxBufferedBytes) {
      logger.warn({ path, buffered: ws.bufferedAmount }, 'WebSocket client is not reading: disconnected');
      ws.terminate();
      return false;
    }
    ws.send(text);
    return true;
  }

  function accept(ws: WebSocket, req: IncomingMessage, principal: Principal): void {
    const connection: Connection = { ws, alive: true, dropped: 0 };
    connections.add(connection);
    const cleanups: (() => void)[] = [];
    let closed = false;
    const runCleanup = (cleanup: () => void): void => {
      try {
        cleanup();
      } catch (error) {
        logger.error({ err: error, path }, 'WebSocket connection cleanup failed');
      }
    };

    const notify = (method: string, params: unknown): void => {
      if (ws.readyState !== WebSocket.OPEN) return;
      // Backpressure: a slow reader loses notifications instead of growing the buffer without bound.
      if (ws.bufferedAmount > maxBufferedBytes) {
        droppedNotifications += 1;
        connection.dropped += 1;
        if (connection.dropped === 1 || connection.dropped % 1000 === 0) {
          logger.warn({ path, method, dropped: connection.dropped }, 'WebSocket notifications dropped: client is too slow');
        }
        return;
      }
      // JSON-RPC 2.0 §4.1: a notification is a request without an id.
      const message = params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
      let text: string;
      try {
        text = JSON.stringify(message);
      } catch (error) {
        logger.error({ err: error, method }, 'WebSocket notification could not be serialized');
        return;
      }
      send(connection, text);
    };
    const client = clientAddress(req, security);
    const base = {
      transport: 'websocket',
      principal,
      notify,
      session: new Map<string, unknown>(),
      onClose: (cleanup: () => void): void => {
        if (closed) runCleanup(cleanup);
        else cleanups.push(cleanup);
      },
    } as const;
    const context: CallContext = client === undefined ? base : { ...base, client };

    ws.on('pong', () => {
      connection.alive = true;
    });
    ws.on('error', (error) => logger.debug({ err: error, path }, 'WebSocket error'));
    ws.on('close', () => {
      closed = true;
      connections.delete(connection);
      for (const cleanup of cleanups.splice(0)) runCleanup(cleanup);
      logger.debug({ path, principal: principal.id, client }, 'WebSocket closed');
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = toBuffer(data);
      if (isBinary) {
        return void send(connection, errorText(ERROR_CATALOGUE.PARSE_ERROR.rpc, 'Parse error: binary frames are not accepted; send JSON as text'));
      }
      if (bytes.length > maxMessageBytes) {
        const error = new HubError('PAYLOAD_TOO_LARGE', `Payload too large: message of ${bytes.length} bytes exceeds ${maxMessageBytes}`, {
          limit: maxMessageBytes,
        });
        return void send(connection, JSON.stringify({ jsonrpc: '2.0', id: null, error: toRpcErrorObject(error) }));
      }
      dispatcher
        .handleText(bytes.toString('utf8'), context)
        .then((answer) => {
          if (answer !== undefined) send(connection, answer);
        })
        .catch((error: unknown) => logger.error({ err: error, path }, 'WebSocket message handling failed'));
    });
    logger.debug({ path, principal: principal.id, client }, 'WebSocket connected');
  }

  return {
    get connections() {
      return connections.size;
    },
    get droppedNotifications() {
      return droppedNotifications;
    },
    close: async () => {
      clearInterval(keepalive);
      unroute();
      const open = [...connections].map(({ ws }) => ws);
      await Promise.all(open.map((ws) => closeSocket(ws)));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * Check an upgrade before it becomes a WebSocket: Host and Origin (a browser sends no preflight for
 * WebSocket, so a cross-site page is refused here), then the credential from `Authorization` or the
 * `bearer.<token>` subprotocol. Resolves the principal, or undefined after answering 401/403.
 */
async function admitUpgrade(req: IncomingMessage, socket: Duplex, security: HttpSecurity): Promise<Principal | undefined> {
  const rejection = security.guard.rejection(req);
  if (rejection !== undefined) {
    refuseUpgrade(socket, 403, 'Forbidden', `Forbidden: ${rejection}`);
    return undefined;
  }
  // A browser's session cookie counts too: the Origin check above is what stops a cross-site page using it.
  const explicit = bearerOf(req) ?? bearerSubprotocol(req);
  const credential = explicit ?? liveSessionOf(req, security);
  const origin = security.guard.origin(req);
  const resource = `${origin}${(req.url ?? '/').split('?', 1)[0] ?? '/'}`;
  const outcome = await security.gate.authenticate(credential, clientAddress(req, security), { origin, resource, fromCookie: explicit === undefined && credential !== undefined });
  if (!outcome.ok) {
    // /ws is no OAuth protected resource (only /mcp is): its challenge names no resource metadata.
    const challenge = bearerChallenge(undefined, challengeScope('viewer'), outcome.invalidToken ? { code: 'invalid_token', description: outcome.reason } : undefined);
    refuseUpgrade(socket, 401, 'Unauthorized', `Unauthenticated: ${outcome.reason}`, ERROR_CATALOGUE.UNAUTHENTICATED.rpc, challenge);
    return undefined;
  }
  if (outcome.principal.kind === 'device' || !roleAtLeast(outcome.principal.role, 'viewer')) {
    refuseUpgrade(socket, 403, 'Forbidden', `Forbidden: ${outcome.principal.id} may not use the API`, ERROR_CATALOGUE.FORBIDDEN.rpc, bearerChallenge(undefined, ROLE_SCOPE.viewer, { code: 'insufficient_scope' }));
    return undefined;
  }
  return outcome.principal;
}

function refuseUpgrade(socket: Duplex, status: number, text: string, message: string, code: number = ERROR_CATALOGUE.INVALID_REQUEST.rpc, challenge?: string): void {
  const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } });
  socket.on('error', () => socket.destroy());
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n${challenge === undefined ? '' : `WWW-Authenticate: ${challenge}\r\n`}` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1001, 'Server shutting down');
  });
}

// JSON-RPC 2.0 §5: the id of a message that could not be read is null.
function errorText(code: number, message: string): string {
  return JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } });
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
