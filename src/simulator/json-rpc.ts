/** JSON-RPC 2.0 message shapes as a device sends and receives them, and a classifier for incoming ones. */

export type JsonRpcId = string | number | null;

/** JSON-RPC 2.0 §5.1 error object. */
export interface JsonRpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** Any message a device puts on its up topic. */
export type OutgoingMessage =
  | { readonly jsonrpc: '2.0'; readonly method: string; readonly params?: unknown; readonly id?: string | number }
  | { readonly jsonrpc: '2.0'; readonly result: unknown; readonly id: JsonRpcId }
  | { readonly jsonrpc: '2.0'; readonly error: JsonRpcErrorObject; readonly id: JsonRpcId };

/** An incoming message after classification (JSON-RPC 2.0 §4, §5). */
export type IncomingMessage =
  | { readonly kind: 'request'; readonly id: string | number; readonly method: string; readonly params: unknown }
  | { readonly kind: 'notification'; readonly method: string; readonly params: unknown }
  | { readonly kind: 'response'; readonly id: JsonRpcId; readonly result?: unknown; readonly error?: JsonRpcErrorObject }
  | { readonly kind: 'invalid'; readonly id: JsonRpcId; readonly reason: string };

export function requestMessage(method: string, params: unknown, id: string | number): OutgoingMessage {
  return { jsonrpc: '2.0', method, params, id };
}

export function notificationMessage(method: string, params?: unknown): OutgoingMessage {
  return params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
}

export function resultMessage(id: JsonRpcId, result: unknown): OutgoingMessage {
  return { jsonrpc: '2.0', result, id };
}

export function errorMessage(id: JsonRpcId, error: JsonRpcErrorObject): OutgoingMessage {
  return { jsonrpc: '2.0', error, id };
}

/** Classify one parsed JSON value (not a batch). */
export function classify(value: unknown): IncomingMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'invalid', id: null, reason: 'not an object' };
  const message = value as Record<string, unknown>;
  const id = isId(message['id']) ? message['id'] : null;
  if (message['jsonrpc'] !== '2.0') return { kind: 'invalid', id, reason: 'jsonrpc must be "2.0"' };
  if ('method' in message) {
    const method = message['method'];
    if (typeof method !== 'string') return { kind: 'invalid', id, reason: 'method must be a string' };
    const params = message['params'];
    if (params !== undefined && (typeof params !== 'object' || params === null)) return { kind: 'invalid', id, reason: 'params must be an object or array' };
    if (!('id' in message)) return { kind: 'notification', method, params };
    if (!isId(message['id']) || message['id'] === null) return { kind: 'invalid', id: null, reason: 'id must be a string or number' };
    return { kind: 'request', id: message['id'], method, params };
  }
  if ('result' in message) return { kind: 'response', id, result: message['result'] };
  const error = message['error'];
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number') {
    const { code, message: text, data } = error as { code: number; message?: unknown; data?: unknown };
    return { kind: 'response', id, error: { code, message: typeof text === 'string' ? text : '', ...(data === undefined ? {} : { data }) } };
  }
  return { kind: 'invalid', id, reason: 'neither a request nor a response' };
}

function isId(value: unknown): value is JsonRpcId {
  return typeof value === 'string' || typeof value === 'number' || value === null;
}
