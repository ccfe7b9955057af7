/**
 * approval.list / get / decide / subscribe and grant.create / list / revoke: a person's side of
 * LLM actuation. The dashboard's approvals page is built on exactly these (docs/api.md).
 */
import { Type } from '@sinclair/typebox';
import { HubError } from '../core/errors.ts';
import { DeviceFilterParams, selectDevices } from '../app/filter-params.ts';
import type { HubServices } from '../app/services.ts';
import { defineMethod, type MethodDefinition } from '../rpc/method.ts';
import { DeviceRef } from '../rpc/wire.ts';
import { approvalToWire, ApprovalStatusWire, ApprovalWire, grantToWire, GrantWire } from './approval-wire.ts';
import { toolName } from './tool-definition.ts';
import type { ToolRunner } from './tool-runner.ts';
import type { Grants } from './grants.ts';

/** Hidden from the LLM's tools (src/tools/tool-catalog.ts): an LLM must never approve or grant. */
const OPERATOR_ONLY = 'operator-only';
/** The notification a subscribed connection gets for every created, decided or expired approval. */
export const APPROVAL_NOTIFICATION = 'approval.changed';

export function approvalMethods(services: HubServices, tools: ToolRunner, grants: Grants): MethodDefinition[] {
  const approvals = tools.approvals;
  return [
    defineMethod({
      name: 'approval.list',
      summary: 'Actions an LLM (MCP or llm.execute_command) asked for that wait for, or had, a person\'s approval; newest first.',
      kind: 'read',
      tags: ['approval', OPERATOR_ONLY],
      params: Type.Object({
        status: Type.Optional(Type.Union([ApprovalStatusWire, Type.Literal('all')], { default: 'pending' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
      }),
      result: Type.Object({ approvals: Type.Array(ApprovalWire) }),
      async handler(params) {
        return { approvals: (await approvals.list(params.status ?? 'pending', params.limit ?? 100)).map(approvalToWire) };
      },
    }),
    defineMethod({
      name: 'approval.get',
      summary: 'One approval: who asked, what it would do on which devices, who decided, and what came of it.',
      kind: 'read',
      tags: ['approval', OPERATOR_ONLY],
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
      result: ApprovalWire,
      async handler(params) {
        return approvalToWire(await approvals.get(params.id));
      },
    }),
    defineMethod({
      name: 'approval.decide',
      summary: 'Approve or decline a pending action; approving runs it now and the answer carries its outcome and command ids.',
      description:
        'Only a logged-in person (browser session) whose role reaches role_required may decide, and never the principal that asked: API tokens, MCP and OIDC clients and LLMs get FORBIDDEN (-32031). ' +
        'Errors: APPROVAL_NOT_FOUND (-32041), APPROVAL_NOT_PENDING (-32042).',
      kind: 'write',
      tags: ['approval', OPERATOR_ONLY],
      params: Type.Object({
        id: Type.String({ minLength: 1, maxLength: 100 }),
        decision: Type.Union([Type.Literal('approve'), Type.Literal('decline')]),
        reason: Type.Optional(Type.String({ maxLength: 2000 })),
      }),
      result: ApprovalWire,
      async handler(params, context) {
        return approvalToWire(await approvals.decide(params.id, params.decision, params.reason, context));
      },
    }),
    defineMethod({
      name: 'approval.subscribe',
      summary: `Push an ${APPROVAL_NOTIFICATION} notification with the approval each time one is created, decided, expires or gets its outcome (WebSocket, MQTT).`,
      kind: 'read',
      tags: ['approval', 'stream', OPERATOR_ONLY],
      params: Type.Object({}),
      result: Type.Object({ subscribed: Type.Boolean() }),
      async handler(_params, context) {
        const { notify, onClose, session } = context;
        if (!notify || !onClose || !session) throw new HubError('UNSUPPORTED_OPERATION', 'approval.subscribe needs a connection that can receive notifications (WebSocket)');
        if (session.has(APPROVAL_NOTIFICATION)) return { subscribed: true };
        const off = services.events.on('approval.changed', ({ approval }) => notify(APPROVAL_NOTIFICATION, approvalToWire(approval)));
        session.set(APPROVAL_NOTIFICATION, off);
        onClose(off);
        return { subscribed: true };
      },
    }),
    defineMethod({
      name: 'grant.create',
      summary: 'Let one tool run on these devices without asking for N minutes (a grant for a task), optionally for one requesting principal only; envelopes still apply.',
      description:
        'Only a logged-in person whose role reaches the tool\'s may grant it (FORBIDDEN otherwise). A filter is resolved to devices now. A call is covered when its tool matches, every device it targets is in the grant, and the granting person\'s role reaches the call\'s kind (a run_command reboot needs an admin\'s grant).',
      kind: 'write',
      tags: ['grant', OPERATOR_ONLY],
      params: Type.Object({
        tool: Type.String({ minLength: 1, maxLength: 128, description: 'the LLM tool it covers (configure_device, run_command, update_device)' }),
        device_ids: Type.Optional(Type.Array(DeviceRef, { minItems: 1, maxItems: 10_000 })),
        filter: Type.Optional(DeviceFilterParams),
        minutes: Type.Integer({ minimum: 1, maximum: 1440 }),
        principal: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'only this requesting principal (e.g. token:abc)' })),
        note: Type.Optional(Type.String({ maxLength: 2000 })),
      }),
      result: GrantWire,
      async handler(params, context) {
        const tool = tools.tool(toolName(params.tool));
        if (tool === undefined) {
          throw new HubError('INVALID_PARAMS', `Invalid params: no tool ${params.tool}`, { issues: [{ path: '/tool', message: 'must name a tool an LLM is offered' }] });
        }
        const devices = selectDevices(services, 'grant.create', params.device_ids, params.filter);
        const grant = await grants.create(
          {
            tool: tool.name,
            toolRole: tool.role,
            devices,
            minutes: params.minutes,
            ...(params.principal !== undefined && { principal: params.principal }),
            ...(params.note !== undefined && { note: params.note }),
          },
          context,
        );
        return grantToWire(grant);
      },
    }),
    defineMethod({
      name: 'grant.list',
      summary: 'Grants for a task, newest first: live ones only unless all is true.',
      kind: 'read',
      role: 'operator',
      tags: ['grant', OPERATOR_ONLY],
      params: Type.Object({
        all: Type.Optional(Type.Boolean({ description: 'true: expired and revoked grants too' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
      }),
      result: Type.Object({ grants: Type.Array(GrantWire) }),
      async handler(params) {
        return { grants: (await grants.list(params.all === true, params.limit ?? 100)).map(grantToWire) };
      },
    }),
    defineMethod({
      name: 'grant.revoke',
      summary: 'End a grant now: matching calls wait for approval again. Errors: GRANT_NOT_FOUND (-32043).',
      kind: 'write',
      tags: ['grant', OPERATOR_ONLY],
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
      result: GrantWire,
      async handler(params) {
        return grantToWire(await grants.revoke(params.id));
      },
    }),
  ];
}
