/** The pieces of a tool call's record: how the audit names it, the approval page's summary line, the role a tool needs. */
import { HubError, type RpcErrorObject } from '../core/errors.ts';
import { checkJsonLimits } from '../core/json-limits.ts';
import { roleAtLeast, type Principal } from '../core/principal.ts';
import type { ToolDefinition, ToolRoute } from './tool-definition.ts';
import type { ToolPlan } from './tool-runner.ts';

/** How an audit entry names a tool call: the tool, and the JSON-RPC method it ran or would have run. */
export interface AuditedCall {
  readonly name: string;
  readonly method: string;
}

/** A routed call: the method its arguments route to (configure_device → sensor.configure or mcu.set_config). */
export const routedCall = (tool: ToolDefinition, route: ToolRoute): AuditedCall => ({ name: tool.name, method: route.method });

/** A call refused while routing: the method the refusal names (run_command reboot → mcu.reboot), else the tool's own. */
export function refusedCall(tool: ToolDefinition, error: RpcErrorObject): AuditedCall {
  const named = (error.data as { method?: unknown } | undefined)?.method;
  return { name: tool.name, method: typeof named === 'string' ? named : tool.method };
}

/** One line for the approvals page: action, effect, devices. */
export function summarize(plan: ToolPlan, reason: string): string {
  const effect = plan.kind === 'destructive' ? 'destructive action' : plan.kind === 'write' ? 'change of device state' : 'read';
  const names = plan.devices.slice(0, 5).map((d) => d.hardware_id);
  const devices = plan.devices.length === 0 ? 'no device resolved from the arguments' : `${plan.devices.length} device(s): ${names.join(', ')}${plan.devices.length > 5 ? ', …' : ''}`;
  return `${plan.tool} (${plan.method}), a ${effect} on ${devices}; held because: ${reason}`;
}

/** The command id a failed command's error names, if any. */
export function commandIdsOf(error: RpcErrorObject): string[] {
  const data = error.data as { command_id?: unknown } | undefined;
  return typeof data?.command_id === 'string' ? [data.command_id] : [];
}

/** The role a tool needs against the principal's (a device never calls tools). */
export function mayCall(principal: Principal, tool: ToolDefinition): boolean {
  return principal.kind !== 'device' && roleAtLeast(principal.role, tool.role);
}

export function forbidden(tool: Pick<ToolDefinition, 'name' | 'role' | 'method'>, principal: Principal): HubError {
  return new HubError('FORBIDDEN', `Forbidden: ${tool.name} needs the ${tool.role} role; ${principal.id} has ${principal.role ?? 'none'}`, {
    method: tool.method,
    required_role: tool.role,
    role: principal.role ?? null,
  });
}

/** Arguments as the audit log keeps them: beyond the JSON limits (stores serialize them), the issue instead. */
export function auditable(args: Record<string, unknown>): Record<string, unknown> {
  const issue = checkJsonLimits(args);
  return issue === undefined ? args : { refused_arguments: issue };
}
