/**
 * ToolRunner: the one path by which an LLM acts, for MCP and llm.execute_command alike. It offers
 * the verb tools (a fixed list), routes each call to the JSON-RPC method its arguments mean (checked
 * against the target device), applies the actuation policy (allow / confirm-first / deny) and the
 * safety envelopes to that method, holds confirm-first calls as approvals a person decides (or runs
 * them under a grant for the task), runs it, and writes every call to the audit log under one chain
 * id that its approval, grant and commands share (docs/llm.md).
 */
import { v7 as uuidv7 } from 'uuid';
import type { Approval, ApprovalOutcome } from '../core/approval.ts';
import type { AuditEntry } from '../core/audit.ts';
import type { Device } from '../core/device.ts';
import { codeForRpc, HubError, toRpcErrorObject, type RpcErrorObject } from '../core/errors.ts';
import { checkJsonLimits } from '../core/json-limits.ts';
import { ROLES, roleAtLeast, type Principal, type Role } from '../core/principal.ts';
import { methodRun } from '../rpc/authorize.ts';
import { KIND_ROLE, requiredRole, type CallContext, type MethodKind } from '../rpc/method.ts';
import type { MethodRegistry } from '../rpc/method-registry.ts';
import type { HubServices } from '../app/services.ts';
import type { AuditStore } from '../core/ports/audit-store.ts';
import { decide, type ActuationPolicy, type PolicyDecision } from './actuation-policy.ts';
import type { Approvals } from './approvals.ts';
import { callTargets } from './call-targets.ts';
import type { Grants } from './grants.ts';
import { checkToolArguments } from './tool-arguments.ts';
import { auditable, commandIdsOf, forbidden, mayCall, refusedCall, routedCall, summarize, type AuditedCall } from './tool-call-records.ts';
import { toolCatalog } from './tool-catalog.ts';
import type { ToolDefinition, ToolRoute } from './tool-definition.ts';

export interface ToolCaller {
  /** Who asked (the MCP client's or the llm.execute_command caller's principal): its role bounds the tools. */
  readonly principal: Principal;
  /** Which program, for the audit log: the MCP client name and session, or the remote address. */
  readonly client?: string;
  readonly via: 'mcp' | 'llm';
}

/** What would happen: shown to the person who must approve. */
export interface ToolPlan {
  readonly tool: string;
  readonly method: string;
  readonly kind: MethodKind;
  readonly arguments: Record<string, unknown>;
  readonly devices: { device_id: string; hardware_id: string; model: string; zone: string | null }[];
}

/** Every outcome names its audit chain (audit.chain). */
export type ToolOutcome = { readonly chain_id?: string } & (
  | { readonly status: 'ok'; readonly result: unknown; readonly command_ids?: readonly string[]; readonly grant_id?: string }
  | { readonly status: 'error'; readonly error: RpcErrorObject; readonly command_ids?: readonly string[] }
  | { readonly status: 'denied'; readonly reason: string }
  | { readonly status: 'confirmation_required'; readonly approval: Approval; readonly plan: ToolPlan; readonly reason: string }
);

export interface ToolRunnerOptions {
  readonly methods: MethodRegistry;
  readonly services: HubServices;
  readonly audit: AuditStore;
  readonly policy: ActuationPolicy;
  /** Held calls become approvals a person decides; approved ones run through this runner. */
  readonly approvals: Approvals;
  readonly grants: Grants;
  /** Throws or rejects (ENVELOPE_REFUSED) when the call would leave a device's safety envelope: checked before it is held or run. */
  readonly preview?: (method: string, args: Record<string, unknown>, targets: readonly Device[]) => void | Promise<void>;
  /** Told of every call() and approved run once its outcome is known (metrics); `start` is its performance.now(). */
  readonly onCall?: (call: { readonly via: ToolCaller['via']; readonly outcome: ToolOutcome['status']; readonly start: number }) => void;
}

/** What an audit entry links to besides the call itself. */
interface Links {
  readonly chainId: string;
  readonly approvalId?: string;
  readonly grantId?: string;
  readonly commandIds?: readonly string[];
}

export class ToolRunner {
  readonly #o: ToolRunnerOptions;

  constructor(options: ToolRunnerOptions) {
    this.#o = options;
    options.approvals.onApproved((approval, decider) => this.#runApproved(approval, decider));
  }

  get policy(): ActuationPolicy {
    return this.#o.policy;
  }

  get approvals(): Approvals {
    return this.#o.approvals;
  }

  /** The tools (the same whatever the fleet holds); with a principal, only those its role may call. */
  tools(principal?: Principal): ToolDefinition[] {
    const all = [...toolCatalog()];
    return principal === undefined ? all : all.filter((t) => mayCall(principal, t));
  }

  tool(name: string): ToolDefinition | undefined {
    return toolCatalog().find((t) => t.name === name);
  }

  /**
   * The least role a call of this tool with these arguments needs: the tool's, or the role of the
   * method the arguments route to when that is higher (run_command reboot needs admin). Arguments that
   * do not route yet leave the tool's own role: the call itself then answers their error.
   */
  roleFor(name: string, args: unknown): Role | undefined {
    const tool = this.tool(name);
    if (tool === undefined) return undefined;
    if (args === null || typeof args !== 'object' || Array.isArray(args)) return tool.role;
    try {
      const needed = this.#routeRole(tool.route(args as Record<string, unknown>, { services: this.#o.services, methods: this.#o.methods }));
      return roleAtLeast(tool.role, needed) ? tool.role : needed;
    } catch {
      return tool.role;
    }
  }

  close(): void {
    // Nothing to release: the tool list does not follow the fleet.
  }

  /**
   * Run a tool call under the policy. Never throws for the call's own failure: the outcome says it.
   * `hold` (dry run): a write or destructive call the policy would allow is held for approval instead.
   */
  async call(name: string, args: Record<string, unknown>, caller: ToolCaller, options: { readonly hold?: boolean } = {}): Promise<ToolOutcome> {
    const start = performance.now();
    const outcome = await this.#call(name, args, caller, options);
    this.#o.onCall?.({ via: caller.via, outcome: outcome.status, start });
    return outcome;
  }

  async #call(name: string, args: Record<string, unknown>, caller: ToolCaller, options: { readonly hold?: boolean }): Promise<ToolOutcome> {
    const tool = this.tool(name);
    if (!tool) return { status: 'error', error: toRpcErrorObject(new HubError('METHOD_NOT_FOUND', `unknown tool: ${name}`)) };
    // The dispatcher's limits, before anything walks the arguments (targets, policy, audit).
    const issue = checkJsonLimits(args);
    if (issue) return { status: 'error', error: toRpcErrorObject(new HubError('INVALID_PARAMS', `Invalid params: ${issue.message}`, { issues: [issue] })) };
    const links: Links = { chainId: uuidv7() };
    if (!mayCall(caller.principal, tool)) {
      // The role bounds what the LLM may do for its principal, before any policy or approval.
      const error = forbidden(tool, caller.principal);
      const plan = this.plan(tool, args);
      await this.#audit(caller, { name: tool.name, method: plan.method }, args, 'deny', 'denied', plan.devices.map((d) => d.device_id), links, { code: error.rpcCode, message: error.message });
      return { status: 'error', error: toRpcErrorObject(error), chain_id: links.chainId };
    }
    const routed = this.#route(tool, args, caller.principal);
    if ('error' in routed) {
      // Refused for the role the arguments need (run_command reboot by an operator) is a denial; anything else, a failed call.
      const byRole = codeForRpc(routed.error.code) === 'FORBIDDEN';
      await this.#audit(caller, refusedCall(tool, routed.error), args, byRole ? 'deny' : 'allow', byRole ? 'denied' : 'failed', [], links, { code: routed.error.code, message: routed.error.message });
      return { status: 'error', error: routed.error, chain_id: links.chainId };
    }
    const { route } = routed;
    const targets = callTargets(this.#o.services, route.params);
    const deviceIds = targets.map((d) => d.id);
    const decision = this.#decide(tool, route, targets);
    if (decision.action === 'deny') {
      await this.#audit(caller, routedCall(tool, route), args, 'deny', 'denied', deviceIds, links, { code: -32021, message: decision.reason });
      return { status: 'denied', reason: `${tool.name} is not allowed for an LLM: ${decision.reason}`, chain_id: links.chainId };
    }
    // Params the routed method would refuse are refused now: a person is never asked to approve a call that cannot run.
    const invalid = this.#invalidParams(route);
    if (invalid !== undefined) return { status: 'error', error: invalid, chain_id: links.chainId };
    // The safety envelopes, on the routed method's params: a write they refuse is never held for a person nor run.
    try {
      await this.#o.preview?.(route.method, route.params, targets);
    } catch (error) {
      const refused = toRpcErrorObject(error);
      await this.#audit(caller, routedCall(tool, route), args, 'deny', 'denied', deviceIds, links, { code: refused.code, message: refused.message });
      return { status: 'error', error: refused, chain_id: links.chainId };
    }
    if (options.hold === true && route.kind !== 'read') {
      return this.#hold(caller, tool, args, route, targets, { action: 'confirm', reason: `dry run; without it: ${decision.reason}` }, links);
    }
    if (decision.action === 'confirm') {
      const grant = await this.#o.grants.match(tool.name, targets, caller.principal.id, this.#routeRole(route));
      if (grant === undefined) return this.#hold(caller, tool, args, route, targets, decision, links);
      return this.#run(caller, tool, args, route, 'allow', deviceIds, { ...links, grantId: grant.id });
    }
    return this.#run(caller, tool, args, route, decision.action, deviceIds, links);
  }

  /** The call the arguments mean (schema-checked, then checked against the device), or the error to answer. */
  #route(tool: ToolDefinition, args: Record<string, unknown>, principal: Principal): { route: ToolRoute } | { error: RpcErrorObject } {
    try {
      checkToolArguments(tool, args);
      const route = tool.route(args, { services: this.#o.services, methods: this.#o.methods });
      // A verb tool's least role lets the principal in; the method this call routes to may need more.
      const needed = this.#routeRole(route);
      if (principal.kind !== 'device' && !roleAtLeast(principal.role, needed)) throw forbidden({ ...tool, role: needed, method: route.method }, principal);
      return { route };
    } catch (error) {
      return { error: toRpcErrorObject(error) };
    }
  }

  /**
   * The role a routed call needs: the highest of its method's, the method that one runs by name
   * (batch.execute's `method`, as the dispatcher checks it) and its effective kind's (a batch that reboots needs admin).
   */
  #routeRole(route: ToolRoute): Role {
    const method = this.#o.methods.get(route.method);
    const run = method === undefined ? undefined : methodRun(method, route.params, this.#o.methods);
    let needed = KIND_ROLE[route.kind];
    for (const definition of [method, run]) {
      if (definition !== undefined && !roleAtLeast(needed, requiredRole(definition))) needed = requiredRole(definition);
    }
    return needed;
  }

  /** What a call would do, for the approval page and the model: the method its arguments route to and the devices it touches. */
  plan(tool: ToolDefinition, args: Record<string, unknown>, route?: ToolRoute): ToolPlan {
    let routed = route;
    if (routed === undefined) {
      try {
        routed = tool.route(args, { services: this.#o.services, methods: this.#o.methods });
      } catch {
        routed = { method: tool.method, kind: tool.kind, params: {} };
      }
    }
    return {
      tool: tool.name,
      method: routed.method,
      kind: routed.kind,
      arguments: args,
      devices: callTargets(this.#o.services, routed.params).map((d) => ({ device_id: d.id, hardware_id: d.hardwareId, model: d.model, zone: d.zone })),
    };
  }

  /** Tools that answer from several calls (route.run) check their own params as they go. */
  #invalidParams(route: ToolRoute): RpcErrorObject | undefined {
    const definition = route.run === undefined ? this.#o.methods.get(route.method) : undefined;
    if (definition === undefined) return undefined;
    try {
      this.#o.methods.validateParams(definition, route.params);
      return undefined;
    } catch (error) {
      return toRpcErrorObject(error);
    }
  }

  /** Rules may name the verb tool, the routed method (`sensor.configure`) or its old tool name (`sensor_configure`). */
  #decide(tool: ToolDefinition, route: ToolRoute, targets: readonly Device[]): PolicyDecision {
    return decide(this.#o.policy, route.kind, tool.name, route.method, targets);
  }

  /** Hold a call as a pending approval: nothing reaches a device until a person approves. */
  async #hold(
    caller: ToolCaller,
    tool: ToolDefinition,
    args: Record<string, unknown>,
    route: ToolRoute,
    targets: readonly Device[],
    decision: PolicyDecision,
    links: Links,
  ): Promise<ToolOutcome> {
    const plan = this.plan(tool, args, route);
    const needed = this.#routeRole(route);
    const approval = await this.#o.approvals.create({
      requestedBy: {
        principal: caller.principal.id,
        kind: caller.principal.kind,
        ...(caller.principal.role !== undefined && { role: caller.principal.role }),
        ...(caller.client !== undefined && { client: caller.client }),
        via: caller.via,
      },
      roleRequired: ROLES.indexOf(needed) > ROLES.indexOf(tool.role) ? needed : tool.role,
      tool: tool.name,
      plan: { summary: summarize(plan, decision.reason), targets: targets.map((d) => d.id), params: args },
      chainId: links.chainId,
    });
    await this.#audit(caller, routedCall(tool, route), args, 'confirm', 'confirmation_required', targets.map((d) => d.id), { ...links, approvalId: approval.id });
    return { status: 'confirmation_required', approval, plan, reason: decision.reason, chain_id: links.chainId };
  }

  /** A person approved: run the held call as the principal that asked (its role, the policy as it is now, the envelopes). */
  async #runApproved(approval: Approval, decider: { principal: string; role: Role }): Promise<ApprovalOutcome> {
    const start = performance.now();
    const { requestedBy } = approval;
    const caller: ToolCaller = {
      principal: { id: requestedBy.principal, kind: requestedBy.kind, role: requestedBy.role },
      ...(requestedBy.client !== undefined && { client: requestedBy.client }),
      via: requestedBy.via,
    };
    const links: Links = { chainId: approval.chainId, approvalId: approval.id };
    const args = approval.plan.params;
    const tool = this.tool(approval.tool);
    let outcome: ToolOutcome;
    if (tool === undefined) {
      outcome = { status: 'error', error: toRpcErrorObject(new HubError('METHOD_NOT_FOUND', `the approved tool no longer exists: ${approval.tool}`)) };
    } else if (!mayCall(caller.principal, tool)) {
      const error = toRpcErrorObject(forbidden(tool, caller.principal));
      await this.#audit(caller, { name: tool.name, method: tool.method }, args, 'deny', 'denied', [], links, { code: error.code, message: error.message }, decider);
      outcome = { status: 'error', error };
    } else {
      outcome = await this.#runRouted(caller, tool, args, links, decider);
    }
    this.#o.onCall?.({ via: caller.via, outcome: outcome.status, start });
    switch (outcome.status) {
      case 'ok':
        return { status: 'succeeded', command_ids: outcome.command_ids ?? [], result: outcome.result };
      case 'error':
        return { status: 'failed', error: outcome.error, command_ids: outcome.command_ids ?? commandIdsOf(outcome.error) };
      default:
        return { status: 'denied', error: { code: -32021, message: outcome.status === 'denied' ? outcome.reason : 'held again' } };
    }
  }

  /** An approved call, routed (and checked against the device) again: the device, the policy or the targets may have changed since the plan was made. */
  async #runRouted(caller: ToolCaller, tool: ToolDefinition, args: Record<string, unknown>, links: Links, decider: { principal: string; role: Role }): Promise<ToolOutcome> {
    const routed = this.#route(tool, args, caller.principal);
    if ('error' in routed) {
      // As for a call run at once: refused for the role the routed method needs is a denial, nothing sent.
      const byRole = codeForRpc(routed.error.code) === 'FORBIDDEN';
      await this.#audit(caller, refusedCall(tool, routed.error), args, byRole ? 'deny' : 'confirm', byRole ? 'denied' : 'failed', [], links, { code: routed.error.code, message: routed.error.message }, decider);
      return { status: 'error', error: routed.error };
    }
    const targets = callTargets(this.#o.services, routed.route.params);
    const decision = this.#decide(tool, routed.route, targets);
    if (decision.action === 'deny') {
      await this.#audit(caller, routedCall(tool, routed.route), args, 'deny', 'denied', targets.map((d) => d.id), links, { code: -32021, message: decision.reason });
      return { status: 'denied', reason: `${tool.name} is no longer allowed: ${decision.reason}` };
    }
    return this.#run(caller, tool, args, routed.route, 'confirm', targets.map((d) => d.id), links, decider);
  }

  async #run(
    caller: ToolCaller,
    tool: ToolDefinition,
    args: Record<string, unknown>,
    route: ToolRoute,
    decision: 'allow' | 'confirm',
    deviceIds: string[],
    links: Links,
    approvedBy?: { principal: string; role: Role },
  ): Promise<ToolOutcome> {
    const context: CallContext = { transport: caller.via, principal: caller.principal, chain: links.chainId, ...(caller.client !== undefined && { client: caller.client }) };
    // The commands this call sends carry its chain id: collect them for the audit entry.
    const commandIds: string[] = [];
    const off = this.#o.services.events.on('command.updated', ({ command }) => {
      if (command.origin.chain === links.chainId && !commandIds.includes(command.id)) commandIds.push(command.id);
    });
    const invoke = (method: string, params: Record<string, unknown>): Promise<unknown> => this.#o.services.invoke(method, structuredClone(params), context);
    try {
      const result = await (route.run ? route.run(invoke) : invoke(route.method, route.params));
      off();
      await this.#audit(caller, routedCall(tool, route), args, decision, 'succeeded', deviceIds, { ...links, commandIds }, undefined, approvedBy);
      return { status: 'ok', result, command_ids: commandIds, chain_id: links.chainId, ...(links.grantId !== undefined && { grant_id: links.grantId }) };
    } catch (error) {
      off();
      const rpc = toRpcErrorObject(error);
      await this.#audit(caller, routedCall(tool, route), args, decision, 'failed', deviceIds, { ...links, commandIds }, { code: rpc.code, message: rpc.message }, approvedBy);
      return { status: 'error', error: rpc, command_ids: commandIds, chain_id: links.chainId };
    }
  }

  async #audit(
    caller: ToolCaller,
    tool: AuditedCall,
    args: Record<string, unknown>,
    decision: AuditEntry['decision'],
    outcome: AuditEntry['outcome'],
    deviceIds: string[],
    links: Links,
    error?: { code: number; message: string },
    approvedBy?: { principal: string; role: Role },
  ): Promise<void> {
    const entry: AuditEntry = {
      // UUID v7: time-ordered, so entries of the same millisecond still list in the order they happened.
      id: uuidv7(),
      at: this.#o.services.now(),
      principal: caller.principal.id,
      ...(caller.principal.role !== undefined && { role: caller.principal.role }),
      ...(caller.client !== undefined && { client: caller.client }),
      via: caller.via,
      tool: tool.name,
      method: tool.method,
      arguments: auditable(approvedBy === undefined ? args : { ...args, approved_by: approvedBy.principal }),
      decision,
      outcome,
      deviceIds,
      chainId: links.chainId,
      ...(links.approvalId !== undefined && { approvalId: links.approvalId }),
      ...(links.grantId !== undefined && { grantId: links.grantId }),
      ...(links.commandIds !== undefined && links.commandIds.length > 0 && { commandIds: links.commandIds }),
      ...(error !== undefined && { error }),
    };
    try {
      await this.#o.audit.append(entry);
    } catch (failure) {
      this.#o.services.logger.error({ err: failure, tool: tool.name }, 'audit log write failed');
    }
  }
}
