/** Audit entries: every action an LLM (through MCP or llm.execute_command) asked for, and what came of it. */

export const AUDIT_OUTCOMES = ['succeeded', 'failed', 'denied', 'confirmation_required', 'declined'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export interface AuditEntry {
  readonly id: string;
  /** ms since epoch. */
  readonly at: number;
  /** Who: the MCP session / client name, or the llm.execute_command caller. */
  readonly principal: string;
  /** Which path the call came through. */
  readonly via: 'mcp' | 'llm';
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
  /** The policy decision: allow, confirm (and whether it was confirmed), deny. */
  readonly decision: 'allow' | 'confirm' | 'deny';
  readonly outcome: AuditOutcome;
  readonly error?: { code: number; message: string };
  /** Devices the call targeted. */
  readonly deviceIds: readonly string[];
}

export interface AuditFilter {
  readonly since?: number;
  readonly tool?: string;
  readonly principal?: string;
  readonly outcome?: AuditOutcome;
  /** Newest first; default 100. */
  readonly limit?: number;
}
