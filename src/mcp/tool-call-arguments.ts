/** tools/call arguments taken off the wire before the SDK's schema parse: held to the hub's JSON limits and passed on as plain data. */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { checkJsonLimits } from '../core/json-limits.ts';

type RequestHandler = (request: unknown, extra: object) => Promise<unknown>;

/** The arguments of the call in progress, by the SDK's per-request `extra` (the same object reaches our handler). */
const taken = new WeakMap<object, Record<string, unknown>>();

/**
 * Wrap the tools/call handler registered on `server` so its `arguments` never reach the SDK's zod
 * schema: zod's record check reads `arguments.constructor.prototype` and throws a TypeError on
 * `"constructor": null` (-32603), and arguments nested thousands of levels deep overflowed the stack
 * further in (the audit write). They are checked here with the same limits as every other JSON input
 * (the dispatcher's), and a breach answers -32602 with its JSON pointer. Call after registering tools/call.
 */
export function takeToolCallArguments(server: Server): void {
  // The SDK keeps its handlers in a TypeScript-private map; there is no public hook before its parse.
  const handlers = (server as unknown as { _requestHandlers: Map<string, RequestHandler> })._requestHandlers;
  const handler = handlers.get('tools/call');
  if (!handler) throw new Error('takeToolCallArguments: register tools/call first');
  handlers.set('tools/call', async (request, extra) => {
    const params = (request as { params?: unknown }).params;
    const args = isRecord(params) ? params['arguments'] : undefined;
    // Anything but an object is left to the SDK's schema, which answers -32602 naming params/arguments.
    if (!isRecord(params) || !isRecord(args)) return handler(request, extra);
    const issue = checkJsonLimits(args, undefined, '/params/arguments');
    if (issue) throw new McpError(ErrorCode.InvalidParams, `Invalid tools/call request: ${issue.path}: ${issue.message}`, { issues: [issue] });
    taken.set(extra, args);
    // Spread copies own keys as data (a `__proto__` key stays a key); the SDK parses an empty record.
    return handler({ ...(request as object), params: { ...params, arguments: {} } }, extra);
  });
}

/** The arguments of a tools/call request: those taken off the wire, else the parsed request's (in-process callers). */
export function toolCallArguments(extra: object, parsed: Record<string, unknown> | undefined): Record<string, unknown> {
  return taken.get(extra) ?? parsed ?? {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
