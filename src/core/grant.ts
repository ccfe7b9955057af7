/**
 * Grants for a task: a person lets one tool run on a set of devices without asking, for a few
 * minutes, optionally for one requesting principal only. Envelopes still apply (docs/llm.md).
 */
import type { Role } from './principal.ts';

export interface Grant {
  readonly id: string;
  /** The tool it covers (`configure_device`); matched against a call's tool name. */
  readonly tool: string;
  /** Device UUIDs it covers (a filter given at creation is resolved then). */
  readonly deviceIds: readonly string[];
  /** Only calls by this principal id; absent: any principal allowed the tool by its role. */
  readonly principal?: string;
  readonly createdBy: { readonly principal: string; readonly role: Role };
  /** ms since epoch. */
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt?: number;
  readonly note?: string;
}
