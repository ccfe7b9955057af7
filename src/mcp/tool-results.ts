/**
 * ToolOutcome → MCP CallToolResult. Failures of the call itself are tool execution errors
 * (`isError: true`, MCP 2025-11-25 server/tools §Error Handling) so the model sees and can act on
 * them; actions awaiting a person's approval and declined ones are ordinary results that say plainly
 * whether anything ran.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { codeForRpc, type RpcErrorObject } from '../core/errors.ts';
import type { Approval } from '../core/approval.ts';
import type { ToolOutcome } from '../tools/tool-runner.ts';
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

/** Held for a person: the plan and the approvals page; nothing ran yet. */
export function pendingApprovalResult(held: Held, url: string): CallToolResult {
  const expires = new Date(held.approval.expiresAt).toISOString();
  const text = [
    `Not executed yet: ${held.plan.tool} needs a person's approval (${held.reason}).`,
    describePlan(held.plan),
    `A logged-in person must approve it at ${url} before ${expires}; it then runs by itself. Show the user this link. Do not call ${held.plan.tool} again for it and do not say it was done.`,
  ].join('\n\n');
  return {
    content: [{ type: 'text', text }],
    structuredContent: { status: 'approval_required', executed: false, approval_id: held.approval.id, approval_url: url, expires_at: expires, reason: held.reason, plan: { ...held.plan } },
  };
}

/** A decided (or still pending) approval as the result of the call that waited for it. */
export function approvalOutcomeResult(approval: Approval, url: string): CallToolResult {
  const base = { approval_id: approval.id, approval_url: url, approval_status: approval.status };
  if (approval.status === 'pending') {
    return {
      content: [{ type: 'text', text: `Still waiting for a person's approval at ${url}. Nothing ran yet; do not call the tool again for it.` }],
      structuredContent: { status: 'approval_required', executed: false, ...base },
    };
  }
  if (approval.status !== 'approved' || approval.outcome === undefined) {
    const how = approval.status === 'expired' ? 'the approval expired' : `it was declined${approval.reason !== undefined ? ` (${approval.reason})` : ''}`;
    return {
      content: [{ type: 'text', text: `Not executed: ${how}. ${approval.tool} was not sent to any device. Do not retry unless the user asks again.` }],
      structuredContent: { status: approval.status, executed: false, ...base },
    };
  }
  const { outcome } = approval;
  const by = approval.decidedBy?.principal ?? 'a person';
  if (outcome.status === 'succeeded') {
    return {
      content: [{ type: 'text', text: `Approved by ${by} and executed.\n\n${json(outcome.result ?? null)}` }],
      structuredContent: { status: 'ok', executed: true, ...base, command_ids: [...(outcome.command_ids ?? [])], result: outcome.result ?? null },
    };
  }
  const error = outcome.error ?? { code: -32603, message: 'failed' };
  const failed = errorResult(error);
  return {
    isError: true,
    content: [{ type: 'text', text: `Approved by ${by}, but it did not run to success (${outcome.status}).` }, ...failed.content],
    structuredContent: { status: outcome.status, executed: false, ...base, error },
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
