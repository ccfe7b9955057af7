/** What one llm.execute_command did: every tool call with its outcome, in the order the model made them, and the plans awaiting approval. */
import type { RpcErrorObject } from '../core/errors.ts';
import type { ToolOutcome, ToolPlan } from '../tools/tool-runner.ts';

/** One tool call as the caller of llm.execute_command sees it. */
export interface ToolCallRecord {
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
  readonly status: ToolOutcome['status'];
  readonly result?: unknown;
  readonly error?: RpcErrorObject;
  /** Why it was denied or held. */
  readonly reason?: string;
  /** The token of a held call (also in pending_confirmations). */
  readonly confirm_token?: string;
}

/** A planned write, held until a person approves it with llm.confirm. */
export interface PendingConfirmation {
  readonly confirm_token: string;
  readonly plan: ToolPlan;
  readonly reason: string;
}

type Entry = { readonly tool: string; readonly arguments: Record<string, unknown>; outcome?: ToolOutcome };

export class ToolJournal {
  /** By tool call id: steps in sequence, and within a step in the model's order (see arrange). */
  readonly #entries = new Map<string, Entry>();

  started(toolCallId: string, tool: string, args: Record<string, unknown>): void {
    this.#entries.set(toolCallId, { tool, arguments: args });
  }

  finished(toolCallId: string, outcome: ToolOutcome): void {
    const entry = this.#entries.get(toolCallId);
    if (entry) entry.outcome = outcome;
  }

  /** A call that never reached the hub (unknown tool, unparsable or non-object input). */
  rejected(toolCallId: string, tool: string, args: Record<string, unknown>, error: RpcErrorObject): void {
    if (!this.#entries.has(toolCallId)) this.#entries.set(toolCallId, { tool, arguments: args, outcome: { status: 'error', error } });
  }

  /** Put one step's calls in the order the model listed them (they may have started in any order). */
  arrange(toolCallIds: readonly string[]): void {
    for (const id of toolCallIds) {
      const entry = this.#entries.get(id);
      if (entry === undefined) continue;
      this.#entries.delete(id);
      this.#entries.set(id, entry);
    }
  }

  has(toolCallId: string): boolean {
    return this.#entries.has(toolCallId);
  }

  get size(): number {
    return this.#entries.size;
  }

  toolCalls(): ToolCallRecord[] {
    return [...this.#entries.values()].map(({ tool, arguments: args, outcome }): ToolCallRecord => {
      // A call still running when the loop failed (step timeout): its outcome is in the audit log.
      if (outcome === undefined) return { tool, arguments: args, status: 'error', error: { code: -32603, message: 'unfinished when the command ended; see audit.list' } };
      switch (outcome.status) {
        case 'ok':
          return { tool, arguments: args, status: 'ok', result: outcome.result };
        case 'error':
          return { tool, arguments: args, status: 'error', error: outcome.error };
        case 'denied':
          return { tool, arguments: args, status: 'denied', reason: outcome.reason };
        case 'confirmation_required':
          return { tool, arguments: args, status: 'confirmation_required', reason: outcome.reason, confirm_token: outcome.confirm_token };
      }
    });
  }

  pendingConfirmations(): PendingConfirmation[] {
    return [...this.#entries.values()].flatMap(({ outcome }) =>
      outcome?.status === 'confirmation_required' ? [{ confirm_token: outcome.confirm_token, plan: outcome.plan, reason: outcome.reason }] : [],
    );
  }

  /** "device_list ok, sensor_read ok ×3, batch_execute confirmation_required" — for answers the model could not finish. */
  summary(): string {
    const counts = new Map<string, number>();
    for (const call of this.toolCalls()) {
      const key = `${call.tool} ${call.status}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    if (counts.size === 0) return 'no tool was called';
    return [...counts].map(([key, n]) => (n === 1 ? key : `${key} ×${n}`)).join(', ');
  }
}
