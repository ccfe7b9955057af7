/** MCP: the hub as an MCP server over Streamable HTTP (/mcp), in-process, and stdio (`llm-iot mcp`). */
export { McpHttpEndpoint, type McpHttpOptions } from './http-endpoint.ts';
export { connectInProcess, type InProcessOptions } from './in-process.ts';
export type { McpHub } from './mcp-hub.ts';
export { createMcpSession, type McpSession, type McpSessionOptions } from './mcp-session.ts';
export { FLEET_URI, DEVICE_TEMPLATE, TELEMETRY_TEMPLATE, deviceUri, telemetryUri } from './resource-uris.ts';
export { runStdioProxy, type StdioProxyOptions } from './stdio-proxy.ts';
export { SERVER_NAME, serverVersion } from './server-info.ts';
