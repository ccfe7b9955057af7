/** ApprovalStore: approvals awaiting (or past) a person's decision, shared by every hub instance. */
import type { Approval, ApprovalFilter } from '../approval.ts';

export interface ApprovalStore {
  create(approval: Approval): Promise<void>;
  get(id: string): Promise<Approval | undefined>;
  /** Newest first. */
  list(filter?: ApprovalFilter): Promise<Approval[]>;
  /**
   * Replace a pending approval with `next` (decided, expired, or given its outcome) only while its
   * status is still `expected`: false when another decision got there first.
   */
  update(next: Approval, expected: Approval['status']): Promise<boolean>;
  /** Mark pending approvals whose time ran out at `now` as expired; returns them as they are now. */
  expire(now: number): Promise<Approval[]>;
  close(): Promise<void>;
}
