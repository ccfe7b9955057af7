/** The JSON-RPC 2.0 dispatcher: one request, batch or response in; the answer (if any) out. */
import { ERROR_CATALOGUE, HubError, toRpcErrorObject, type RpcErrorObject } from '../core/errors.ts';
import { checkJsonLimits, JSON_LIMITS } from '../core/json-limits.ts';
import type { Logger } from '../log/logger.ts';
import { checkDeviceMethod, checkDeviceParams, type DeviceAccessCheck } from './device-access.ts';
import { authorize, authorizeRun } from './authorize.ts';
import type { CallAudit } from './call-audit.ts';
import type { CallContext } from './method.ts';
import type { MethodRegistry } from './method-registry.ts';

/** JSON-RPC 2.0 §4: a request id. */
export type JsonRpcId = string | number | null;

/** JSON-RPC 2.0 §5: what the hub answers. */
export type JsonRpcResponse =
  | { readonly jsonrpc: '2.0'; readonly id: JsonRpcId; readonly result: unknown }
  | { readonly jsonrpc: '2.0'; readonly id: JsonRpcId; readonly error: RpcErrorObject };

/** A response sent *to* the hub (e.g. a device answering a hub command); not validated here. */
export interface IncomingResponse {
  readonly jsonrpc?: unknown;
  readonly id?: unknown;
  readonly result?: unknown;
  readonly error?: unknown;
}

/** Receives responses that peers send to the hub, with the context they came in on. */
export type ResponseHandler = (message: IncomingResponse, context: CallContext) => void;

/** Options of {@link RpcDispatcher}. */
export interface RpcDispatcherOptions {
  /** Most entries a batch may hold (JSON-RPC 2.0 §6); larger batches get one -32600. Default 100. */
  readonly maxBatch?: number;
  /** Where responses go (MQTT devices answer hub commands on the topic they send requests on). */
  readonly onResponse?: ResponseHandler;
  /** Told when a notification's handler fails (nobody gets an answer, so the transport logs and counts it). */
  readonly onNotificationError?: (method: string, error: unknown, context: CallContext) => void;
  /** How calls from devices (a context with `clientId`) are checked against each method's `deviceAccess`. */
  readonly deviceAccess?: DeviceAccessCheck;
  /** Told of every request and notification served, on every transport and through invoke() (metrics). */
  readonly onServed?: (served: ServedRequest) => void;
  /** Records every write and destructive call (and every refused one) with its principal. */
  readonly audit?: CallAudit;
}

/** One request as the metrics see it. */
export interface ServedRequest {
  readonly transport: CallContext['transport'];
  /** The method's name, or undefined when the hub has none by that name (or the request had none). */
  readonly method: string | undefined;
  /** `internal_error`: -32603, a fault of the hub; `error`: any other error code. */
  readonly outcome: 'ok' | 'error' | 'internal_error';
  readonly seconds: number;
}

/**
 * True for a response rather than a request: it has `result` or `error` and no `method`
 * (JSON-RPC 2.0 §5). Such messages go to `onResponse`, never answered.
 */
export function isResponse(message: unknown): message is IncomingResponse {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return false;
  return !('method' in message) && ('result' in message || 'error' in message);
}

interface Request {
  readonly id: JsonRpcId;
  /** JSON-RPC 2.0 §4.1: a request without an `id` member is a notification and gets no response. */
  readonly notification: boolean;
  readonly method: string;
  readonly params: unknown;
}

const JSONRPC = '2.0';
const DEFAULT_MAX_BATCH = 100;

/** Serves JSON-RPC 2.0 requests from any transport against one {@link MethodRegistry}. */
export class RpcDispatcher {
  readonly #registry: MethodRegistry;
  readonly #logger: Logger;
  readonly #maxBatch: number;
  readonly #onResponse: ResponseHandler | undefined;
  readonly #onNotificationError: RpcDispatcherOptions['onNotificationError'];
  readonly #deviceAccess: DeviceAccessCheck | undefined;
  readonly #onServed: RpcDispatcherOptions['onServed'];
  readonly #audit: CallAudit | undefined;

  constructor(registry: MethodRegistry, logger: Logger, options: RpcDispatcherOptions = {}) {
    this.#registry = registry;
    this.#logger = logger;
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.#onResponse = options.onResponse;
    this.#onNotificationError = options.onNotificationError;
    this.#deviceAccess = options.deviceAccess;
    this.#onServed = options.onServed;
    this.#audit = options.audit;
  }

  /** Handle one JSON text; returns the JSON text to send back, or undefined when nothing is due. */
  async handleText(text: string, context: CallContext): Promise<string | undefined> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
    } catch (error) {
      // JSON-RPC 2.0 §5.1: -32700, and §5: the id is null when it could not be detected.
      const reason = error instanceof Error ? error.message : 'invalid JSON';
      this.#served(context, undefined, 'error', performance.now());
      return JSON.stringify(failure(null, { code: ERROR_CATALOGUE.PARSE_ERROR.rpc, message: `Parse error: ${reason}` }));
    }
    const answer = await this.handleMessage(parsed, context);
    return answer === undefined ? undefined : this.#stringify(answer);
  }

  /** Handle one parsed message (request, notification, batch or response). */
  async handleMessage(message: unknown, context: CallContext): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
    if (!Array.isArray(message)) return this.#handleOne(message, context);
    // JSON-RPC 2.0 §6: an empty array is one Invalid Request, not an empty batch.
    if (message.length === 0) return invalidRequest(null, 'empty batch');
    if (message.length > this.#maxBatch) {
      return invalidRequest(null, `batch of ${message.length} exceeds the limit of ${this.#maxBatch}`);
    }
    const answers = await Promise.all(message.map((entry: unknown) => this.#handleOne(entry, context)));
    const responses = answers.filter((answer): answer is JsonRpcResponse => answer !== undefined);
    // JSON-RPC 2.0 §6: a batch of notifications only gets no response at all.
    return responses.length === 0 ? undefined : responses;
  }

  /**
   * Call a method in-process (MCP tools, the LLM tool loop): validate params, run the handler and
   * return its result. Throws `HubError` (METHOD_NOT_FOUND, INVALID_PARAMS, or the handler's own).
   */
  async invoke(method: string, params: unknown, context: CallContext): Promise<unknown> {
    const start = performance.now();
    try {
      const issue = checkJsonLimits(params);
      if (issue) throw new HubError('INVALID_PARAMS', `Invalid params: ${issue.message}`, { issues: [issue] });
      const result = await this.#call(method, params, context);
      this.#served(context, method, 'ok', start);
      return result;
    } catch (error) {
      this.#served(context, method, outcomeOf(error), start);
      throw error;
    }
  }

  /**
   * Check the caller's role, validate params against the method's schema, check the role of the
   * method the params name for it to run (batch.execute's `method`) and run its handler (the JSON
   * limits already checked). The role comes before the params: a caller learns nothing about a
   * method it may not call.
   */
  async #call(method: string, params: unknown, context: CallContext): Promise<unknown> {
    const definition = this.#registry.get(method);
    if (definition === undefined) throw new HubError('METHOD_NOT_FOUND', `Method not found: ${method}`);
    // A device may call only the methods declared for devices, and only about itself; anyone else
    // needs the method's role.
    checkDeviceMethod(definition, context);
    const audit = this.#audit;
    if (audit === undefined) {
      authorize(definition, context);
      const valid = this.#registry.validateParams(definition, params);
      checkDeviceParams(definition, valid, context, this.#deviceAccess);
      authorizeRun(definition, valid, context, this.#registry);
      return definition.handler(valid, context);
    }
    try {
      authorize(definition, context);
    } catch (error) {
      await audit.refused(definition, params, context, error);
      throw error;
    }
    const valid = this.#registry.validateParams(definition, params);
    checkDeviceParams(definition, valid, context, this.#deviceAccess);
    // The method the call runs by name (batch.execute's) needs its own role, once, before any device is touched.
    try {
      authorizeRun(definition, valid, context, this.#registry);
    } catch (error) {
      await audit.refused(definition, valid, context, error);
      throw error;
    }
    try {
      const result = await definition.handler(valid, context);
      await audit.done(definition, valid, context);
      return result;
    } catch (error) {
      await audit.done(definition, valid, context, error);
      throw error;
    }
  }

  async #handleOne(message: unknown, context: CallContext): Promise<JsonRpcResponse | undefined> {
    // Every input, every transport: the JSON limits (core/json-limits.ts) before anything reads deeper.
    const issue = checkJsonLimits(message);
    if (isResponse(message)) {
      if (issue) {
        const error = new HubError('INVALID_REQUEST', `response refused: ${issue.message} at ${issue.path || '/'}`);
        this.#onNotificationError?.('response', error, context);
        return undefined;
      }
      this.#routeResponse(message, context);
      return undefined;
    }
    const start = performance.now();
    const request = parseRequest(message);
    if ('error' in request) {
      this.#served(context, undefined, 'error', start);
      return request;
    }
    try {
      if (issue) {
        // Beyond the limits inside params: -32602 with the place; in the envelope: -32600.
        if (issue.path === '/params' || issue.path.startsWith('/params/')) {
          throw new HubError('INVALID_PARAMS', `Invalid params: ${issue.message}`, { issues: [{ path: issue.path.slice('/params'.length), message: issue.message }] });
        }
        throw new HubError('INVALID_REQUEST', `Invalid Request: ${issue.message} at ${issue.path || '/'}`);
      }
      const result = await this.#call(request.method, request.params, context);
      this.#served(context, request.method, 'ok', start);
      if (request.notification) return undefined;
      // JSON-RPC 2.0 §5: `result` is REQUIRED on success; a handler returning nothing answers null.
      return { jsonrpc: JSONRPC, id: request.id, result: result === undefined ? null : result };
    } catch (error) {
      this.#served(context, request.method, outcomeOf(error), start);
      this.#logFailure(request.method, error);
      // JSON-RPC 2.0 §4.1: notifications are never answered, not even with an error.
      if (request.notification) {
        this.#onNotificationError?.(request.method, error, context);
        return undefined;
      }
      return failure(request.id, toRpcErrorObject(error));
    }
  }

  #served(context: CallContext, method: string | undefined, outcome: ServedRequest['outcome'], start: number): void {
    if (this.#onServed === undefined) return;
    const known = method !== undefined && this.#registry.get(method) !== undefined ? method : undefined;
    this.#onServed({ transport: context.transport, method: known, outcome, seconds: (performance.now() - start) / 1000 });
  }

  #routeResponse(message: IncomingResponse, context: CallContext): void {
    if (this.#onResponse === undefined) {
      this.#logger.warn({ transport: context.transport, id: message.id }, 'JSON-RPC response dropped: no response handler');
      return;
    }
    try {
      this.#onResponse(message, context);
    } catch (error) {
      this.#logger.error({ err: error, transport: context.transport, id: message.id }, 'JSON-RPC response handler failed');
    }
  }

  #logFailure(method: string, error: unknown): void {
    if (error instanceof HubError) {
      this.#logger.debug({ method, code: error.code, message: error.message }, 'JSON-RPC method failed');
    } else {
      // The stack goes to the log only; the client sees -32603 "Internal error".
      this.#logger.error({ method, err: error }, 'JSON-RPC method threw an unexpected error');
    }
  }

  #stringify(answer: JsonRpcResponse | JsonRpcResponse[]): string {
    try {
      return JSON.stringify(answer);
    } catch {
      // A result that cannot be serialized (cycle, BigInt) fails alone, as -32603.
      const entries = Array.isArray(answer) ? answer : [answer];
      const safe = entries.map((entry) => {
        try {
          return JSON.stringify(entry);
        } catch (error) {
          this.#logger.error({ err: error, id: entry.id }, 'JSON-RPC result could not be serialized');
          return JSON.stringify(failure(entry.id, toRpcErrorObject(error)));
        }
      });
      return Array.isArray(answer) ? `[${safe.join(',')}]` : (safe[0] ?? '');
    }
  }
}

/** JSON-RPC 2.0 §4: check the request object; an error response when it is not one. */
function parseRequest(message: unknown): Request | Extract<JsonRpcResponse, { error: unknown }> {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return invalidRequest(null, 'expected a request object');
  }
  const fields = message as Record<string, unknown>;
  const hasId = 'id' in fields;
  const id = fields['id'];
  // JSON-RPC 2.0 §5: an id that is itself invalid could not be determined, so the answer carries null
  // (never the offending value: a 200,000-character id is not echoed back).
  if (hasId && !isId(id)) return invalidRequest(null, 'id must be a string, a number or null');
  const idIssue = typeof id === 'string' ? checkJsonLimits(id, JSON_LIMITS, '/id') : undefined;
  if (idIssue) return invalidRequest(null, `id: ${idIssue.message}`);
  const replyId = hasId ? (id as JsonRpcId) : null;
  if (fields['jsonrpc'] !== JSONRPC) return invalidRequest(replyId, 'jsonrpc must be exactly "2.0"');
  const method = fields['method'];
  if (typeof method !== 'string') return invalidRequest(replyId, 'method must be a string');
  const params = fields['params'];
  // JSON-RPC 2.0 §4.2: params, when present, MUST be a structured value.
  if ('params' in fields && (typeof params !== 'object' || params === null)) {
    return invalidRequest(replyId, 'params must be an object or an array');
  }
  return { id: replyId, notification: !hasId, method, params };
}

function outcomeOf(error: unknown): ServedRequest['outcome'] {
  return toRpcErrorObject(error).code === ERROR_CATALOGUE.INTERNAL_ERROR.rpc ? 'internal_error' : 'error';
}

function isId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function failure(id: JsonRpcId, error: RpcErrorObject): Extract<JsonRpcResponse, { error: unknown }> {
  return { jsonrpc: JSONRPC, id, error };
}

function invalidRequest(id: JsonRpcId, detail: string): Extract<JsonRpcResponse, { error: unknown }> {
  return failure(id, { code: ERROR_CATALOGUE.INVALID_REQUEST.rpc, message: `Invalid Request: ${detail}` });
}
