/**
 * Held calls over MCP: the action waits as an approval that only a logged-in person can decide, on
 * the hub's approvals page. A client that declared URL-mode elicitation (MCP 2025-11-25
 * client/elicitation §URL mode) is asked to open that page (`elicitation/create` mode `url`), and
 * the call stays open until the person decides (then it answers the action's outcome) or the
 * approval expires. Other clients get the page's address in the tool result at once.
 *
 * Form-mode elicitation is not used: any client can answer a form, so an agent could approve its
 * own action. A client's own "decline" of the URL only withdraws its request (the safe direction).
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ElicitResultSchema, type CallToolResult, type ClientCapabilities, type ServerNotification, type ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Approval } from '../core/approval.ts';
import type { Logger } from '../log/logger.ts';
import type { ToolCaller, ToolOutcome, ToolRunner } from '../tools/tool-runner.ts';
import { approvalOutcomeResult, pendingApprovalResult } from './tool-results.ts';

type Held = Extract<ToolOutcome, { status: 'confirmation_required' }>;

/** How long the client may take to show the URL. */
const ELICITATION_TIMEOUT_MS = 60_000;

/** URL mode only when the client says so (`elicitation: {url: {}}`); an empty `elicitation: {}` means form mode alone. */
export function supportsUrlElicitation(capabilities: ClientCapabilities | undefined): boolean {
  return capabilities?.elicitation?.url !== undefined;
}

/** What settling a held call needs: the session's server, the request being answered, the runner and the caller. */
export interface ConfirmationContext {
  readonly server: Server;
  readonly extra: RequestHandlerExtra<ServerRequest, ServerNotification>;
  readonly tools: ToolRunner;
  readonly caller: ToolCaller;
  readonly logger: Logger;
  /** The address the client reached the hub at (when no --public-url is set). */
  readonly baseUrl?: string;
}

/** Turn a held call into the tools/call result: open the approval page through URL elicitation and wait, or hand back its address. */
export async function settleHeldCall(held: Held, context: ConfirmationContext): Promise<CallToolResult> {
  const { server, extra, tools, caller, logger } = context;
  const approvals = tools.approvals;
  const url = approvals.url(held.approval.id, context.baseUrl);
  // URL mode needs an absolute URL: in process with no --public-url there is none to open.
  if (!supportsUrlElicitation(server.getClientCapabilities()) || !/^https?:\/\//.test(url)) return pendingApprovalResult(held, url);
  let answer;
  try {
    // Sent through `extra` so that over Streamable HTTP it rides the tools/call response stream.
    answer = await extra.sendRequest(
      { method: 'elicitation/create', params: { mode: 'url', message: approvalMessage(held), url, elicitationId: held.approval.id } },
      ElicitResultSchema,
      { timeout: ELICITATION_TIMEOUT_MS },
    );
  } catch (error) {
    logger.warn({ err: error, tool: held.plan.tool, principal: caller.principal }, 'MCP URL elicitation failed; returning the approval URL instead');
    return pendingApprovalResult(held, url);
  }
  if (answer.action === 'decline') {
    // The client's user does not want it: the request is withdrawn. No client answer can approve.
    const withdrawn = await approvals.withdraw(held.approval.id, caller.principal.id).catch(() => undefined);
    return withdrawn === undefined ? pendingApprovalResult(held, url) : approvalOutcomeResult(withdrawn, url);
  }
  if (answer.action !== 'accept') return pendingApprovalResult(held, url);
  // Until decided or expired (settled() clamps the wait to the approval's own expiry, on the hub's clock).
  const settled: Approval = await approvals.settled(held.approval.id, approvals.ttlMs, extra.signal);
  if (settled.status !== 'pending') {
    // MCP 2025-11-25 client/elicitation §Completion: tell the client the out-of-band step finished.
    await server.createElicitationCompletionNotifier(held.approval.id)().catch((error: unknown) => logger.debug({ err: error }, 'elicitation complete not delivered'));
  }
  return approvalOutcomeResult(settled, url);
}

function approvalMessage(held: Held): string {
  return `An AI assistant asks to run ${held.plan.tool} on ${held.plan.devices.length} device(s) (${held.reason}). Open the hub's approvals page to approve or decline it as a logged-in person.`;
}
