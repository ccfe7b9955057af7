/** A tool: one JSON-RPC method as an LLM sees it (MCP and llm.execute_command share the same list). */
import type { Role } from '../core/principal.ts';
import type { MethodKind } from '../rpc/method.ts';

export type JsonSchemaObject = { type: 'object'; properties?: Record<string, unknown>; required?: string[]; [key: string]: unknown };

export interface ToolDefinition {
  /** Method name with dots as underscores (`sensor_read`): valid for MCP, Anthropic and OpenAI tool names. */
  readonly name: string;
  /** The JSON-RPC method it calls. */
  readonly method: string;
  readonly title: string;
  /** Method summary and description, plus the live fleet context (devices, zones, models, measurements). */
  readonly description: string;
  readonly kind: MethodKind;
  /** The least role that may call it (the method's role). */
  readonly role: Role;
  readonly inputSchema: JsonSchemaObject;
  readonly outputSchema?: JsonSchemaObject;
  /** MCP tool annotations (hints for clients; the hub's policy is what enforces). */
  readonly annotations: {
    readonly title: string;
    readonly readOnlyHint: boolean;
    readonly destructiveHint: boolean;
    readonly idempotentHint: boolean;
    readonly openWorldHint: boolean;
  };
}

export const toolName = (method: string): string => method.replaceAll('.', '_');
