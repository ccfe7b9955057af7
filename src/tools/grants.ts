/**
 * Grants for a task: "this tool on these devices for N minutes", created by a logged-in person.
 * A confirm-first call that a live grant covers (its tool, every target device, and the requesting
 * principal when the grant names one) runs without asking; the envelopes still apply (docs/llm.md).
 */
import { v7 as uuidv7 } from 'uuid';
import type { Device } from '../core/device.ts';
import { HubError } from '../core/errors.ts';
import type { Grant } from '../core/grant.ts';
import type { GrantStore } from '../core/ports/grant-store.ts';
import { roleAtLeast, type Role } from '../core/principal.ts';
import type { CallContext } from '../rpc/method.ts';
import { toolName } from './tool-definition.ts';

export interface GrantsOptions {
  readonly store: GrantStore;
  readonly now: () => number;
}

export interface NewGrant {
  /** The LLM tool it covers (`configure_device`). */
  readonly tool: string;
  /** The tool's role: the person granting must hold it. */
  readonly toolRole: Role;
  readonly devices: readonly Device[];
  readonly minutes: number;
  readonly principal?: string;
  readonly note?: string;
}

const PERSON_TRANSPORTS = new Set<CallContext['transport']>(['http', 'websocket']);

export class Grants {
  readonly #o: GrantsOptions;

  constructor(options: GrantsOptions) {
    this.#o = options;
  }

  /** Only a logged-in person whose role reaches the tool's may grant it. */
  async create(request: NewGrant, context: CallContext): Promise<Grant> {
    const principal = context.principal;
    if (principal === undefined || principal.kind !== 'user' || !PERSON_TRANSPORTS.has(context.transport)) {
      throw new HubError('FORBIDDEN', `Forbidden: only a logged-in person may grant a task; ${principal?.id ?? 'the caller'} is ${principal ? `a ${principal.kind} principal over ${context.transport}` : 'anonymous'}`, {
        required_role: request.toolRole,
        role: principal?.role ?? null,
      });
    }
    if (!roleAtLeast(principal.role, request.toolRole)) {
      throw new HubError('FORBIDDEN', `Forbidden: granting ${toolName(request.tool)} needs the ${request.toolRole} role; ${principal.id} has ${principal.role ?? 'none'}`, {
        required_role: request.toolRole,
        role: principal.role ?? null,
      });
    }
    const now = this.#o.now();
    const grant: Grant = {
      id: uuidv7(),
      tool: toolName(request.tool),
      deviceIds: request.devices.map((d) => d.id),
      ...(request.principal !== undefined && { principal: request.principal }),
      createdBy: { principal: principal.id, role: principal.role as Role },
      createdAt: now,
      expiresAt: now + request.minutes * 60_000,
      ...(request.note !== undefined && { note: request.note }),
    };
    await this.#o.store.create(grant);
    return grant;
  }

  async list(includeInactive: boolean, limit: number): Promise<Grant[]> {
    return this.#o.store.list({ ...(!includeInactive && { activeAt: this.#o.now() }), limit });
  }

  async revoke(id: string): Promise<Grant> {
    if (!(await this.#o.store.revoke(id, this.#o.now()))) throw new HubError('GRANT_NOT_FOUND', `grant not found or already revoked: ${id}`, { grant_id: id });
    return (await this.#o.store.get(id)) as Grant;
  }

  /**
   * The live grant covering a call of `tool` by `principal` on every one of `targets`, if any; its
   * creator's role must reach `needed` (a batch of a destructive method needs an admin's grant).
   */
  async match(tool: string, targets: readonly Device[], principal: string, needed: Role): Promise<Grant | undefined> {
    if (targets.length === 0) return undefined;
    const live = await this.#o.store.list({ activeAt: this.#o.now(), limit: 1000 });
    return live.find(
      (g) =>
        g.tool === tool &&
        (g.principal === undefined || g.principal === principal) &&
        roleAtLeast(g.createdBy.role, needed) &&
        targets.every((d) => g.deviceIds.includes(d.id)),
    );
  }
}
