/** What one llm.execute_command did: every tool call with its outcome, in the order the model made them, and the actions awaiting a person's approval. */
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
  /** The approval holding it (also in pending_approvals). */
  readonly approval_id?: string;
  /** The audit chain of the call (audit.chain). */
  readonly chain_id?: string;
  /** The grant for a task it ran under, without asking. */
  readonly grant_id?: string;
}

/** A planned action, held until a person approves it on the approvals page (approval.decide). */
export interface PendingApproval {
  readonly approval_id: string;
  /** The dashboard's page for it: `{public base}/#/approvals/{id}`. */
  readonly approval_url: string;
  readonly expires_at: string;
  readonly plan: ToolPlan;
  readonly reason: string;
}

type Entry = { readonly tool: string; readonly arguments: Record<string, unknown>; outcome?: ToolOutcome };

export class ToolJournal {
  /** By tool call id: steps in sequence, and within a step in the model's order (see arrange). */
  readonly #entries = new Map<string, Entry>();
  readonly #url: (approvalId: string) => string;

  /** `url`: the approval page of an approval id. */
  constructor(url: (approvalId: string) => string) {
    this.#url = url;
  }

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
      const chain = outcome.chain_id === undefined ? {} : { chain_id: outcome.chain_id };
      switch (outcome.status) {
        case 'ok':
          return { tool, arguments: args, status: 'ok', result: outcome.result, ...chain, ...(outcome.grant_id !== undefined && { grant_id: outcome.grant_id }) };
        case 'error':
          return { tool, arguments: args, status: 'error', error: outcome.error, ...chain };
        case 'denied':
          return { tool, arguments: args, status: 'denied', reason: outcome.reason, ...chain };
        case 'confirmation_required':
          return { tool, arguments: args, status: 'confirmation_required', reason: outcome.reason, approval_id: outcome.approval.id, ...chain };
      }
    });
  }

  pendingApprovals(): PendingApproval[] {
    return [...this.#entries.values()].flatMap(({ outcome }) =>
      outcome?.status === 'confirmation_required'
        ? [
            {
              approval_id: outcome.approval.id,
              approval_url: this.#url(outcome.approval.id),
              expires_at: new Date(outcome.approval.expiresAt).toISOString(),
              plan: outcome.plan,
              reason: outcome.reason,
            },
          ]
        : [],
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
