/** The hub's HTTP server: JSON-RPC at POST /rpc, /healthz, and a small route table for other modules. */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Server as TlsServer } from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { ERROR_CATALOGUE } from '../core/errors.ts';
import type { Principal, Role } from '../core/principal.ts';
import type { Logger } from '../log/logger.ts';
import type { RpcDispatcher } from '../rpc/dispatcher.ts';
import type { CallContext } from '../rpc/method.ts';
import { admit, applyCors, clientAddress, loopbackOnlySecurity, type HttpSecurity } from './http-security.ts';

/** A handler mounted by another module (`/metrics`, `/mcp`, the dashboard at `/`). */
export interface HttpRoute {
  /** An HTTP method ('GET', 'POST', …) or '*' for any. */
  readonly method: string;
  /** An exact path, or a prefix ending in '/*' (e.g. '/assets/*'). Query strings are ignored. */
  readonly path: string;
  /**
   * Who may use it: 'public' (no Host, Origin or credential check: /healthz, the metadata
   * document) or the least role (default 'viewer': a route is protected unless it says otherwise).
   */
  readonly access?: 'public' | Role;
  /**
   * The OAuth protected resource the RFC 9728 metadata describes (/mcp): its 401 and 403 challenges
   * name `resource_metadata`. Other routes' challenges name none: the metadata's `resource` is not them.
   */
  readonly oauthResource?: boolean;
  handler(req: IncomingMessage, res: ServerResponse, caller: RouteCaller): void | Promise<void>;
}

/** Who the server admitted to a route (none for a public route). */
export interface RouteCaller {
  readonly principal?: Principal;
  /** The hub's origin as URLs handed to this caller name it: `--public-url`'s when set, else the request's. */
  readonly origin: string;
  /** `--public-url`'s origin, when set: its Host and Origin are the hub's own even on a loopback socket (a reverse proxy on this machine). */
  readonly publicOrigin?: string;
  /** The client's address: the TCP peer's, or the one a `--trusted-proxy` forwarded (http-security.ts `clientAddress`). */
  readonly client?: string;
}

/** What `/healthz` reports; any status other than 'ok' answers HTTP 503. */
export interface HealthReport {
  readonly status: 'ok' | 'degraded' | 'error';
  readonly [detail: string]: unknown;
}

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  readonly dispatcher: RpcDispatcher;
  readonly logger: Logger;
  /** Largest JSON-RPC request body accepted; larger ones get HTTP 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  readonly routes?: readonly HttpRoute[];
  /** Details for `/healthz` (store, broker, …). */
  readonly health?: () => HealthReport | Promise<HealthReport>;
  /** ms a client may take to send its request headers; slower ones get 408 and are closed. Default 10 s. */
  readonly headersTimeoutMs?: number;
  /** ms a client may take to send a whole request; 0 = no limit. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** ms an idle keep-alive connection stays open. Default 5 s. */
  readonly keepAliveTimeoutMs?: number;
  /** Host/Origin checks and authentication; default: no credentials, loopback callers only. */
  readonly security?: HttpSecurity;
  /** PEM certificate and key: serve HTTPS (and WSS) instead of plain HTTP. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
}

/** Defaults of the {@link HttpServerOptions} timeouts. */
export const HTTP_TIMEOUT_DEFAULTS = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 } as const;

/** Address of a listening server and how to stop it. */
export interface HttpListener {
  readonly port: number;
  readonly url: string;
  /** Stop accepting, let requests finish for a short grace, then drop every remaining connection. */
  close(): Promise<void>;
}

const MiB = 1024 * 1024;
const CLOSE_GRACE_MS = 2000;

/** Build the HTTP server (not listening: only the CLI opens ports, via {@link listenHttp}). */
export function createHttpServer(options: HttpServerOptions): Server {
  const { dispatcher, logger, health } = options;
  const maxBodyBytes = options.maxBodyBytes ?? MiB;
  const security = options.security ?? loopbackOnlySecurity();
  const routes: HttpRoute[] = [
    { method: 'POST', path: '/rpc', handler: (req, res, caller) => serveRpc(req, res, dispatcher, maxBodyBytes, logger, caller) },
    { method: 'GET', path: '/healthz', access: 'public', handler: (_req, res) => serveHealth(res, health, logger) },
    { method: 'HEAD', path: '/healthz', access: 'public', handler: (_req, res) => serveHealth(res, health, logger) },
    ...(options.routes ?? []),
  ];
  checkRoutes(routes);

  const requestTimeout = options.requestTimeoutMs ?? HTTP_TIMEOUT_DEFAULTS.requestTimeoutMs;
  // Node refuses a headers timeout longer than a (non-zero) request timeout.
  const headersTimeout = Math.min(options.headersTimeoutMs ?? HTTP_TIMEOUT_DEFAULTS.headersTimeoutMs, requestTimeout || Number.MAX_SAFE_INTEGER);
  const limits = {
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? HTTP_TIMEOUT_DEFAULTS.keepAliveTimeoutMs,
    // Node enforces the two timeouts on this sweep (default every 30 s): sweep often enough that a
    // slow client is dropped close to its deadline, not up to 30 s after it.
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(Math.min(headersTimeout, requestTimeout || headersTimeout) / 4))),
  };
  const listener: RequestListener = (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const method = req.method ?? 'GET';
    const matching = routes.filter((route) => pathMatches(route.path, path));
    const protectedPath = matching.some((r) => (r.access ?? 'viewer') !== 'public');
    // CORS preflight (Fetch standard §3.2.2): answered for allowed origins only, before any route.
    if (protectedPath && (req.headers.origin !== undefined || method === 'OPTIONS')) {
      if (applyCors(req, res, security) === 'preflight-answered') return void req.resume();
    }
    const route = matching.find((r) => r.method === method || r.method === '*');
    if (route === undefined) {
      if (matching.length === 0) return sendJson(res, 404, { error: 'Not Found', message: `No route: ${method} ${path}` });
      const allow = [...new Set(matching.map((r) => r.method))].join(', ');
      res.setHeader('Allow', allow);
      return sendJson(res, 405, { error: 'Method Not Allowed', message: `${path} accepts ${allow}` });
    }
    const access = route.access ?? 'viewer';
    Promise.resolve()
      .then(async () => {
        const client = clientAddress(req, security);
        const where = {
          origin: security.guard.origin(req),
          ...(security.guard.publicOrigin !== undefined && { publicOrigin: security.guard.publicOrigin }),
          ...(client !== undefined && { client }),
        };
        if (access === 'public') return route.handler(req, res, where);
        const principal = await admit(req, res, security, access, route.oauthResource === true);
        if (principal === undefined) return void req.resume();
        return route.handler(req, res, { principal, ...where });
      })
      .catch((error: unknown) => {
        logger.error({ err: error, method, path }, 'HTTP handler failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'Internal Server Error', message: 'Internal error' });
        else res.destroy();
      });
  };
  return options.tls === undefined ? createServer(limits, listener) : createHttpsServer({ ...limits, cert: options.tls.cert, key: options.tls.key }, listener);
}

/**
 * Listen on `port` (0 = ephemeral) and resolve once bound. Rejects with a clear message when the
 * port is taken.
 */
export function listenHttp(server: Server, options: { readonly port: number; readonly host?: string }): Promise<HttpListener> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const where = `${options.host ?? '*'}:${options.port}`;
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`HTTP port ${options.port} is already in use — pass --http-port`, { cause: error })
          : new Error(`HTTP server could not listen on ${where}: ${error.message}`, { cause: error }),
      );
    };
    const onListening = (): void => {
      server.off('error', onError);
      server.on('connection', track);
      const { port } = server.address() as AddressInfo;
      const scheme = server instanceof TlsServer ? 'https' : 'http';
      resolve({ port, url: `${scheme}://${urlHost(options.host)}:${port}`, close: () => closeServer(server, sockets) });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    if (options.host === undefined) server.listen(options.port);
    else server.listen(options.port, options.host);
  });
}

/**
 * Why /rpc cannot read this body, or undefined: JSON (RFC 8259 §8.1: UTF-8), not compressed. A gzip
 * body or a UTF-16 one read as UTF-8 would come back as a parse error quoting bytes the client never
 * wrote; 415 says what to send instead.
 */
function unsupportedBody(req: IncomingMessage): string | undefined {
  const [type, ...parameters] = (req.headers['content-type'] ?? '').split(';');
  if (type?.trim().toLowerCase() !== 'application/json') return 'Content-Type must be application/json';
  for (const parameter of parameters) {
    const [name, value] = parameter.split('=', 2).map((part) => part.trim().toLowerCase().replace(/^"(.*)"$/, '$1'));
    if (name === 'charset' && value !== 'utf-8' && value !== 'utf8') return `charset ${value ?? ''} is not supported: JSON is UTF-8`;
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '') return `Content-Encoding ${encoding} is not supported: send the JSON uncompressed`;
  return undefined;
}

async function serveRpc(req: IncomingMessage, res: ServerResponse, dispatcher: RpcDispatcher, limit: number, logger: Logger, caller: RouteCaller): Promise<void> {
  const unsupported = unsupportedBody(req);
  if (unsupported !== undefined) {
    req.resume();
    return sendJson(res, 415, rpcError(ERROR_CATALOGUE.INVALID_REQUEST.rpc, `Invalid Request: ${unsupported}`));
  }
  const body = await readBody(req, limit);
  if (body === 'too-large') {
    // Stop reading: answer now and close the connection rather than drain an oversize body.
    res.setHeader('Connection', 'close');
    sendJson(res, 413, rpcError(ERROR_CATALOGUE.PAYLOAD_TOO_LARGE.rpc, `Payload too large: the request body exceeds ${limit} bytes`));
    res.once('finish', () => req.socket.destroySoon());
    return;
  }
  if (body === 'aborted') return;
  const context: CallContext = {
    transport: 'http',
    ...(caller.principal !== undefined && { principal: caller.principal }),
    ...(caller.client !== undefined && { client: caller.client }),
  };
  const answer = await dispatcher.handleText(body.toString('utf8'), context);
  if (answer === undefined) {
    // JSON-RPC 2.0 §4.1/§6: notifications only — nothing to return.
    res.statusCode = 204;
    res.end();
    return;
  }
  logger.debug({ bytes: answer.length }, 'JSON-RPC over HTTP answered');
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(answer) });
  res.end(answer);
}

/** Read the body as it streams in; give up as soon as it passes `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.pause();
    return Promise.resolve('too-large');
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (outcome: Buffer | 'too-large' | 'aborted'): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
      resolve(outcome);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish('too-large');
      } else chunks.push(chunk);
    };
    const onEnd = (): void => finish(Buffer.concat(chunks, size));
    const onAbort = (): void => finish('aborted');
    const onClose = (): void => {
      if (!req.complete) finish('aborted');
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onAbort);
    req.once('close', onClose);
  });
}

async function serveHealth(res: ServerResponse, health: HttpServerOptions['health'], logger: Logger): Promise<void> {
  let report: HealthReport = { status: 'ok' };
  if (health !== undefined) {
    try {
      report = { ...(await health()) };
    } catch (error) {
      logger.error({ err: error }, 'health check failed');
      report = { status: 'error' };
    }
  }
  sendJson(res, report.status === 'ok' ? 200 : 503, report);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

// JSON-RPC 2.0 §5: errors detected before the id is known carry id null.
function rpcError(code: number, message: string): object {
  return { jsonrpc: '2.0', id: null, error: { code, message } };
}

function pathMatches(pattern: string, path: string): boolean {
  if (pattern.endsWith('/*')) {
    const prefix = pattern.slice(0, -1);
    return path.startsWith(prefix) || path === pattern.slice(0, -2);
  }
  return pattern === path;
}

function checkRoutes(routes: readonly HttpRoute[]): void {
  const seen = new Set<string>();
  for (const route of routes) {
    if (!route.path.startsWith('/')) throw new Error(`HTTP route rejected: path must start with "/": ${route.path}`);
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) throw new Error(`HTTP route rejected: ${key} is mounted twice`);
    seen.add(key);
  }
}

function urlHost(host: string | undefined): string {
  if (host === undefined || host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    const timer = setTimeout(() => {
      for (const socket of sockets) socket.destroy();
    }, CLOSE_GRACE_MS);
    timer.unref();
    server.close((error) => {
      clearTimeout(timer);
      if (error === undefined) resolve();
      else reject(error);
    });
    server.closeIdleConnections();
  });
}
