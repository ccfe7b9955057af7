// JSON-RPC 2.0 over POST /rpc with the session cookie and its CSRF token (docs/security.md, "Users and the browser").

/** A JSON-RPC error the hub answered (docs/errors.md), or an HTTP failure mapped to one. */
export class RpcCallError extends Error {
  readonly code: number;
  readonly data: unknown;
  readonly httpStatus: number;
  constructor(code: number, message: string, data: unknown, httpStatus: number) {
    super(message);
    this.name = 'RpcCallError';
    this.code = code;
    this.data = data;
    this.httpStatus = httpStatus;
  }
}

let csrfToken: string | undefined;
let requestId = 0;
const unauthenticatedListeners = new Set<() => void>();

/** The token GET /auth/session or POST /auth/login gave; sent with every state-changing request. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export function csrfHeaders(): Record<string, string> {
  return csrfToken === undefined ? {} : { 'X-CSRF-Token': csrfToken };
}

/** Called when the hub answers 401 (session expired or logged out elsewhere). */
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

/** Call one method; resolves its result or rejects with {@link RpcCallError}. */
export async function rpc<T>(method: string, params: object = {}, signal?: AbortSignal): Promise<T> {
  const response = await fetch('/rpc', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', ...csrfHeaders() },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++requestId, method, params }),
    ...(signal !== undefined && { signal }),
  });
  let body: { result?: T; error?: { code: number; message: string; data?: unknown } } | undefined;
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new RpcCallError(-32603, `${method}: the hub answered HTTP ${response.status} without JSON`, undefined, response.status);
  }
  if (response.status === 401) for (const listener of unauthenticatedListeners) listener();
  if (body?.error !== undefined) throw new RpcCallError(body.error.code, body.error.message, body.error.data, response.status);
  if (!response.ok || body === undefined || !('result' in body)) {
    throw new RpcCallError(-32603, `${method}: the hub answered HTTP ${response.status}`, undefined, response.status);
  }
  return body.result as T;
}

/** A message for people, from any failure. */
export function errorText(error: unknown): string {
  if (error instanceof RpcCallError) return `${error.message} (${error.code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}
