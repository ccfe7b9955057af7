/**
 * Streamable HTTP at /mcp (MCP 2025-11-25 basic/transports): POST, GET (server → client SSE stream)
 * and DELETE, with stateful sessions keyed by `Mcp-Session-Id`. Each session gets its own SDK
 * transport and Server over the one shared hub; sessions end on DELETE, when idle too long, or when
 * the hub closes.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { HttpRoute, RouteCaller } from '../api/http-server.ts';
import { resourceMetadataUrl, sendInsufficientScope } from '../api/http-security.ts';
import { LOCAL_ADMIN, roleAtLeast, type Principal, type Role } from '../core/principal.ts';
import { ERROR_CATALOGUE } from '../core/errors.ts';
import { checkJsonLimits } from '../core/json-limits.ts';
import type { Logger } from '../log/logger.ts';
import { SessionEventStore } from './event-store.ts';
import { hostRejection } from './host-check.ts';
import { MCP_PATH } from '../auth/mcp-path.ts';
import type { McpHub } from './mcp-hub.ts';
import { createMcpSession, type McpSession } from './mcp-session.ts';
import { readJsonBody } from './read-json-body.ts';

/** Options of {@link McpHttpEndpoint}. */
export interface McpHttpOptions {
  readonly hub: McpHub;
  readonly logger: Logger;
  /** Largest POST body (default 4 MiB). */
  readonly maxBodyBytes?: number;
  /** Sessions open at once; more get HTTP 503 (default 1000). */
  readonly maxSessions?: number;
  /** A session with no open stream and no request for this long is closed (default 30 minutes). */
  readonly idleMs?: number;
}

interface Entry {
  /** The principal that opened the session: only it may use the session id. */
  readonly principal: Principal;
  readonly transport: StreamableHTTPServerTransport;
  readonly session: McpSession;
  /** Responses (POST answers, the GET stream) still open: a session with one is not idle. */
  open: number;
  lastActive: number;
}

/** The /mcp routes and the sessions behind them; `close()` ends every session. */
export class McpHttpEndpoint {
  readonly #o: McpHttpOptions;
  readonly #sessions = new Map<string, Entry>();
  readonly #sweeper: ReturnType<typeof setInterval>;
  #closed = false;

  constructor(options: McpHttpOptions) {
    this.#o = options;
    const idleMs = options.idleMs ?? 30 * 60_000;
    this.#sweeper = setInterval(() => this.#closeIdle(idleMs), Math.min(60_000, idleMs));
    this.#sweeper.unref();
  }

  /** POST, GET and DELETE on the path; other methods get 405 from the route table. */
  routes(): HttpRoute[] {
    const path = MCP_PATH;
    const handler = (req: IncomingMessage, res: ServerResponse, caller: RouteCaller): Promise<void> => this.#handle(req, res, caller.principal ?? LOCAL_ADMIN, caller);
    return ['POST', 'GET', 'DELETE'].map((method) => ({ method, path, access: 'viewer' as const, oauthResource: true, handler }));
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Close every session (their SSE streams end); later requests get 503. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    const entries = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.allSettled(entries.map((e) => e.session.close()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse, principal: Principal, caller: RouteCaller): Promise<void> {
    const rejection = hostRejection(req, caller.publicOrigin);
    if (rejection !== undefined) {
      req.resume();
      return sendError(res, 403, ERROR_CATALOGUE.INVALID_REQUEST.rpc, `Forbidden: ${rejection}`);
    }
    if (this.#closed) {
      req.resume();
      return sendError(res, 503, ERROR_CATALOGUE.SHUTTING_DOWN.rpc, 'The hub is shutting down');
    }
    let body: unknown;
    if (req.method === 'POST') {
      const read = await readJsonBody(req, this.#o.maxBodyBytes ?? 4 * 1024 * 1024);
      if (!read.ok) {
        if (read.reason === 'too-large') {
          res.setHeader('Connection', 'close');
          return sendError(res, 413, ERROR_CATALOGUE.PAYLOAD_TOO_LARGE.rpc, 'Payload too large');
        }
        if (read.reason === 'invalid-json') return sendError(res, 400, ERROR_CATALOGUE.PARSE_ERROR.rpc, 'Parse error: the body is not JSON');
        return;
      }
      body = read.value;
      // MCP 2025-11-25 authorization §Scope Challenge: a call above the principal's scopes is a 403 naming the scope.
      const refused = this.#callAboveRole(body, principal);
      if (refused !== undefined) return sendInsufficientScope(resourceMetadataUrl(caller.origin), res, principal, refused.needed, `tool ${refused.name}`, refused.id);
    }
    const header = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(header) ? header[0] : header;
    if (sessionId !== undefined) {
      const entry = this.#sessions.get(sessionId);
      // Streamable HTTP §Session Management: an unknown or ended session answers 404; the client starts a new one.
      // Another principal's session is as unknown to this caller as an ended one.
      if (!entry || entry.principal.id !== principal.id) {
        return sendError(res, 404, ERROR_CATALOGUE.INVALID_REQUEST.rpc, `Session not found: ${sessionId} (ended, or the hub restarted); send initialize again`);
      }
      track(entry, res);
      return entry.transport.handleRequest(req, res, body);
    }
    const initializing = req.method === 'POST' && (Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body));
    if (!initializing) {
      return sendError(res, 400, ERROR_CATALOGUE.INVALID_REQUEST.rpc, 'Bad Request: no Mcp-Session-Id header; a session starts with an initialize request');
    }
    if (this.#sessions.size >= (this.#o.maxSessions ?? 1000)) {
      return sendError(res, 503, ERROR_CATALOGUE.OVERLOADED.rpc, 'Too many MCP sessions open; retry later');
    }
    await this.#start(req, res, body, principal, caller.origin);
  }

  async #start(req: IncomingMessage, res: ServerResponse, body: unknown, principal: Principal, origin: string): Promise<void> {
    const { hub, logger } = this.#o;
    const id = randomUUID();
    // The address the client used (or --public-url): approval links point there.
    const session = createMcpSession(hub, { sessionId: id, logger, principal, baseUrl: origin, onClose: () => this.#forget(id) });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      // Resumable SSE streams (priming event ids, Last-Event-ID replay) and a reconnect hint (SEP-1699).
      eventStore: new SessionEventStore(),
      retryInterval: 2000,
      onsessioninitialized: () => {
        const entry: Entry = { principal, transport, session, open: 0, lastActive: Date.now() };
        this.#sessions.set(id, entry);
        track(entry, res);
        logger.info({ session: id, client: session.server.getClientVersion()?.name, principal: principal.id }, 'MCP session started');
      },
    });
    transport.onerror = (error) => logger.debug({ err: error, session: id }, 'MCP transport error');
    await session.server.connect(transport);
    await transport.handleRequest(req, res, body);
    // An initialize the SDK refused (bad version, malformed) never registered: do not leak its server.
    if (!this.#sessions.has(id)) await session.close();
  }

  /**
   * The first `tools/call` of the body (alone or in a batch) whose role is above the principal's: the
   * tool's, or more for what its arguments route to (run_command reboot). `id`: what the 403's body
   * answers to, the request's own id when the body is that one request and its id is valid; null for
   * a batch (the refusal answers the whole POST) or an id that is itself invalid.
   */
  #callAboveRole(body: unknown, principal: Principal): { name: string; needed: Role; id: string | number | null } | undefined {
    for (const message of Array.isArray(body) ? body : [body]) {
      if (typeof message !== 'object' || message === null) continue;
      const { method, params, id } = message as { method?: unknown; params?: { name?: unknown; arguments?: unknown }; id?: unknown };
      if (method !== 'tools/call' || typeof params?.name !== 'string') continue;
      const needed = this.#o.hub.tools.roleFor(params.name, params.arguments);
      if (needed !== undefined && !roleAtLeast(principal.role, needed)) return { name: params.name, needed, id: Array.isArray(body) ? null : validRequestId(id) };
    }
    return undefined;
  }

  #forget(id: string): void {
    if (this.#sessions.delete(id)) this.#o.logger.info({ session: id }, 'MCP session ended');
  }

  #closeIdle(idleMs: number): void {
    const cutoff = Date.now() - idleMs;
    for (const [id, entry] of this.#sessions) {
      if (entry.open === 0 && entry.lastActive < cutoff) {
        this.#o.logger.info({ session: id }, 'MCP session idle: closing');
        void entry.session.close();
      }
    }
  }
}

/** A request id an answer may carry (MCP: a string or an integer, within the JSON input limits), else null. */
function validRequestId(id: unknown): string | number | null {
  if (typeof id === 'number') return Number.isSafeInteger(id) ? id : null;
  return typeof id === 'string' && checkJsonLimits(id) === undefined ? id : null;
}

function track(entry: Entry, res: ServerResponse): void {
  entry.open++;
  entry.lastActive = Date.now();
  res.once('close', () => {
    entry.open--;
    entry.lastActive = Date.now();
  });
}

// JSON-RPC 2.0 §5: an error before any request id is known carries id null.
function sendError(res: ServerResponse, status: number, code: number, message: string): void {
  const text = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } });
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
