/** tools/list and tools/call: the hub's ToolRunner as MCP tools (listed from our JSON Schemas, no zod). */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { ROLE_SCOPE } from '../core/principal.ts';
import type { Logger } from '../log/logger.ts';
import type { ActuationPolicy } from '../tools/actuation-policy.ts';
import type { ToolDefinition } from '../tools/tool-definition.ts';
import type { ToolCaller } from '../tools/tool-runner.ts';
import { settleHeldCall } from './confirmation.ts';
import type { McpHub } from './mcp-hub.ts';
import { advertisedOutputSchema } from './output-schema.ts';
import { takeToolCallArguments, toolCallArguments } from './tool-call-arguments.ts';
import { outcomeResult } from './tool-results.ts';

/** A ToolDefinition as an MCP Tool (output schema only when the policy always allows the tool). */
export function toMcpTool(tool: ToolDefinition, policy: ActuationPolicy): Tool {
  const outputSchema = advertisedOutputSchema(tool, policy);
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    // Plain JSON Schema objects: properties are schemas (objects), which the SDK type spells out.
    inputSchema: tool.inputSchema as Tool['inputSchema'],
    ...(outputSchema !== undefined && { outputSchema: outputSchema as NonNullable<Tool['outputSchema']> }),
    annotations: { ...tool.annotations },
    // The least role (and its OAuth scope) that may call the tool.
    _meta: { ...tool.meta, 'llm-iot/role': tool.role, 'llm-iot/scope': ROLE_SCOPE[tool.role] },
  };
}

/** Register tools/list and tools/call on a session's server. */
export function registerToolHandlers(server: Server, hub: McpHub, caller: () => ToolCaller, logger: Logger, baseUrl?: string): void {
  // Only the tools the session's principal may call: a viewer is never offered a write.
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: hub.tools.tools(caller().principal).map((t) => toMcpTool(t, hub.tools.policy)) }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name } = request.params;
    const args = toolCallArguments(extra, request.params.arguments);
    const tool = hub.tools.tool(name);
    // MCP 2025-11-25 server/tools §Error Handling: an unknown tool is a protocol error (-32602).
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
    const who = caller();
    const outcome = await hub.tools.call(name, args, who);
    if (outcome.status === 'confirmation_required') return settleHeldCall(outcome, { server, extra, tools: hub.tools, caller: who, logger, ...(baseUrl !== undefined && { baseUrl }) });
    return outcomeResult(outcome, advertisedOutputSchema(tool, hub.tools.policy) !== undefined);
  });
  takeToolCallArguments(server);
}
