/**
 * `llm-iot mcp`: a stdio MCP server for hosts that spawn one (Claude Desktop, Claude Code), relaying
 * every JSON-RPC message between stdin/stdout and a running hub's /mcp endpoint. The relay is at
 * the message level, so the hub sees the real client (its name is the audit principal, its
 * elicitation capability drives confirmations) and every request, notification and server → client
 * request passes unchanged. stdout carries only the protocol; logs go to the logger (stderr).
 */
import type { Readable, Writable } from 'node:stream';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { isJSONRPCRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { MCP_PATH } from '../auth/mcp-path.ts';
import { ERROR_CATALOGUE } from '../core/errors.ts';
import type { Logger } from '../log/logger.ts';
import { HubLink, HubRefusedError } from './hub-link.ts';

/** Options of {@link runStdioProxy}; stdin/stdout default to the process's. */
export interface StdioProxyOptions {
  /** The hub's base URL (`http://127.0.0.1:8080`) or its MCP endpoint (`…/mcp`). */
  readonly hubUrl: string;
  readonly logger: Logger;
  /** API token for the hub (LLMIOT_TOKEN), sent as `Authorization: Bearer`. */
  readonly token?: string;
  readonly stdin?: Readable;
  readonly stdout?: Writable;
}

/** The MCP endpoint for a hub URL: `/mcp` is added unless the URL already has a path. */
export function mcpEndpointUrl(hubUrl: string): URL {
  const url = new URL(hubUrl);
  if (url.pathname === '/' || url.pathname === '') url.pathname = MCP_PATH;
  return url;
}

/** Relay until stdin closes; then end the hub session. */
export async function runStdioProxy(options: StdioProxyOptions): Promise<void> {
  const { logger } = options;
  const url = mcpEndpointUrl(options.hubUrl);
  const stdio = new StdioServerTransport(options.stdin, options.stdout);
  const toClient = (message: JSONRPCMessage): void => {
    stdio.send(message).catch((error: unknown) => logger.error({ err: error }, 'writing to stdout failed'));
  };
  const hub = new HubLink(url, { onmessage: toClient }, logger, options.token);
  // One message at a time, in order: initialize must have its session before the next message goes.
  let queue = Promise.resolve();
  stdio.onmessage = (message) => {
    queue = queue.then(() =>
      hub.send(message).catch((error: unknown) => {
        const method = 'method' in message ? message.method : undefined;
        const answer = failureAnswer(url, error, options.token !== undefined);
        if (error instanceof HubRefusedError) logger.warn({ status: error.status, code: answer.code, method }, answer.message);
        else logger.error({ err: error, method }, `hub at ${url.href} did not take the message`);
        if (isJSONRPCRequest(message)) toClient({ jsonrpc: '2.0', id: message.id, error: answer });
      }),
    );
  };
  const stdinClosed = new Promise<void>((resolve) => {
    stdio.onclose = resolve;
    (options.stdin ?? process.stdin).once('end', resolve);
  });
  stdio.onerror = (error) => logger.error({ err: error }, 'stdio message rejected');
  await stdio.start();
  logger.info({ hub: url.href }, 'llm-iot MCP stdio proxy ready');
  await stdinClosed;
  await queue;
  await hub.close();
  await stdio.close();
  logger.info('llm-iot MCP stdio proxy stopped');
}

/** What to set to give the relay a token. */
const TOKEN_HINT = 'set LLMIOT_TOKEN to an API token of the hub (llm-iot token create --role viewer|operator|admin)';

/**
 * The JSON-RPC error a request gets when the hub did not answer it over MCP. The hub refused it
 * (HTTP error status): its own code, message and data, with what to do about the token for a
 * 401/403 challenge. The hub could not be reached (connection refused, DNS, TLS): -32603 "unreachable".
 */
export function failureAnswer(url: URL, error: unknown, hasToken: boolean): { code: number; message: string; data?: unknown } {
  if (error instanceof HubRefusedError) {
    const scope = error.status === 403 && /error="insufficient_scope"/.test(error.challenge ?? '');
    const fallback = error.status === 401 ? ERROR_CATALOGUE.UNAUTHENTICATED.rpc : scope ? ERROR_CATALOGUE.FORBIDDEN.rpc : ERROR_CATALOGUE.INTERNAL_ERROR.rpc;
    let hint = '';
    if (error.status === 401) hint = hasToken ? `; the token in LLMIOT_TOKEN is unknown, expired or revoked: ${TOKEN_HINT}` : `; no token was sent: ${TOKEN_HINT}`;
    else if (scope) hint = `; the token in LLMIOT_TOKEN has too low a role for this: set LLMIOT_TOKEN to a token with the role named`;
    const data = error.error?.data;
    return { code: error.error?.code ?? fallback, message: `llm-iot hub at ${url.href} refused the request: ${error.error?.message ?? `HTTP ${error.status}`}${hint}`, ...(data !== undefined && { data }) };
  }
  if (error instanceof StreamableHTTPError) {
    // The hub answered, but not as MCP expects (a redirect, an unexpected content type, a session it lost twice).
    return { code: ERROR_CATALOGUE.INTERNAL_ERROR.rpc, message: `llm-iot hub at ${url.href} answered unexpectedly: ${error.message}` };
  }
  const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return { code: ERROR_CATALOGUE.INTERNAL_ERROR.rpc, message: `llm-iot hub unreachable at ${url.href}: ${reason}` };
}
