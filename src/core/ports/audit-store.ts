/** AuditStore: the append-only log of LLM-initiated actions. */
import type { AuditEntry, AuditFilter } from '../audit.ts';

export interface AuditStore {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  list(filter?: AuditFilter): Promise<AuditEntry[]>;
  close(): Promise<void>;
}
