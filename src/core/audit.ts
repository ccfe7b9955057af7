/**
 * Audit entries: every action an LLM (through MCP or llm.execute_command) asked for, and every write
 * or destructive call by any other principal (HTTP, WebSocket), and what came of it.
 */
import type { Role } from './principal.ts';

export const AUDIT_VIAS = ['mcp', 'llm', 'http', 'websocket', 'mqtt', 'internal'] as const;
export type AuditVia = (typeof AUDIT_VIAS)[number];

export const AUDIT_OUTCOMES = ['succeeded', 'failed', 'denied', 'confirmation_required', 'declined'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export interface AuditEntry {
  readonly id: string;
  /** ms since epoch. */
  readonly at: number;
  /** Who: the principal's id (`token:<id>`, `local`, …). */
  readonly principal: string;
  /** The principal's role when it acted. */
  readonly role?: Role;
  /** Which program, for the record: the MCP client and session, or the remote address. */
  readonly client?: string;
  /** Which path the call came through. */
  readonly via: AuditVia;
  /**
   * The tool (MCP, LLM: `configure_device`); for a JSON-RPC call over another transport, its method in
   * the tools' spelling (`sensor_configure`), as entries have always named it.
   */
  readonly tool: string;
  /**
   * The JSON-RPC method the call ran, or would have run (`sensor.configure`): the method a verb tool
   * routed to, or the method called. A verb tool call and the same action over JSON-RPC name the same
   * method, so one filter finds both. Absent from entries written before it was recorded.
   */
  readonly method?: string;
  readonly arguments: Record<string, unknown>;
  /** The policy decision: allow, confirm (and whether it was confirmed), deny. */
  readonly decision: 'allow' | 'confirm' | 'deny';
  readonly outcome: AuditOutcome;
  readonly error?: { code: number; message: string };
  /** Devices the call targeted. */
  readonly deviceIds: readonly string[];
  /** The audit chain the entry belongs to: one LLM tool call, its approval, its commands (audit.chain). */
  readonly chainId?: string;
  /** The approval that let it run, or that holds it. */
  readonly approvalId?: string;
  /** The grant for a task that let it run without asking. */
  readonly grantId?: string;
  /** Commands the call sent to devices. */
  readonly commandIds?: readonly string[];
}

export interface AuditFilter {
  readonly since?: number;
  /**
   * Entries of this tool or JSON-RPC method, in either spelling: `configure_device` (the tool),
   * `sensor.configure` or `sensor_configure` (the method: JSON-RPC calls of it and tool calls that ran it).
   */
  readonly tool?: string;
  /**
   * Entries of this JSON-RPC method (`sensor.configure`), whether a verb tool or a JSON-RPC call ran
   * it; an entry written before methods were recorded matches by its tool name (`sensor_configure`).
   */
  readonly method?: string;
  readonly principal?: string;
  readonly outcome?: AuditOutcome;
  /** Only the entries of one audit chain. */
  readonly chainId?: string;
  /** Newest first; default 100. */
  readonly limit?: number;
}
