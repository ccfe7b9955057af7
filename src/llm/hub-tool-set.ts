/**
 * The hub's tools as AI SDK tools: each ToolDefinition's JSON Schema through jsonSchema(), each
 * execution through ToolRunner.call (policy, approval, grants, audit), each outcome back to the model as
 * compact JSON that says plainly whether anything happened.
 */
import { dynamicTool, jsonSchema, type JSONSchema7, type ToolSet } from 'ai';
import { errorObject } from '../core/errors.ts';
import type { ToolDefinition } from '../tools/tool-definition.ts';
import type { ToolCaller, ToolOutcome, ToolRunner } from '../tools/tool-runner.ts';
import type { ToolJournal } from './tool-journal.ts';

/** Largest tool result (as JSON characters) sent back to the model whole; larger ones are cut and marked. */
export const MAX_RESULT_CHARS = 24_000;

export interface HubToolSetOptions {
  readonly runner: ToolRunner;
  readonly caller: ToolCaller;
  /** Hold every write and destructive call for approval (llm.execute_command dry_run). */
  readonly dryRun: boolean;
  readonly journal: ToolJournal;
}

export function hubToolSet({ runner, caller, dryRun, journal }: HubToolSetOptions): ToolSet {
  const set: ToolSet = {};
  for (const definition of runner.tools()) {
    set[definition.name] = dynamicTool({
      description: definition.description,
      inputSchema: jsonSchema(definition.inputSchema as JSONSchema7),
      execute: async (input, { toolCallId }) => {
        if (input === null || typeof input !== 'object' || Array.isArray(input)) {
          const error = errorObject('INVALID_PARAMS', `Invalid params: ${definition.name} takes a JSON object of named arguments`);
          journal.rejected(toolCallId, definition.name, {}, error);
          return forModel({ status: 'error', error }, (id) => runner.approvals.url(id));
        }
        const args = input as Record<string, unknown>;
        journal.started(toolCallId, definition.name, args);
        const outcome = await runner.call(definition.name, args, caller, { hold: dryRun });
        journal.finished(toolCallId, outcome);
        return forModel(outcome, (id) => runner.approvals.url(id));
      },
    });
  }
  return set;
}

/** The outcome as the model reads it. */
export function forModel(outcome: ToolOutcome, url: (approvalId: string) => string): Record<string, unknown> {
  switch (outcome.status) {
    case 'ok': {
      const json = JSON.stringify(outcome.result ?? null);
      if (json.length <= MAX_RESULT_CHARS) return { status: 'ok', result: outcome.result ?? null };
      return { status: 'ok', truncated: true, note: `result cut to ${MAX_RESULT_CHARS} of ${json.length} characters; narrow the query`, result_json_start: json.slice(0, MAX_RESULT_CHARS) };
    }
    case 'error':
      return { status: 'error', error: outcome.error };
    case 'denied':
      return { status: 'denied', executed: false, reason: outcome.reason, note: 'Refused by the hub policy. Not executed; do not retry or work around it.' };
    case 'confirmation_required':
      return {
        status: 'confirmation_required',
        executed: false,
        approval_id: outcome.approval.id,
        approval_url: url(outcome.approval.id),
        would_act_on: outcome.plan.devices.map((d) => d.hardware_id),
        reason: outcome.reason,
        note: `Approval required — NOT executed. A person must approve it at ${url(outcome.approval.id)} before anything happens. Do not call the tool again for it and do not say it was done.`,
      };
  }
}
