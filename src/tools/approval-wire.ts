/** The wire form of approvals and grants (approval.*, grant.*, audit.chain), ISO timestamps. */
import { Type, type Static } from '@sinclair/typebox';
import { APPROVAL_STATUSES, type Approval } from '../core/approval.ts';
import type { Grant } from '../core/grant.ts';
import { ROLES } from '../core/principal.ts';
import { iso, JsonObjectSchema } from '../rpc/wire.ts';

const RoleWire = Type.Union(ROLES.map((r) => Type.Literal(r)));
const ErrorWire = Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Optional(Type.Unknown()) });

export const ApprovalStatusWire = Type.Union(APPROVAL_STATUSES.map((s) => Type.Literal(s)));

export const ApprovalWire = Type.Object({
  id: Type.String(),
  status: ApprovalStatusWire,
  created_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time' }),
  requested_by: Type.Object({
    principal: Type.String(),
    kind: Type.String({ description: 'token, user, oidc, local, …' }),
    role: Type.Union([RoleWire, Type.Null()]),
    client: Type.Optional(Type.String()),
  }),
  role_required: RoleWire,
  tool: Type.String(),
  plan: Type.Object({
    summary: Type.String(),
    targets: Type.Array(Type.String({ description: 'device UUID' })),
    params: JsonObjectSchema,
  }),
  decided_by: Type.Optional(Type.Object({ principal: Type.String(), role: RoleWire })),
  decided_at: Type.Optional(Type.String({ format: 'date-time' })),
  reason: Type.Optional(Type.String()),
  outcome: Type.Optional(
    Type.Object({
      status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('denied')]),
      command_ids: Type.Optional(Type.Array(Type.String())),
      error: Type.Optional(ErrorWire),
      result: Type.Optional(Type.Unknown()),
    }),
  ),
  chain_id: Type.String({ description: 'the audit chain of the held call (audit.chain)' }),
});
export type ApprovalWire = Static<typeof ApprovalWire>;

export function approvalToWire(a: Approval): ApprovalWire {
  return {
    id: a.id,
    status: a.status,
    created_at: iso(a.createdAt),
    expires_at: iso(a.expiresAt),
    requested_by: {
      principal: a.requestedBy.principal,
      kind: a.requestedBy.kind,
      role: a.requestedBy.role ?? null,
      ...(a.requestedBy.client !== undefined && { client: a.requestedBy.client }),
    },
    role_required: a.roleRequired,
    tool: a.tool,
    plan: { summary: a.plan.summary, targets: [...a.plan.targets], params: a.plan.params },
    ...(a.decidedBy !== undefined && { decided_by: { ...a.decidedBy } }),
    ...(a.decidedAt !== undefined && { decided_at: iso(a.decidedAt) }),
    ...(a.reason !== undefined && { reason: a.reason }),
    ...(a.outcome !== undefined && {
      outcome: {
        status: a.outcome.status,
        ...(a.outcome.command_ids !== undefined && { command_ids: [...a.outcome.command_ids] }),
        ...(a.outcome.error !== undefined && { error: a.outcome.error }),
        ...(a.outcome.result !== undefined && { result: a.outcome.result }),
      },
    }),
    chain_id: a.chainId,
  };
}

export const GrantWire = Type.Object({
  id: Type.String(),
  tool: Type.String(),
  device_ids: Type.Array(Type.String()),
  principal: Type.Optional(Type.String({ description: 'only calls by this principal; absent: any principal whose role allows the tool' })),
  created_by: Type.Object({ principal: Type.String(), role: RoleWire }),
  created_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time' }),
  revoked_at: Type.Optional(Type.String({ format: 'date-time' })),
  note: Type.Optional(Type.String()),
});
export type GrantWire = Static<typeof GrantWire>;

export function grantToWire(g: Grant): GrantWire {
  return {
    id: g.id,
    tool: g.tool,
    device_ids: [...g.deviceIds],
    ...(g.principal !== undefined && { principal: g.principal }),
    created_by: { ...g.createdBy },
    created_at: iso(g.createdAt),
    expires_at: iso(g.expiresAt),
    ...(g.revokedAt !== undefined && { revoked_at: iso(g.revokedAt) }),
    ...(g.note !== undefined && { note: g.note }),
  };
}
