// The hub's wire shapes the dashboard reads (src/rpc/wire.ts, src/app/*-methods.ts), as far as it uses them.

export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];
export const roleAtLeast = (held: Role, needed: Role): boolean => ROLES.indexOf(held) >= ROLES.indexOf(needed);

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Device {
  readonly device_id: string;
  readonly hardware_id: string;
  readonly device_type: 'mcu' | 'sensor' | 'actuator';
  readonly parent_id: string | null;
  readonly name: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly schema_version: string;
  readonly static_schema: JsonObject;
  readonly dynamic_state: JsonObject;
  readonly tags: string[];
  readonly zone: string | null;
  readonly description: string | null;
  readonly status: 'online' | 'offline' | 'deregistered';
  readonly protocols: string[];
  readonly registered_at: string;
  readonly last_seen: string;
  readonly heartbeat_interval: number | null;
  readonly attached?: string[];
}

export interface FleetSummary {
  readonly total: number;
  readonly by_status: Record<string, number>;
  readonly by_type: Record<string, number>;
  readonly by_protocol: Record<string, number>;
  readonly by_zone: Record<string, number>;
  readonly by_model: Record<string, number>;
}

export interface Reading {
  readonly device_id?: string;
  readonly measurement_type: string;
  readonly value: number | string | boolean | null;
  readonly unit?: string;
  readonly quality?: string;
  readonly timestamp?: string;
}

export interface Series {
  readonly device_id?: string;
  readonly measurement_type: string;
  readonly unit: string | null;
  readonly points: { timestamp: string; value: number | string | boolean | null; count?: number }[];
}

export interface QueryResult {
  readonly series: Series[];
  readonly time_range: { start: string; end: string };
  readonly interval?: string;
  readonly device_count: number;
}

export type CommandState = 'pending' | 'sent' | 'succeeded' | 'failed' | 'timed_out';
export const COMMAND_STATES: readonly CommandState[] = ['pending', 'sent', 'succeeded', 'failed', 'timed_out'];

export interface Command {
  readonly command_id: string;
  readonly device_id: string;
  readonly method: string;
  readonly params: JsonObject;
  readonly state: CommandState;
  readonly origin: { principal?: string; transport?: string; [key: string]: Json | undefined };
  readonly created_at: string;
  readonly completed_at?: string;
  readonly result?: Json;
  readonly error?: { code: number; message: string };
}

export interface AuditEntry {
  readonly id: string;
  readonly at: string;
  readonly principal: string;
  readonly role?: Role;
  readonly via: string;
  /** The tool (configure_device), or a JSON-RPC call's method in the tools' spelling (sensor_configure). */
  readonly tool: string;
  /** The JSON-RPC method the call ran (sensor.configure); absent from older entries. */
  readonly method?: string;
  readonly arguments: JsonObject;
  readonly decision: 'allow' | 'confirm' | 'deny';
  readonly outcome: string;
  readonly error?: { code: number; message: string };
  readonly device_ids: string[];
}

export type ApprovalStatus = 'pending' | 'approved' | 'declined' | 'expired';

/** A held action waiting for a person (approval.* methods). */
export interface Approval {
  readonly id: string;
  readonly status: ApprovalStatus;
  readonly created_at: string;
  readonly expires_at: string;
  readonly requested_by: { principal: string; kind: string; role: Role | null; client?: string };
  readonly role_required: Role;
  readonly tool: string;
  readonly plan: { summary: string; targets: string[]; params: JsonObject };
  readonly decided_by?: { principal: string; role: Role | null };
  readonly decided_at?: string;
  readonly reason?: string;
  readonly outcome?: { status: 'succeeded' | 'failed' | 'denied'; command_ids?: string[]; error?: { code: number; message: string }; result?: Json };
  /** The audit chain of the held call (audit.chain). */
  readonly chain_id?: string;
}
