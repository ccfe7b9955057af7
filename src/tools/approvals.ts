/**
 * Approvals: confirm-first actions held in the store until a logged-in person decides. Only a user
 * of a browser session (principal kind `user`, over HTTP or WebSocket) whose role reaches the
 * action's may decide, and never the principal that asked: an API token, an MCP or OIDC client or
 * the LLM itself cannot approve its own action (docs/llm.md, docs/security.md).
 */
import { v7 as uuidv7 } from 'uuid';
import type { Approval, ApprovalOutcome, ApprovalPlan, ApprovalRequester, ApprovalStatus } from '../core/approval.ts';
import { HubError } from '../core/errors.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { ApprovalStore } from '../core/ports/approval-store.ts';
import { roleAtLeast, type Role } from '../core/principal.ts';
import type { CallContext } from '../rpc/method.ts';

/** Default time a person has to decide. */
export const DEFAULT_APPROVAL_TTL_MS = 15 * 60_000;

/** The dashboard's route for one approval (src/web): `{public base}/#/approvals/{id}`. */
export function approvalUrl(id: string, base: string | undefined): string {
  return `${(base ?? '').replace(/\/+$/, '')}/#/approvals/${encodeURIComponent(id)}`;
}

export interface ApprovalsOptions {
  readonly store: ApprovalStore;
  readonly events: EventBus;
  readonly now: () => number;
  readonly ttlMs?: number;
  /** The hub's address as people reach it (--public-url), for approval links. */
  readonly publicUrl?: string;
}

export interface NewApproval {
  readonly requestedBy: ApprovalRequester;
  readonly roleRequired: Role;
  readonly tool: string;
  readonly plan: ApprovalPlan;
  readonly chainId: string;
}

/** Runs an approved action (the ToolRunner); its outcome is kept on the approval. */
export type ApprovedAction = (approval: Approval, decider: { principal: string; role: Role }) => Promise<ApprovalOutcome>;

/** How often a waiting MCP call looks at the store for a decision made on another hub instance. */
const SETTLE_POLL_MS = 2000;

const DECIDING_TRANSPORTS = new Set<CallContext['transport']>(['http', 'websocket']);

export class Approvals {
  readonly #o: ApprovalsOptions;
  #execute: ApprovedAction | undefined;

  constructor(options: ApprovalsOptions) {
    this.#o = options;
  }

  /** Who runs approved actions (set once by the ToolRunner). */
  onApproved(execute: ApprovedAction): void {
    this.#execute = execute;
  }

  get ttlMs(): number {
    return this.#o.ttlMs ?? DEFAULT_APPROVAL_TTL_MS;
  }

  /** The approval page's address; `base` when no --public-url is set (the MCP request's own origin). */
  url(id: string, base?: string): string {
    return approvalUrl(id, this.#o.publicUrl ?? base);
  }

  async create(request: NewApproval): Promise<Approval> {
    const now = this.#o.now();
    const approval: Approval = {
      id: uuidv7(),
      status: 'pending',
      createdAt: now,
      expiresAt: now + this.ttlMs,
      requestedBy: request.requestedBy,
      roleRequired: request.roleRequired,
      tool: request.tool,
      plan: request.plan,
      chainId: request.chainId,
    };
    await this.#o.store.create(approval);
    this.#changed(approval);
    return approval;
  }

  async get(id: string): Promise<Approval> {
    await this.#expire();
    const approval = await this.#o.store.get(id);
    if (approval === undefined) throw new HubError('APPROVAL_NOT_FOUND', `approval not found: ${id}`, { approval_id: id });
    return approval;
  }

  async list(status: ApprovalStatus | 'all', limit: number): Promise<Approval[]> {
    await this.#expire();
    return this.#o.store.list({ ...(status !== 'all' && { status }), limit });
  }

  /**
   * A person's decision. Approve runs the action now (as the principal that asked, inside its role,
   * the policy and the envelopes) and returns the approval with its outcome.
   */
  async decide(id: string, decision: 'approve' | 'decline', reason: string | undefined, context: CallContext): Promise<Approval> {
    const approval = await this.get(id);
    const decider = this.#checkDecider(approval, context);
    if (approval.status !== 'pending') {
      throw new HubError('APPROVAL_NOT_PENDING', `approval ${id} is ${approval.status}, not pending`, { approval_id: id, status: approval.status });
    }
    const decided: Approval = {
      ...approval,
      status: decision === 'approve' ? 'approved' : 'declined',
      decidedBy: decider,
      decidedAt: this.#o.now(),
      ...(reason !== undefined && { reason }),
    };
    if (!(await this.#o.store.update(decided, 'pending'))) {
      const now = await this.#o.store.get(id);
      throw new HubError('APPROVAL_NOT_PENDING', `approval ${id} was decided meanwhile (${now?.status ?? 'gone'})`, { approval_id: id, status: now?.status ?? null });
    }
    this.#changed(decided);
    if (decision === 'decline') return decided;
    const execute = this.#execute;
    const outcome: ApprovalOutcome =
      execute === undefined ? { status: 'failed', error: { code: -32603, message: 'no runner for approved actions' } } : await execute(decided, decider);
    const done: Approval = { ...decided, outcome };
    await this.#o.store.update(done, 'approved');
    this.#changed(done);
    return done;
  }

  /**
   * The principal that asked withdraws its own pending request (its MCP client's user declined the
   * approval page): declined, nothing runs. The safe direction, so no person is needed.
   */
  async withdraw(id: string, requester: string): Promise<Approval> {
    const approval = await this.get(id);
    if (approval.requestedBy.principal !== requester) throw new HubError('FORBIDDEN', `Forbidden: only ${approval.requestedBy.principal} may withdraw approval ${id}`);
    if (approval.status !== 'pending') throw new HubError('APPROVAL_NOT_PENDING', `approval ${id} is ${approval.status}, not pending`, { approval_id: id, status: approval.status });
    const withdrawn: Approval = {
      ...approval,
      status: 'declined',
      decidedAt: this.#o.now(),
      reason: 'withdrawn by the requesting client',
      ...(approval.requestedBy.role !== undefined && { decidedBy: { principal: requester, role: approval.requestedBy.role } }),
    };
    if (!(await this.#o.store.update(withdrawn, 'pending'))) return this.get(id);
    this.#changed(withdrawn);
    return withdrawn;
  }

  /**
   * Wait until approval `id` is decided and (when approved) has its outcome, or `timeoutMs` pass, or
   * `signal` aborts. Resolves the approval as it then is.
   */
  async settled(id: string, timeoutMs: number, signal?: AbortSignal): Promise<Approval> {
    const done = (a: Approval): boolean => a.status === 'declined' || a.status === 'expired' || (a.status === 'approved' && a.outcome !== undefined);
    const current = await this.get(id);
    if (done(current)) return current;
    return new Promise<Approval>((resolve) => {
      let finished = false;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        off();
        clearTimeout(timer);
        clearInterval(poll);
        signal?.removeEventListener('abort', finish);
        void this.get(id).then(resolve, () => resolve(current));
      };
      // This instance's decisions arrive as events; another hub instance's (scaled out) through the shared store.
      const off = this.#o.events.on('approval.changed', ({ approval }) => approval.id === id && done(approval) && finish());
      const poll = setInterval(() => void this.#o.store.get(id).then((a) => a !== undefined && done(a) && finish(), () => undefined), SETTLE_POLL_MS);
      poll.unref?.();
      const timer = setTimeout(finish, Math.max(0, Math.min(timeoutMs, approvalLeft(current, this.#o.now()))));
      timer.unref?.();
      signal?.addEventListener('abort', finish);
    });
  }

  #checkDecider(approval: Approval, context: CallContext): { principal: string; role: Role } {
    const principal = context.principal;
    const refuse = (why: string): never => {
      throw new HubError('FORBIDDEN', `Forbidden: approval ${approval.id} needs a logged-in person with the ${approval.roleRequired} role; ${why}`, {
        required_role: approval.roleRequired,
        role: principal?.role ?? null,
        principal: principal?.id ?? null,
      });
    };
    if (principal === undefined) return refuse('the call carries no person');
    if (principal.kind !== 'user' || !DECIDING_TRANSPORTS.has(context.transport)) {
      return refuse(`${principal.id} is a ${principal.kind} principal over ${context.transport}: tokens, MCP and OIDC clients and LLMs cannot approve`);
    }
    if (principal.id === approval.requestedBy.principal) return refuse(`${principal.id} asked for this action and cannot approve it itself`);
    if (!roleAtLeast(principal.role, approval.roleRequired)) return refuse(`${principal.id} has ${principal.role ?? 'no role'}`);
    return { principal: principal.id, role: principal.role as Role };
  }

  async #expire(): Promise<void> {
    for (const approval of await this.#o.store.expire(this.#o.now())) this.#changed(approval);
  }

  #changed(approval: Approval): void {
    this.#o.events.emit('approval.changed', { approval });
  }
}

function approvalLeft(approval: Approval, now: number): number {
  return approval.expiresAt - now + 1;
}
