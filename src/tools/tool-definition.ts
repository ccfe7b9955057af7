/** A tool as an LLM sees it (MCP and llm.execute_command share the same list), and the call its arguments route to. */
import type { Role } from '../core/principal.ts';
import type { HubServices } from '../app/services.ts';
import type { MethodKind } from '../rpc/method.ts';
import type { MethodRegistry } from '../rpc/method-registry.ts';

export type JsonSchemaObject = { type: 'object'; properties?: Record<string, unknown>; required?: string[]; [key: string]: unknown };

/** Calls a JSON-RPC method as the tool's caller (role checks, params validation, metrics). */
export type Invoke = (method: string, params: Record<string, unknown>) => Promise<unknown>;

/** What one call of a tool means: the JSON-RPC method the policy judges and the params it runs with. */
export interface ToolRoute {
  readonly method: string;
  /** The effective kind (run_command reboot is destructive, get_status a read). */
  readonly kind: MethodKind;
  /** The method's params; their ids and filter are the call's targets. */
  readonly params: Record<string, unknown>;
  /** Tools that answer from several calls (find_devices, query_telemetry): runs instead of invoking `method`. */
  readonly run?: (invoke: Invoke) => Promise<unknown>;
}

export interface RouteEnv {
  readonly services: HubServices;
  readonly methods: MethodRegistry;
}

export interface ToolDefinition {
  /** `^[a-zA-Z0-9_-]{1,64}$`: valid for MCP, Anthropic and OpenAI tool names. */
  readonly name: string;
  /** The JSON-RPC method it calls for most arguments (`route` says which for a given call). */
  readonly method: string;
  readonly title: string;
  /** What it does; never fleet contents, so the list stays the same whatever the fleet holds. */
  readonly description: string;
  /** The highest kind its calls can have (annotations); each call's own kind comes from `route`. */
  readonly kind: MethodKind;
  /** The least role that may call it; a routed method may need more. */
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
  /** Extra MCP `_meta` (the MCP App a tool's result opens in). */
  readonly meta?: Record<string, unknown>;
  /** The call these (schema-valid) arguments mean, checked against the target device; throws HubError when they do not fit it. */
  readonly route: (args: Record<string, unknown>, env: RouteEnv) => ToolRoute;
}

export const toolName = (method: string): string => method.replaceAll('.', '_');
