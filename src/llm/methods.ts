/** llm.execute_command, audit.list and audit.chain: natural-language commands, and the log of what LLMs and people did, linked by chain. */
import { Type, type Static } from '@sinclair/typebox';
import { AUDIT_OUTCOMES, AUDIT_VIAS, type AuditEntry } from '../core/audit.ts';
import { ROLES } from '../core/principal.ts';
import { HubError } from '../core/errors.ts';
import { approvalToWire, ApprovalWire } from '../tools/approval-wire.ts';
import { commandToWire, CommandWire } from '../rpc/wire.ts';
import type { HubServices } from '../app/services.ts';
import type { LlmCommandRunner } from './index.ts';
import type { AuditStore } from '../core/ports/audit-store.ts';
import type { ToolCaller, ToolOutcome, ToolRunner } from '../tools/tool-runner.ts';
import { defineMethod, type CallContext, type MethodDefinition } from '../rpc/method.ts';
import { iso, JsonObjectSchema, Timestamp, timestampParam, Uuid } from '../rpc/wire.ts';

export interface LlmMethodServices {
  readonly llm: LlmCommandRunner;
  readonly tools: ToolRunner;
  readonly audit: AuditStore;
  readonly services: HubServices;
}

/** Hidden from the LLM tool list (src/tools/tool-catalog.ts): an LLM must not run commands or read the audit log itself. */
const OPERATOR_ONLY = 'operator-only';

const ErrorWire = Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Optional(Type.Unknown()) });
const OutcomeStatus = Type.Union([Type.Literal('ok'), Type.Literal('error'), Type.Literal('denied'), Type.Literal('confirmation_required')]);
const PlanWire = Type.Object({
  tool: Type.String(),
  method: Type.String(),
  kind: Type.Union([Type.Literal('read'), Type.Literal('write'), Type.Literal('destructive')]),
  arguments: JsonObjectSchema,
  devices: Type.Array(Type.Object({ device_id: Uuid, hardware_id: Type.String(), model: Type.String(), zone: Type.Union([Type.String(), Type.Null()]) })),
});
const ToolCallWire = Type.Object({
  tool: Type.String({ description: 'the tool (configure_device); for a JSON-RPC call, its method in the tools\' spelling (sensor_configure)' }),
  method: Type.Optional(Type.String({ description: 'the JSON-RPC method the call ran or would have run (sensor.configure): the same for a verb tool and a JSON-RPC call; absent from entries written before it was recorded' })),
  arguments: JsonObjectSchema,
  status: OutcomeStatus,
  result: Type.Optional(Type.Unknown()),
  error: Type.Optional(ErrorWire),
  reason: Type.Optional(Type.String({ description: 'why it was denied or held' })),
  approval_id: Type.Optional(Type.String({ description: 'the approval holding it (approval.get)' })),
  chain_id: Type.Optional(Type.String({ description: 'its audit chain (audit.chain)' })),
  grant_id: Type.Optional(Type.String({ description: 'the grant for a task it ran under' })),
});
const PendingWire = Type.Object({
  approval_id: Type.String(),
  approval_url: Type.String({ description: 'the approvals page: {public base}/#/approvals/{id}' }),
  expires_at: Type.String({ format: 'date-time' }),
  plan: PlanWire,
  reason: Type.String(),
});
const AuditWire = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  principal: Type.String(),
  role: Type.Optional(Type.Union(ROLES.map((r) => Type.Literal(r)))),
  client: Type.Optional(Type.String()),
  via: Type.Union(AUDIT_VIAS.map((v) => Type.Literal(v))),
  tool: Type.String(),
  arguments: JsonObjectSchema,
  decision: Type.Union([Type.Literal('allow'), Type.Literal('confirm'), Type.Literal('deny')]),
  outcome: Type.Union(AUDIT_OUTCOMES.map((o) => Type.Literal(o))),
  error: Type.Optional(Type.Object({ code: Type.Integer(), message: Type.String() })),
  device_ids: Type.Array(Type.String()),
  chain_id: Type.Optional(Type.String({ description: 'the audit chain (audit.chain): an LLM tool call, its approval, its commands' })),
  approval_id: Type.Optional(Type.String()),
  grant_id: Type.Optional(Type.String()),
  command_ids: Type.Optional(Type.Array(Type.String())),
});

/** Who asked, for the role check, the approval and the audit log: the transport's principal (in-process: the hub itself). */
const callerOf = (context: CallContext): ToolCaller => ({
  principal: context.principal ?? { id: context.transport, kind: 'local', role: 'admin' },
  ...(context.client !== undefined && { client: context.client }),
  via: 'llm',
});

export function llmMethods({ llm, tools, audit, services }: LlmMethodServices): MethodDefinition[] {
  return [
    defineMethod({
      name: 'llm.execute_command',
      summary: 'Carry out a natural-language command with the configured LLM, through the same tools, policy and audit log as MCP.',
      description:
        'The answer comes with every tool call made and its outcome, and the actions held for a person\'s approval (pending_approvals: a logged-in person decides on the approvals page, approval.decide). ' +
        'dry_run: write and destructive tools only produce approvals. Errors: LLM_NOT_CONFIGURED, LLM_PROVIDER_ERROR (data.tool_calls lists what already ran).',
      kind: 'write',
      tags: ['llm', OPERATOR_ONLY],
      params: Type.Object({
        command: Type.String({ minLength: 1, maxLength: 20_000, description: 'what to do, in plain language' }),
        max_steps: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'most model calls; capped at --llm-max-steps' })),
        dry_run: Type.Optional(Type.Boolean({ description: 'true: write and destructive tools are not executed; each becomes an approval awaiting a person' })),
      }),
      result: Type.Object({
        answer: Type.String(),
        tool_calls: Type.Array(ToolCallWire),
        pending_approvals: Type.Array(PendingWire),
        steps: Type.Integer(),
        step_limit_reached: Type.Boolean(),
        dry_run: Type.Boolean(),
        finish_reason: Type.String(),
        model: Type.String(),
        provider: Type.Union([Type.Literal('anthropic'), Type.Literal('openai'), Type.Literal('openai-compatible')]),
        usage: Type.Object({ input_tokens: Type.Optional(Type.Integer()), output_tokens: Type.Optional(Type.Integer()) }),
      }),
      examples: [{ name: 'the seed command', params: { command: 'Read temperature from all BMP580 sensors in the greenhouse' } }],
      async handler(params, context) {
        return llm.execute(
          { command: params.command, ...(params.max_steps !== undefined && { maxSteps: params.max_steps }), ...(params.dry_run !== undefined && { dryRun: params.dry_run }) },
          callerOf(context),
        );
      },
    }),
    defineMethod({
      name: 'audit.list',
      summary: 'The audit log: LLM-initiated actions (MCP and llm.execute_command) and every write, destructive or refused call over HTTP and WebSocket: who (principal, role), which tool or method, arguments, decision, outcome, chain; newest first.',
      kind: 'read',
      // Who did what, with which arguments: for the people who answer for the hub.
      role: 'admin',
      tags: ['audit', OPERATOR_ONLY],
      params: Type.Object({
        since: Type.Optional(Timestamp),
        tool: Type.Optional(Type.String({ minLength: 1, description: 'a tool (configure_device) or JSON-RPC method (sensor.configure, or sensor_configure): entries of that tool, and every entry whose call ran that method, whether a verb tool or a JSON-RPC call' })),
        method: Type.Optional(Type.String({ minLength: 1, description: 'a JSON-RPC method (sensor.configure): entries whose call ran it, from a verb tool or JSON-RPC alike' })),
        principal: Type.Optional(Type.String({ minLength: 1 })),
        outcome: Type.Optional(Type.Union(AUDIT_OUTCOMES.map((o) => Type.Literal(o)))),
        chain_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
      }),
      result: Type.Object({ entries: Type.Array(AuditWire) }),
      async handler(params) {
        const since = params.since === undefined ? undefined : timestampParam(params.since, '/since');
        const entries = await audit.list({
          ...(since !== undefined && { since }),
          ...(params.tool !== undefined && { tool: params.tool }),
          ...(params.method !== undefined && { method: params.method }),
          ...(params.principal !== undefined && { principal: params.principal }),
          ...(params.outcome !== undefined && { outcome: params.outcome }),
          ...(params.chain_id !== undefined && { chainId: params.chain_id }),
          limit: params.limit ?? 100,
        });
        return { entries: entries.map(auditToWire) };
      },
    }),
    defineMethod({
      name: 'audit.chain',
      summary: 'One linked record, from the sentence to the device: the LLM tool call, the approval or grant that let it run, the commands it sent and each device\'s answer.',
      description: 'id: a chain id (audit.list chain_id, tool_calls[].chain_id), an approval id or a command id. Entries oldest first.',
      kind: 'read',
      role: 'admin',
      tags: ['audit', OPERATOR_ONLY],
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
      result: Type.Object({
        chain_id: Type.String(),
        entries: Type.Array(AuditWire),
        approval: Type.Optional(ApprovalWire),
        commands: Type.Array(CommandWire, { description: 'the commands sent, each with its state and the device\'s answer (result or error, completed_at)' }),
      }),
      async handler(params) {
        const chainId = await chainOf(params.id, tools, services);
        const entries = (await audit.list({ chainId, limit: 1000 })).reverse();
        if (entries.length === 0) throw new HubError('INVALID_PARAMS', `Invalid params: no audit chain, approval or command ${params.id}`, { issues: [{ path: '/id', message: 'unknown chain' }] });
        const approvalId = entries.find((e) => e.approvalId !== undefined)?.approvalId;
        const approval = approvalId === undefined ? undefined : await tools.approvals.get(approvalId).catch(() => undefined);
        const commandIds = [...new Set(entries.flatMap((e) => e.commandIds ?? []))];
        const commands = (await Promise.all(commandIds.map((id) => services.registryStore.getCommand(id)))).flatMap((c) => (c === undefined ? [] : [commandToWire(c)]));
        return { chain_id: chainId, entries: entries.map(auditToWire), ...(approval !== undefined && { approval: approvalToWire(approval) }), commands };
      },
    }),
  ];
}

/** The chain an id names: an approval's, a command's, or the id itself. */
async function chainOf(id: string, tools: ToolRunner, services: HubServices): Promise<string> {
  const approval = await tools.approvals.get(id).catch(() => undefined);
  if (approval !== undefined) return approval.chainId;
  const command = await services.registryStore.getCommand(id);
  return command?.origin.chain ?? id;
}

function auditToWire(entry: AuditEntry): Static<typeof AuditWire> {
  return {
    id: entry.id,
    at: iso(entry.at),
    principal: entry.principal,
    ...(entry.role !== undefined && { role: entry.role }),
    ...(entry.client !== undefined && { client: entry.client }),
    via: entry.via,
    tool: entry.tool,
    ...(entry.method !== undefined && { method: entry.method }),
    arguments: entry.arguments,
    decision: entry.decision,
    outcome: entry.outcome,
    ...(entry.error !== undefined && { error: entry.error }),
    device_ids: [...entry.deviceIds],
    ...(entry.chainId !== undefined && { chain_id: entry.chainId }),
    ...(entry.approvalId !== undefined && { approval_id: entry.approvalId }),
    ...(entry.grantId !== undefined && { grant_id: entry.grantId }),
    ...(entry.commandIds !== undefined && { command_ids: [...entry.commandIds] }),
  };
}
