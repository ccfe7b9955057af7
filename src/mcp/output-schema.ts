/**
 * Which tools advertise an `outputSchema` over MCP. MCP 2025-11-25 server/tools §Output Schema: when a
 * tool has one, every non-error result MUST carry conforming `structuredContent` (the SDK's Client
 * throws otherwise). A tool the policy may hold for confirmation answers a non-error plan instead of
 * the method's result, so only tools the policy always allows advertise their schema.
 */
import type { MethodKind } from '../rpc/method.ts';
import type { ActuationPolicy } from '../tools/actuation-policy.ts';
import type { JsonSchemaObject, ToolDefinition } from '../tools/tool-definition.ts';

const KINDS: readonly MethodKind[] = ['read', 'write', 'destructive'];

/** True when no default or rule could answer anything but `allow` for this tool, whatever its targets. */
export function alwaysAllowed(tool: ToolDefinition, policy: ActuationPolicy): boolean {
  // batch.execute takes the kind of the command it runs, which may rank above its own.
  const kinds = tool.method === 'batch.execute' ? KINDS.slice(KINDS.indexOf(tool.kind)) : [tool.kind];
  return kinds.every(
    (kind) =>
      policy.defaults[kind] === 'allow' &&
      !policy.rules.some(
        (rule) =>
          rule.action !== 'allow' &&
          (rule.kind === undefined || rule.kind === kind) &&
          (rule.tools === undefined || rule.tools.includes(tool.name) || rule.tools.includes(tool.method)),
      ),
  );
}

/** The output schema to advertise, if any. */
export function advertisedOutputSchema(tool: ToolDefinition, policy: ActuationPolicy): JsonSchemaObject | undefined {
  return tool.outputSchema !== undefined && alwaysAllowed(tool, policy) ? tool.outputSchema : undefined;
}
