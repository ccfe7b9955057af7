/** Provider failures (unreachable, refused, timed out, unusable answer) as LLM_PROVIDER_ERROR, keeping what the loop had already done. */
import { AISDKError, APICallError, RetryError } from 'ai';
import { HubError } from '../core/errors.ts';
import type { LlmProvider } from './llm-provider.ts';
import type { ToolJournal } from './tool-journal.ts';

const BODY_EXCERPT = 300;

/**
 * The HubError for a failed generateText, or undefined when the failure is not the provider's (a bug
 * in the hub: the caller rethrows it and the client gets -32603). `data` carries the reason and the
 * tool calls already made, so a failure late in the loop does not hide actions that happened.
 */
export function providerFailure(error: unknown, provider: LlmProvider, journal: ToolJournal, stepTimeoutMs: number): HubError | undefined {
  const reason = describe(error, stepTimeoutMs);
  if (reason === undefined) return undefined;
  const last = RetryError.isInstance(error) ? error.lastError : error;
  const status = APICallError.isInstance(last) ? last.statusCode : undefined;
  return new HubError('LLM_PROVIDER_ERROR', `LLM provider failed: ${provider.id} (${provider.model}): ${reason.text}`, {
    provider: provider.id,
    model: provider.model,
    reason: reason.text,
    ...(status !== undefined && { status }),
    tool_calls: journal.toolCalls(),
    pending_approvals: journal.pendingApprovals(),
  });
}

function describe(error: unknown, stepTimeoutMs: number): { text: string } | undefined {
  if (RetryError.isInstance(error)) {
    const inner = describe(error.lastError, stepTimeoutMs);
    return inner && { text: `${inner.text} (after ${error.errors.length} attempts)` };
  }
  if (APICallError.isInstance(error)) {
    // Connection failures carry no status; their message names the cause (ECONNREFUSED, ENOTFOUND, …).
    if (error.statusCode === undefined) return { text: `cannot reach ${error.url}: ${error.message}` };
    const body = error.responseBody === undefined ? '' : `: ${error.responseBody.slice(0, BODY_EXCERPT)}`;
    const hint = error.statusCode === 401 || error.statusCode === 403 ? ' (check --llm-api-key / LLMIOT_LLM_API_KEY)' : '';
    return { text: `HTTP ${error.statusCode} from ${error.url}${hint}${body}` };
  }
  if (isTimeout(error)) return { text: `no answer within ${stepTimeoutMs} ms for one step (--llm-timeout-ms)` };
  if (AISDKError.isInstance(error)) return { text: `unusable answer: ${error.name}: ${error.message}` };
  return undefined;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}
