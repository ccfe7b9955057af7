/**
 * Approvals: a confirm-first action held until a logged-in person approves or declines it. Each one
 * is bound to the principal that asked, expires, and keeps what came of it (docs/llm.md).
 */
import type { PrincipalKind, Role } from './principal.ts';

export const APPROVAL_STATUSES = ['pending', 'approved', 'declined', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** Who asked for the action (never the one who may approve it). */
export interface ApprovalRequester {
  readonly principal: string;
  readonly kind: PrincipalKind;
  readonly role?: Role;
  readonly client?: string;
  /** The path the call came through: MCP or llm.execute_command. */
  readonly via: 'mcp' | 'llm';
}

/** What the action would do: in words, on which devices, with which arguments. */
export interface ApprovalPlan {
  readonly summary: string;
  /** Device UUIDs the action targets. */
  readonly targets: readonly string[];
  /** The tool's arguments, as the action will run them. */
  readonly params: Record<string, unknown>;
}

/** What happened once approved: the tool's outcome and the commands it sent. */
export interface ApprovalOutcome {
  readonly status: 'succeeded' | 'failed' | 'denied';
  readonly command_ids?: readonly string[];
  readonly error?: { code: number; message: string; data?: unknown };
  readonly result?: unknown;
}

export interface Approval {
  readonly id: string;
  readonly status: ApprovalStatus;
  /** ms since epoch. */
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly requestedBy: ApprovalRequester;
  /** The least role the person who decides must hold: the action's own role. */
  readonly roleRequired: Role;
  /** The tool name (`configure_device`). */
  readonly tool: string;
  readonly plan: ApprovalPlan;
  /** The audit chain the held call started (audit.chain). */
  readonly chainId: string;
  readonly decidedBy?: { readonly principal: string; readonly role: Role };
  readonly decidedAt?: number;
  readonly reason?: string;
  readonly outcome?: ApprovalOutcome;
}

export interface ApprovalFilter {
  /** Default: every status. */
  readonly status?: ApprovalStatus;
  /** Newest first; default 100. */
  readonly limit?: number;
}
