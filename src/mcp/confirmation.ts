/**
 * Confirm-first calls over MCP. When the client declared form elicitation (MCP 2025-11-25
 * client/elicitation), the hub asks the user directly — `elicitation/create` with the plan and a
 * single boolean — and runs or drops the held call. Otherwise the plan and its confirm_token go back
 * to the model, which must get the user's approval and call again with the token.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ElicitResultSchema,
  type CallToolResult,
  type ClientCapabilities,
  type ElicitRequestFormParams,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { toRpcErrorObject } from '../core/errors.ts';
import type { Logger } from '../log/logger.ts';
import type { ToolCaller, ToolOutcome, ToolRunner } from '../tools/tool-runner.ts';
import { describePlan } from './plan-text.ts';
import { confirmationResult, declinedResult, errorResult, outcomeResult } from './tool-results.ts';

type Held = Extract<ToolOutcome, { status: 'confirmation_required' }>;

/** As long as a confirmation token lives: a person may take a while to answer. */
const ELICITATION_TIMEOUT_MS = 5 * 60_000;

/** The form: one boolean the user must set to run the plan. */
export const CONFIRM_FORM: ElicitRequestFormParams['requestedSchema'] = {
  type: 'object',
  properties: {
    confirm: { type: 'boolean', title: 'Run this action', description: 'Approve sending this command to the devices listed.', default: false },
  },
  required: ['confirm'],
};

/** An empty `elicitation: {}` means form mode (2025-06-18 clients); `{url: {}}` alone means URL mode only. */
export function supportsFormElicitation(capabilities: ClientCapabilities | undefined): boolean {
  const elicitation = capabilities?.elicitation;
  if (elicitation === undefined) return false;
  return elicitation.form !== undefined || elicitation.url === undefined;
}

/** What settling a held call needs: the session's server, the request being answered, the runner and the caller. */
export interface ConfirmationContext {
  readonly server: Server;
  readonly extra: RequestHandlerExtra<ServerRequest, ServerNotification>;
  readonly tools: ToolRunner;
  readonly caller: ToolCaller;
  readonly logger: Logger;
}

/** Turn a confirmation_required outcome into the tools/call result: ask the user (elicitation) or hand back the token. */
export async function settleHeldCall(held: Held, context: ConfirmationContext): Promise<CallToolResult> {
  const { server, extra, tools, caller, logger } = context;
  if (!supportsFormElicitation(server.getClientCapabilities())) return confirmationResult(held);
  let answer;
  try {
    // Sent through `extra` so that over Streamable HTTP it rides the tools/call response stream.
    answer = await extra.sendRequest(
      { method: 'elicitation/create', params: { mode: 'form', message: confirmationMessage(held), requestedSchema: CONFIRM_FORM } },
      ElicitResultSchema,
      { timeout: ELICITATION_TIMEOUT_MS },
    );
  } catch (error) {
    // The client could not ask (timeout, transport gone): the token is still live, so fall back to the model.
    logger.warn({ err: error, tool: held.plan.tool, principal: caller.principal }, 'MCP elicitation failed; returning the confirm_token instead');
    return confirmationResult(held);
  }
  if (answer.action !== 'accept' || answer.content?.['confirm'] !== true) {
    logger.info({ tool: held.plan.tool, principal: caller.principal, action: answer.action }, 'MCP user declined a held tool call');
    await tools.decline(held.confirm_token, caller);
    return declinedResult(held.plan, answer.action);
  }
  try {
    const outcome = await tools.confirm(held.confirm_token, caller);
    if (outcome.status === 'confirmation_required') return confirmationResult(outcome);
    return outcomeResult(outcome, false);
  } catch (error) {
    return errorResult(toRpcErrorObject(error));
  }
}

function confirmationMessage(held: Held): string {
  return [`An AI assistant asks to run this on your devices (${held.reason}):`, describePlan(held.plan), 'Approve?'].join('\n\n');
}
