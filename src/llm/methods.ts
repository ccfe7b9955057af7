/** llm.execute_command, llm.confirm and audit.list: natural-language commands, a person's approval of held actions, and the log of what LLMs did. */
import { Type, type Static } from '@sinclair/typebox';
import { AUDIT_OUTCOMES, type AuditEntry } from '../core/audit.ts';
import type { LlmCommandRunner } from './index.ts';
import type { AuditStore } from '../core/ports/audit-store.ts';
import { toolName } from '../tools/tool-definition.ts';
import type { ToolCaller, ToolOutcome, ToolRunner } from '../tools/tool-runner.ts';
import { defineMethod, type CallContext, type MethodDefinition } from '../rpc/method.ts';
import { iso, JsonObjectSchema, Timestamp, timestampParam, Uuid } from '../rpc/wire.ts';

export interface LlmMethodServices {
  readonly llm: LlmCommandRunner;
  readonly tools: ToolRunner;
  readonly audit: AuditStore;
}

/** Hidden from the LLM tool list (src/tools/tool-catalog.ts): an LLM must not run commands or approve plans itself. */
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
  tool: Type.String(),
  arguments: JsonObjectSchema,
  status: OutcomeStatus,
  result: Type.Optional(Type.Unknown()),
  error: Type.Optional(ErrorWire),
  reason: Type.Optional(Type.String({ description: 'why it was denied or held' })),
  confirm_token: Type.Optional(Type.String()),
});
const PendingWire = Type.Object({ confirm_token: Type.String(), plan: PlanWire, reason: Type.String() });
const OutcomeWire = Type.Object({
  status: OutcomeStatus,
  result: Type.Optional(Type.Unknown()),
  error: Type.Optional(ErrorWire),
  reason: Type.Optional(Type.String()),
});
const AuditWire = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  principal: Type.String(),
  via: Type.Union([Type.Literal('mcp'), Type.Literal('llm')]),
  tool: Type.String(),
  arguments: JsonObjectSchema,
  decision: Type.Union([Type.Literal('allow'), Type.Literal('confirm'), Type.Literal('deny')]),
  outcome: Type.Union(AUDIT_OUTCOMES.map((o) => Type.Literal(o))),
  error: Type.Optional(Type.Object({ code: Type.Integer(), message: Type.String() })),
  device_ids: Type.Array(Type.String()),
});

/** Who asked, for the policy and the audit log: the transport's principal (remote address, MQTT client), else the transport. */
const callerOf = (context: CallContext): ToolCaller => ({ principal: context.principal ?? context.transport, via: 'llm' });

export function llmMethods({ llm, tools, audit }: LlmMethodServices): MethodDefinition[] {
  return [
    defineMethod({
      name: 'llm.execute_command',
      summary: 'Carry out a natural-language command with the configured LLM, through the same tools, policy and audit log as MCP.',
      description:
        'The answer comes with every tool call made and its outcome, and the writes held for approval (pending_confirmations: approve with llm.confirm). ' +
        'dry_run: write and destructive tools only produce plans. Errors: LLM_NOT_CONFIGURED, LLM_PROVIDER_ERROR (data.tool_calls lists what already ran).',
      kind: 'write',
      tags: ['llm', OPERATOR_ONLY],
      params: Type.Object({
        command: Type.String({ minLength: 1, maxLength: 20_000, description: 'what to do, in plain language' }),
        max_steps: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'most model calls; capped at --llm-max-steps' })),
        dry_run: Type.Optional(Type.Boolean({ description: 'true: write and destructive tools are not executed; each becomes a plan awaiting llm.confirm' })),
      }),
      result: Type.Object({
        answer: Type.String(),
        tool_calls: Type.Array(ToolCallWire),
        pending_confirmations: Type.Array(PendingWire),
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
      name: 'llm.confirm',
      summary: 'Approve a held action by its confirm_token (from llm.execute_command or MCP) and run it now; the answer is its outcome.',
      description: 'Tokens are single-use and expire after 5 minutes; the policy is checked again before running. Errors: CONFIRMATION_INVALID.',
      kind: 'write',
      tags: ['llm', OPERATOR_ONLY],
      params: Type.Object({ confirm_token: Type.String({ minLength: 1, maxLength: 200 }) }),
      result: OutcomeWire,
      async handler(params, context) {
        return outcomeToWire(await tools.confirm(params.confirm_token, callerOf(context)));
      },
    }),
    defineMethod({
      name: 'audit.list',
      summary: 'The audit log of LLM-initiated actions (MCP and llm.execute_command): who, which tool, arguments, policy decision, outcome; newest first.',
      kind: 'read',
      tags: ['audit', OPERATOR_ONLY],
      params: Type.Object({
        since: Type.Optional(Timestamp),
        tool: Type.Optional(Type.String({ minLength: 1, description: 'tool (sensor_configure) or method (sensor.configure) name' })),
        principal: Type.Optional(Type.String({ minLength: 1 })),
        outcome: Type.Optional(Type.Union(AUDIT_OUTCOMES.map((o) => Type.Literal(o)))),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
      }),
      result: Type.Object({ entries: Type.Array(AuditWire) }),
      async handler(params) {
        const since = params.since === undefined ? undefined : timestampParam(params.since, '/since');
        const entries = await audit.list({
          ...(since !== undefined && { since }),
          ...(params.tool !== undefined && { tool: toolName(params.tool) }),
          ...(params.principal !== undefined && { principal: params.principal }),
          ...(params.outcome !== undefined && { outcome: params.outcome }),
          limit: params.limit ?? 100,
        });
        return { entries: entries.map(auditToWire) };
      },
    }),
  ];
}

function outcomeToWire(outcome: ToolOutcome): Static<typeof OutcomeWire> {
  switch (outcome.status) {
    case 'ok':
      return { status: 'ok', result: outcome.result };
    case 'error':
      return { status: 'error', error: outcome.error };
    case 'denied':
    case 'confirmation_required':
      return { status: outcome.status, reason: outcome.reason };
  }
}

function auditToWire(entry: AuditEntry): Static<typeof AuditWire> {
  return {
    id: entry.id,
    at: iso(entry.at),
    principal: entry.principal,
    via: entry.via,
    tool: entry.tool,
    arguments: entry.arguments,
    decision: entry.decision,
    outcome: entry.outcome,
    ...(entry.error !== undefined && { error: entry.error }),
    device_ids: [...entry.deviceIds],
  };
}
