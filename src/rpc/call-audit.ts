/**
 * The audit of JSON-RPC calls: every write and destructive call by a person or program, and every
 * call refused for its role, lands in the audit log with the principal's id and role. MCP and LLM
 * tool calls are audited by the ToolRunner (with the policy decision); device traffic is not audited.
 */
import { v7 as uuidv7 } from 'uuid';
import type { AuditEntry } from '../core/audit.ts';
import { toRpcErrorObject } from '../core/errors.ts';
import type { AuditStore } from '../core/ports/audit-store.ts';
import type { CallContext, MethodDefinition } from './method.ts';

export interface CallAuditOptions {
  readonly store: AuditStore;
  readonly now: () => number;
  /** Told when the store refuses an entry (the call itself is not failed for it). */
  readonly onError: (error: unknown) => void;
}

export class CallAudit {
  readonly #o: CallAuditOptions;

  constructor(options: CallAuditOptions) {
    this.#o = options;
  }

  /** A call that ran (error: it failed). Reads are not recorded. */
  async done(definition: MethodDefinition, params: unknown, context: CallContext, error?: unknown): Promise<void> {
    if (definition.kind === 'read' || !this.#records(context)) return;
    await this.#append(definition, params, context, 'allow', error === undefined ? 'succeeded' : 'failed', error);
  }

  /** A call refused before it ran (no credentials, role too low): recorded whatever its kind. */
  async refused(definition: MethodDefinition, params: unknown, context: CallContext, error: unknown): Promise<void> {
    if (!this.#records(context)) return;
    await this.#append(definition, params, context, 'deny', 'denied', error);
  }

  #records(context: CallContext): boolean {
    // MCP and LLM tool calls: the ToolRunner's entry says more (policy decision, confirmation).
    if (context.transport === 'mcp' || context.transport === 'llm') return false;
    return context.principal?.kind !== 'device' && context.transport !== 'mqtt';
  }

  async #append(
    definition: MethodDefinition,
    params: unknown,
    context: CallContext,
    decision: AuditEntry['decision'],
    outcome: AuditEntry['outcome'],
    error: unknown,
  ): Promise<void> {
    const principal = context.principal;
    const args = typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
    const rpc = error === undefined ? undefined : toRpcErrorObject(error);
    const entry: AuditEntry = {
      id: uuidv7(),
      at: this.#o.now(),
      principal: principal?.id ?? 'anonymous',
      ...(principal?.role !== undefined && { role: principal.role }),
      ...(context.client !== undefined && { client: context.client }),
      via: context.transport,
      // The tool spelling entries have always had (sensor_configure); the method names the call as a verb
      // tool's entry names the method it routed to, so audit.list's method filter finds both.
      tool: definition.name.replaceAll('.', '_'),
      method: definition.name,
      arguments: args,
      decision,
      outcome,
      deviceIds: deviceIdsOf(args),
      ...(rpc !== undefined && { error: { code: rpc.code, message: rpc.message } }),
    };
    try {
      await this.#o.store.append(entry);
    } catch (failure) {
      this.#o.onError(failure);
    }
  }
}

function deviceIdsOf(args: Record<string, unknown>): string[] {
  const ids: string[] = [];
  for (const key of ['device_id', 'mcu_id', 'sensor_id']) if (typeof args[key] === 'string') ids.push(args[key]);
  if (Array.isArray(args['device_ids'])) for (const id of args['device_ids']) if (typeof id === 'string') ids.push(id);
  return ids;
}
