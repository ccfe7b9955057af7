/** McpHub: what the MCP server needs from a hub — the tool runner and the services behind it. A `Hub` satisfies it. */
import type { HubServices } from '../app/services.ts';
import type { ToolRunner } from '../tools/tool-runner.ts';

export interface McpHub {
  /** Tools, actuation policy, confirmation tokens and audit log (shared with llm.execute_command). */
  readonly tools: ToolRunner;
  /** Registry, cache, telemetry store, event bus and `invoke` for resources and prompts. */
  readonly services: HubServices;
}
