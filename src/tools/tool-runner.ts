/**
 * ToolRunner: the one path by which an LLM acts, for MCP and llm.execute_command alike. It offers
 * the verb tools (a fixed list), routes each call to the JSON-RPC method its arguments mean (checked
 * against the target device), applies the actuation policy (allow / confirm-first / deny) to that
 * method, holds confirm-first calls behind single-use tokens, runs it, and writes every call to the
 * audit log.
 */
import { v7 as uuidv7 } from 'uuid';
import type { AuditEntry } from '../core/audit.ts';
import { HubError, toRpcErrorObject, type RpcErrorObject } from '../core/errors.ts';
import { checkJsonLimits } from '../core/json-limits.ts';
import { roleAtLeast, type Principal, type Role } from '../core/principal.ts';
import { KIND_ROLE, requiredRole, type CallContext, type MethodKind } from '../rpc/method.ts';
import type { MethodRegistry } from '../rpc/method-registry.ts';
import type { HubServices } from '../app/services.ts';
import type { AuditStore } from '../core/ports/audit-store.ts';
import { decide, type ActuationPolicy, type PolicyDecision } from './actuation-policy.ts';
import { callTargets } from './call-targets.ts';
import { ConfirmationTokens } from './confirmation-tokens.ts';
import { checkToolArguments } from './tool-arguments.ts';
import { CONFIRM_TOKEN_PROPERTY, toolCatalog } from './tool-catalog.ts';
import type { ToolDefinition, ToolRoute } from './tool-definition.ts';

export interface ToolCaller {
  /** Who asked (the MCP client's or the llm.execute_command caller's principal): its role bounds the tools. */
  readonly principal: Principal;
  /** Which program, for the audit log: the MCP client name and session, or the remote address. */
  readonly client?: string;
  readonly via: 'mcp' | 'llm';
}

/** What would happen: shown to the person who must confirm. */
export interface ToolPlan {
  readonly tool: string;
  readonly method: string;
  readonly kind: MethodKind;
  readonly arguments: Record<string, unknown>;
  readonly devices: { device_id: string; hardware_id: string; model: string; zone: string | null }[];
}

export type ToolOutcome =
  | { readonly status: 'ok'; readonly result: unknown }
  | { readonly status: 'error'; readonly error: RpcErrorObject }
  | { readonly status: 'denied'; readonly reason: string }
  | { readonly status: 'confirmation_required'; readonly confirm_token: string; readonly plan: ToolPlan; readonly reason: string };

export interface ToolRunnerOptions {
  readonly methods: MethodRegistry;
  readonly services: HubServices;
  readonly audit: AuditStore;
  readonly policy: ActuationPolicy;
  /** Told of every call() and confirm() once its outcome is known (metrics); `start` is its performance.now(). */
  readonly onCall?: (call: { readonly via: ToolCaller['via']; readonly outcome: ToolOutcome['status']; readonly start: number }) => void;
}

export class ToolRunner {
  readonly #o: ToolRunnerOptions;
  readonly #tokens = new ConfirmationTokens<{ tool: string; args: Record<string, unknown> }>();

  constructor(options: ToolRunnerOptions) {
    this.#o = options;
  }

  get policy(): ActuationPolicy {
    return this.#o.policy;
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
   * `hold` (dry run): a write or destructive call the policy would allow is held for confirmation instead.
   */
  async call(name: string, rawArgs: Record<string, unknown>, caller: ToolCaller, options: { readonly hold?: boolean } = {}): Promise<ToolOutcome> {
    const start = performance.now();
    const outcome = await this.#call(name, rawArgs, caller, options);
    this.#o.onCall?.({ via: caller.via, outcome: outcome.status, start });
    return outcome;
  }

  async #call(name: string, rawArgs: Record<string, unknown>, caller: ToolCaller, options: { readonly hold?: boolean }): Promise<ToolOutcome> {
    const tool = this.tool(name);
    if (!tool) return { status: 'error', error: toRpcErrorObject(new HubError('METHOD_NOT_FOUND', `unknown tool: ${name}`)) };
    // The dispatcher's limits, before anything walks the arguments (targets, policy, canonical form, audit).
    const issue = checkJsonLimits(rawArgs);
    if (issue) return { status: 'error', error: toRpcErrorObject(new HubError('INVALID_PARAMS', `Invalid params: ${issue.message}`, { issues: [issue] })) };
    const { [CONFIRM_TOKEN_PROPERTY]: token, ...args } = rawArgs;
    if (!mayCall(caller.principal, tool)) {
      // The role bounds what the LLM may do for its principal, before any policy or confirmation.
      const error = forbidden(tool, caller.principal);
      await this.#audit(caller, tool, args, 'deny', 'denied', callTargets(this.#o.services, args).map((d) => d.id), { code: error.rpcCode, message: error.message });
      return { status: 'error', error: toRpcErrorObject(error) };
    }
    const routed = this.#route(tool, args, caller.principal);
    if ('error' in routed) {
      await this.#audit(caller, tool, args, 'allow', 'failed', [], { code: routed.error.code, message: routed.error.message });
      return { status: 'error', error: routed.error };
    }
    const { route } = routed;
    const targets = callTargets(this.#o.services, route.params);
    const decision = this.#decide(tool, route, targets);
    const deviceIds = targets.map((d) => d.id);
    if (decision.action === 'deny') {
      await this.#audit(caller, tool, args, 'deny', 'denied', deviceIds, { code: -32021, message: decision.reason });
      return { status: 'denied', reason: `${tool.name} is not allowed for an LLM: ${decision.reason}` };
    }
    if (options.hold === true && route.kind !== 'read') {
      return this.#holdForConfirmation(caller, tool, args, targets, { action: 'confirm', reason: `dry run; without it: ${decision.reason}` });
    }
    if (decision.action === 'confirm') {
      const confirmed = typeof token === 'string' ? this.#tokens.take(token, caller.principal.id) : undefined;
      if (!confirmed || confirmed.value.tool !== tool.name || canonical(confirmed.value.args) !== canonical(args)) {
        return this.#holdForConfirmation(caller, tool, args, targets, decision);
      }
    }
    return this.#run(caller, tool, args, route, decision.action, deviceIds);
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

  /** Run a held call whose token a person approved (llm.confirm, MCP elicitation); only the principal that asked may. */
  async confirm(token: string, caller: ToolCaller): Promise<ToolOutcome> {
    const start = performance.now();
    const outcome = await this.#confirm(token, caller);
    this.#o.onCall?.({ via: caller.via, outcome: outcome.status, start });
    return outcome;
  }

  async #confirm(token: string, caller: ToolCaller): Promise<ToolOutcome> {
    const held = this.#tokens.take(token, caller.principal.id);
    if (!held) throw new HubError('CONFIRMATION_INVALID', `confirmation token unknown, expired, already used or issued to another principal: ${token}`);
    const tool = this.tool(held.value.tool);
    if (!tool) throw new HubError('CONFIRMATION_INVALID', `the confirmed tool no longer exists: ${held.value.tool}`);
    if (!mayCall(caller.principal, tool)) throw forbidden(tool, caller.principal);
    // The device may have changed since the plan was made: route (and check) the arguments again.
    const routed = this.#route(tool, held.value.args, caller.principal);
    if ('error' in routed) {
      await this.#audit(caller, tool, held.value.args, 'confirm', 'failed', [], { code: routed.error.code, message: routed.error.message });
      return { status: 'error', error: routed.error };
    }
    const targets = callTargets(this.#o.services, routed.route.params);
    // The policy may have changed, or the targets moved, since the plan was made.
    if (this.#decide(tool, routed.route, targets).action === 'deny') {
      await this.#audit(caller, tool, held.value.args, 'deny', 'denied', targets.map((d) => d.id));
      return { status: 'denied', reason: `${tool.name} is no longer allowed` };
    }
    return this.#run(caller, tool, held.value.args, routed.route, 'confirm', targets.map((d) => d.id));
  }

  /** A person declined a held call: the token is spent and the refusal audited. */
  async decline(token: string, caller: ToolCaller): Promise<void> {
    const held = this.#tokens.take(token, caller.principal.id);
    const tool = held === undefined ? undefined : this.tool(held.value.tool);
    if (!held || !tool) return;
    await this.#audit(caller, tool, held.value.args, 'confirm', 'declined', this.plan(tool, held.value.args).devices.map((d) => d.device_id));
  }

  /** The role a routed call needs: its method's, or its effective kind's when higher (a batch that reboots needs admin). */
  #routeRole(route: ToolRoute): Role {
    const method = this.#o.methods.get(route.method);
    const byMethod = method === undefined ? KIND_ROLE[route.kind] : requiredRole(method);
    return roleAtLeast(byMethod, KIND_ROLE[route.kind]) ? byMethod : KIND_ROLE[route.kind];
  }

  /** What a call would do, for a confirmation prompt: the method its arguments route to and the devices it touches. */
  plan(tool: ToolDefinition, args: Record<string, unknown>): ToolPlan {
    let route: ToolRoute;
    try {
      route = tool.route(args, { services: this.#o.services, methods: this.#o.methods });
    } catch {
      route = { method: tool.method, kind: tool.kind, params: {} };
    }
    return {
      tool: tool.name,
      method: route.method,
      kind: route.kind,
      arguments: args,
      devices: callTargets(this.#o.services, route.params).map((d) => ({ device_id: d.id, hardware_id: d.hardwareId, model: d.model, zone: d.zone })),
    };
  }

  /** Rules may name the verb tool, the routed method (`sensor.configure`) or its old tool name (`sensor_configure`). */
  #decide(tool: ToolDefinition, route: ToolRoute, targets: Parameters<typeof decide>[4]): PolicyDecision {
    return decide(this.#o.policy, route.kind, tool.name, route.method, targets);
  }

  async #holdForConfirmation(
    caller: ToolCaller,
    tool: ToolDefinition,
    args: Record<string, unknown>,
    targets: Parameters<typeof decide>[4],
    decision: PolicyDecision,
  ): Promise<ToolOutcome> {
    const confirm_token = this.#tokens.issue(caller.principal.id, { tool: tool.name, args });
    await this.#audit(caller, tool, args, 'confirm', 'confirmation_required', targets.map((d) => d.id));
    return { status: 'confirmation_required', confirm_token, plan: this.plan(tool, args), reason: decision.reason };
  }

  async #run(
    caller: ToolCaller,
    tool: ToolDefinition,
    args: Record<string, unknown>,
    route: ToolRoute,
    decision: 'allow' | 'confirm',
    deviceIds: string[],
  ): Promise<ToolOutcome> {
    const context: CallContext = { transport: caller.via, principal: caller.principal, ...(caller.client !== undefined && { client: caller.client }) };
    const invoke = (method: string, params: Record<string, unknown>): Promise<unknown> => this.#o.services.invoke(method, structuredClone(params), context);
    try {
      const result = await (route.run ? route.run(invoke) : invoke(route.method, route.params));
      await this.#audit(caller, tool, args, decision, 'succeeded', deviceIds);
      return { status: 'ok', result };
    } catch (error) {
      const rpc = toRpcErrorObject(error);
      await this.#audit(caller, tool, args, decision, 'failed', deviceIds, { code: rpc.code, message: rpc.message });
      return { status: 'error', error: rpc };
    }
  }

  async #audit(
    caller: ToolCaller,
    tool: ToolDefinition,
    args: Record<string, unknown>,
    decision: AuditEntry['decision'],
    outcome: AuditEntry['outcome'],
    deviceIds: string[],
    error?: { code: number; message: string },
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
      arguments: auditable(args),
      decision,
      outcome,
      deviceIds,
      ...(error !== undefined && { error }),
    };
    try {
      await this.#o.audit.append(entry);
    } catch (failure) {
      this.#o.services.logger.error({ err: failure, tool: tool.name }, 'audit log write failed');
    }
  }
}

/** The role a tool needs against the principal's (a device never calls tools). */
function mayCall(principal: Principal, tool: ToolDefinition): boolean {
  return principal.kind !== 'device' && roleAtLeast(principal.role, tool.role);
}

function forbidden(tool: Pick<ToolDefinition, 'name' | 'role' | 'method'>, principal: Principal): HubError {
  return new HubError('FORBIDDEN', `Forbidden: ${tool.name} needs the ${tool.role} role; ${principal.id} has ${principal.role ?? 'none'}`, {
    method: tool.method,
    required_role: tool.role,
    role: principal.role ?? null,
  });
}

/** Arguments as the audit log keeps them: beyond the JSON limits (stores serialize them), the issue instead. */
function auditable(args: Record<string, unknown>): Record<string, unknown> {
  const issue = checkJsonLimits(args);
  return issue === undefined ? args : { refused_arguments: issue };
}

/** Arguments compared as canonical JSON (key order does not matter). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
