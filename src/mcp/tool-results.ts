/**
 * ToolOutcome → MCP CallToolResult. Failures of the call itself are tool execution errors
 * (`isError: true`, MCP 2025-11-25 server/tools §Error Handling) so the model sees and can act on
 * them; plans awaiting a person's approval and declined plans are ordinary results that say plainly
 * nothing ran.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { codeForRpc, type RpcErrorObject } from '../core/errors.ts';
import type { ToolOutcome, ToolPlan } from '../tools/tool-runner.ts';
import { describePlan } from './plan-text.ts';

type Held = Extract<ToolOutcome, { status: 'confirmation_required' }>;

const json = (value: unknown): string => JSON.stringify(value, null, 2);
const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A successful call: the result as JSON text, and as `structuredContent` when the tool advertises an output schema. */
export function okResult(result: unknown, structured: boolean): CallToolResult {
  return {
    content: [{ type: 'text', text: json(result ?? null) }],
    ...(structured && isPlainObject(result) && { structuredContent: result }),
  };
}

/** The method failed: its JSON-RPC error, code named from the catalogue (e.g. DEVICE_NOT_FOUND). */
export function errorResult(error: RpcErrorObject): CallToolResult {
  const name = codeForRpc(error.code);
  const lines = [`Error: ${error.message} (JSON-RPC error ${error.code}${name ? ` ${name}` : ''})`];
  if (error.data !== undefined) lines.push(json(error.data));
  return { isError: true, content: [{ type: 'text', text: lines.join('\n') }] };
}

/** The policy refused the call: nothing ran. */
export function deniedResult(reason: string): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: `Not allowed: ${reason}. The hub's actuation policy refuses this action for an LLM; nothing was sent to any device.` }],
  };
}

/** No elicitation: hand the plan and token back; the model asks the user, then calls again with `confirm_token`. */
export function confirmationResult(held: Held): CallToolResult {
  const text = [
    `Not executed yet: ${held.plan.tool} needs a person's approval (${held.reason}).`,
    describePlan(held.plan),
    `Show this plan to the user. Only if they approve, call ${held.plan.tool} again with exactly the same arguments plus "confirm_token": "${held.confirm_token}". The token is single-use and expires in 5 minutes.`,
  ].join('\n\n');
  return {
    content: [{ type: 'text', text }],
    structuredContent: { status: 'confirmation_required', executed: false, confirm_token: held.confirm_token, reason: held.reason, plan: { ...held.plan } },
  };
}

/** The user said no (or closed the dialog): nothing ran. */
export function declinedResult(plan: ToolPlan, action: 'accept' | 'decline' | 'cancel'): CallToolResult {
  const how = action === 'cancel' ? 'dismissed the confirmation' : 'declined';
  return {
    content: [{ type: 'text', text: `Not executed: the user ${how}. ${plan.tool} was not sent to any device. Do not retry unless the user asks again.` }],
    structuredContent: { status: 'declined', executed: false, tool: plan.tool, user_action: action },
  };
}

/** ok / error / denied, as returned by a call or a confirmed call. */
export function outcomeResult(outcome: Exclude<ToolOutcome, Held>, structured: boolean): CallToolResult {
  switch (outcome.status) {
    case 'ok':
      return okResult(outcome.result, structured);
    case 'error':
      return errorResult(outcome.error);
    case 'denied':
      return deniedResult(outcome.reason);
  }
}
