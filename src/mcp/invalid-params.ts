/** Malformed MCP requests answer -32602 Invalid params: the SDK parses a request with its schema before any handler, and answers a mismatch with -32603. */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { wireParamsIssue } from './wire-params.ts';

type RequestHandler = (request: unknown, extra: unknown) => Promise<unknown>;

/** A schema-validation failure (zod's error: a name and a list of issues with paths). */
function isSchemaError(error: unknown): error is Error & { issues: { path?: unknown[]; message?: string }[] } {
  return error instanceof Error && /^\$?ZodError$/.test(error.name) && Array.isArray((error as { issues?: unknown }).issues);
}

/**
 * Wrap every request handler registered on `server` (the SDK's own, initialize and ping, and ours) so a
 * request whose params do not match the method's schema, or break the JSON input limits, answers -32602
 * naming the paths, as JSON-RPC 2.0 §5.1 asks, instead of -32603 with the validator's dump. Call after
 * the handlers are registered.
 */
export function answerInvalidParams(server: Server): void {
  // The SDK keeps its handlers in a TypeScript-private map; there is no public hook before its parse.
  const handlers = (server as unknown as { _requestHandlers: Map<string, RequestHandler> })._requestHandlers;
  for (const [method, handler] of handlers) {
    handlers.set(method, async (request, extra) => {
      // Before the SDK's parse: limits (a deep document must not reach any recursive code) and keys its validator cannot read.
      const issue = wireParamsIssue((request as { params?: unknown } | null)?.params, method === 'tools/call');
      if (issue) throw new McpError(ErrorCode.InvalidParams, `Invalid ${method} request: ${issue.path}: ${issue.message}`, { issues: [issue] });
      try {
        return await handler(request, extra);
      } catch (error) {
        if (!isSchemaError(error)) throw error;
        const issues = error.issues.map((i) => `${(i.path ?? []).map(String).join('/') || '(request)'}: ${i.message ?? 'invalid'}`);
        throw new McpError(ErrorCode.InvalidParams, `Invalid ${method} request: ${issues.slice(0, 5).join('; ')}`);
      }
    });
  }
}
