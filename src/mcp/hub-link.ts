/**
 * The HTTP side of `llm-iot mcp`: one Streamable HTTP session with a running hub, relaying JSON-RPC
 * messages as they are. When the hub answers 404 (it restarted, the session is gone) the link opens
 * a new session by replaying the client's own initialize and its resource subscriptions, then tells
 * the client to refresh its lists — so a hub restart does not break Claude Desktop's connection.
 */
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  isInitializedNotification,
  isInitializeRequest,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../log/logger.ts';

/** Where the link delivers what the hub sends. */
export interface HubLinkHandlers {
  /** A message from the hub for the client. */
  onmessage(message: JSONRPCMessage): void;
}

/**
 * The hub answered a message with an HTTP error status (401 without a valid token, 403 for a role
 * too low, 413, 503, …): it is reachable, and refused this message. `error` is the JSON-RPC error
 * object of its body when it sent one.
 */
export class HubRefusedError extends Error {
  readonly status: number;
  readonly error: { readonly code: number; readonly message: string; readonly data?: unknown } | undefined;
  /** The `WWW-Authenticate` challenge of a 401/403. */
  readonly challenge: string | undefined;

  constructor(status: number, error: HubRefusedError['error'], challenge: string | undefined, text: string) {
    super(`hub answered HTTP ${status}: ${error?.message ?? (text.slice(0, 200) || 'no body')}`);
    this.name = 'HubRefusedError';
    this.status = status;
    this.error = error;
    this.challenge = challenge;
  }
}

/**
 * `fetch` for the transport: a POST the hub refuses with an HTTP error status throws a
 * {@link HubRefusedError} carrying the hub's own JSON-RPC error, so the client is told what the hub
 * said instead of a generic transport failure. A 404 for a session (`Mcp-Session-Id` sent) is left
 * to the SDK: the session is gone and the link reopens one. GET and DELETE are the SDK's alone.
 */
async function refusalAwareFetch(url: string | URL, init?: RequestInit): Promise<Response> {
  const response = await fetch(url, init);
  if (init?.method !== 'POST' || response.ok || response.status < 400) return response;
  if (response.status === 404 && new Headers(init.headers).has('mcp-session-id')) return response;
  const text = await response.text().catch(() => '');
  throw new HubRefusedError(response.status, jsonRpcErrorOf(text), response.headers.get('www-authenticate') ?? undefined, text);
}

/** The `error` of a JSON-RPC error response body, if the text is one. */
function jsonRpcErrorOf(text: string): HubRefusedError['error'] {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; data?: unknown } } | null;
    const error = body?.error;
    if (typeof error?.code !== 'number' || !Number.isInteger(error.code) || typeof error.message !== 'string') return undefined;
    return { code: error.code, message: error.message, ...(error.data !== undefined && { data: error.data }) };
  } catch {
    return undefined;
  }
}

const INTERNAL_PREFIX = 'llm-iot-mcp-proxy:';
const REPLAY_TIMEOUT_MS = 10_000;

/** One hub session for the stdio relay, reopened when the hub loses it. */
export class HubLink {
  readonly #url: URL;
  readonly #handlers: HubLinkHandlers;
  readonly #logger: Logger;
  #transport: StreamableHTTPClientTransport | undefined;
  /** The client's initialize request (replayed to open a new session) and the ids it used. */
  #initialize: JSONRPCRequest | undefined;
  readonly #initializeIds = new Set<RequestId>();
  #initialized = false;
  readonly #subscriptions = new Set<string>();
  /** Requests the link itself sent while recovering: their answers stay here. */
  readonly #internal = new Map<RequestId, (message: JSONRPCMessage) => void>();
  #nextInternal = 0;
  #recovering: Promise<void> | undefined;

  readonly #token: string | undefined;

  /** `token`: an API token sent as `Authorization: Bearer` on every request to the hub. */
  constructor(url: URL, handlers: HubLinkHandlers, logger: Logger, token?: string) {
    this.#token = token;
    this.#url = url;
    this.#handlers = handlers;
    this.#logger = logger;
  }

  get sessionId(): string | undefined {
    return this.#transport?.sessionId;
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.#remember(message);
    const transport = await this.#open();
    try {
      await transport.send(message);
    } catch (error) {
      if (!(error instanceof StreamableHTTPError && error.code === 404) || this.#initialize === undefined || isInitializeRequest(message)) throw error;
      this.#logger.warn({ url: this.#url.href }, 'hub session gone (hub restarted?): opening a new one');
      await this.#recover(transport);
      await (await this.#open()).send(message);
    }
  }

  /** End the hub session (HTTP DELETE) and stop. */
  async close(): Promise<void> {
    const transport = this.#transport;
    this.#transport = undefined;
    if (!transport) return;
    await transport.terminateSession().catch((error: unknown) => this.#logger.debug({ err: error }, 'hub session DELETE failed'));
    await transport.close();
  }

  async #open(): Promise<StreamableHTTPClientTransport> {
    if (this.#transport) return this.#transport;
    const transport = new StreamableHTTPClientTransport(this.#url, {
      fetch: refusalAwareFetch,
      ...(this.#token !== undefined && { requestInit: { headers: { Authorization: `Bearer ${this.#token}` } } }),
    });
    transport.onmessage = (message) => this.#fromHub(transport, message);
    transport.onerror = (error) => this.#logger.debug({ err: error }, 'hub stream error');
    await transport.start();
    this.#transport = transport;
    return transport;
  }

  #remember(message: JSONRPCMessage): void {
    if (isInitializeRequest(message) && isJSONRPCRequest(message)) {
      this.#initialize = message;
      this.#initializeIds.add(message.id);
    } else if (isInitializedNotification(message)) this.#initialized = true;
    else if (isJSONRPCRequest(message) && typeof message.params?.['uri'] === 'string') {
      if (message.method === 'resources/subscribe') this.#subscriptions.add(message.params['uri']);
      if (message.method === 'resources/unsubscribe') this.#subscriptions.delete(message.params['uri']);
    }
  }

  #fromHub(transport: StreamableHTTPClientTransport, message: JSONRPCMessage): void {
    const isResponse = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
    if (isResponse && message.id !== undefined) {
      const waiter = this.#internal.get(message.id);
      if (waiter) return waiter(message);
      // Later requests carry the negotiated version (Streamable HTTP §Protocol Version Header).
      if (isJSONRPCResultResponse(message) && this.#initializeIds.has(message.id) && typeof message.result['protocolVersion'] === 'string') {
        transport.setProtocolVersion(message.result['protocolVersion']);
      }
    }
    this.#handlers.onmessage(message);
  }

  #recover(failed: StreamableHTTPClientTransport): Promise<void> {
    this.#recovering ??= this.#reopen(failed).finally(() => (this.#recovering = undefined));
    return this.#recovering;
  }

  async #reopen(failed: StreamableHTTPClientTransport): Promise<void> {
    if (this.#transport === failed) {
      this.#transport = undefined;
      await failed.close();
    }
    const transport = await this.#open();
    const init = this.#initialize as JSONRPCRequest;
    const answer = await this.#request(transport, init.method, init.params);
    if (isJSONRPCResultResponse(answer) && typeof answer.result['protocolVersion'] === 'string') transport.setProtocolVersion(answer.result['protocolVersion']);
    if (this.#initialized) await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    for (const uri of this.#subscriptions) await this.#request(transport, 'resources/subscribe', { uri });
    // The new session may see another fleet: have the client refetch its lists.
    this.#handlers.onmessage({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    this.#handlers.onmessage({ jsonrpc: '2.0', method: 'notifications/resources/list_changed' });
  }

  async #request(transport: StreamableHTTPClientTransport, method: string, params: JSONRPCRequest['params']): Promise<JSONRPCMessage> {
    const id = `${INTERNAL_PREFIX}${++this.#nextInternal}`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answered = new Promise<JSONRPCMessage>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`hub did not answer ${method} in ${REPLAY_TIMEOUT_MS} ms`)), REPLAY_TIMEOUT_MS);
      this.#internal.set(id, resolve);
    });
    try {
      await transport.send({ jsonrpc: '2.0', id, method, ...(params !== undefined && { params }) });
      return await answered;
    } finally {
      clearTimeout(timer);
      this.#internal.delete(id);
    }
  }
}
