// Approvals: actions held for a person (LLM confirm-first writes), each with its plan; approve or decline, and who decided (approval.* methods).
import { useState } from 'preact/hooks';
import type { Permissions } from '../api/permissions.ts';
import { errorText, rpc } from '../api/rpc-client.ts';
import { roleAtLeast, type Approval, type Role } from '../api/types.ts';
import { ConfirmDialog, type ConfirmRequest } from '../components/confirm-dialog.tsx';
import { useLoad, useNow } from '../components/hooks.ts';
import { Notice, StatusBadge } from '../components/notice.tsx';
import { SelectField } from '../components/select-field.tsx';
import { age, json, time } from '../format.ts';
import { approvalHref, deviceHref } from '../router.ts';

const STATUSES = ['pending', 'approved', 'declined', 'expired', 'all'] as const;

export function ApprovalsPage({ permissions }: { permissions: Permissions }) {
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('pending');
  const now = useNow(5_000);
  const supported = permissions.has('approval.list');
  const list = useLoad(
    (signal) => (supported ? rpc<{ approvals: Approval[] }>('approval.list', { status, limit: 200 }, signal) : Promise.resolve({ approvals: [] })),
    [status, supported],
    5_000,
  );
  return (
    <section aria-labelledby="approvals-title">
      <h1 id="approvals-title">Approvals</h1>
      {!supported ? (
        <p>This hub does not hold actions for approval (it has no approval.list method).</p>
      ) : (
        <>
          <form class="filters" aria-label="Filter approvals" onSubmit={(e) => e.preventDefault()}>
            <SelectField label="Status" value={status} onChange={(v) => setStatus(v as (typeof STATUSES)[number])} options={STATUSES} />
          </form>
          <Notice error={list.error} loading={list.loading && list.data === undefined} />
          {list.data !== undefined &&
            (list.data.approvals.length === 0 ? (
              <p class="muted" data-testid="no-approvals">
                Nothing {status === 'all' ? '' : status}.
              </p>
            ) : (
              <ul class="approvals" data-testid="approval-list">
                {list.data.approvals.map((a) => (
                  <li key={a.id} class="card">
                    <h2>
                      <a href={approvalHref(a.id)}>{a.plan.summary}</a>
                    </h2>
                    <p>
                      <StatusBadge status={a.status} /> <code>{a.tool}</code> on {a.plan.targets.length} target{a.plan.targets.length === 1 ? '' : 's'} · asked by {a.requested_by.principal}{' '}
                      {age(a.created_at, now)}
                      {a.status === 'pending' ? ` · expires ${time(a.expires_at)}` : ''}
                    </p>
                    {a.decided_by !== undefined && (
                      <p class="small">
                        {a.status} by {a.decided_by.principal} {a.decided_at !== undefined ? age(a.decided_at, now) : ''}
                      </p>
                    )}
                  </li>
                ))}
              </ul>
            ))}
        </>
      )}
    </section>
  );
}

/**
 * Only a person logged in from a browser decides (principal kind `user`, docs/security.md): the local
 * admin of a hub without users, tokens and LLMs cannot, so the page does not offer it to them.
 */
export function ApprovalPage({ id, permissions, role, loggedIn }: { id: string; permissions: Permissions; role: Role; loggedIn: boolean }) {
  const item = useLoad((signal) => rpc<Approval>('approval.get', { id }, signal), [id], 5_000);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>(undefined);
  const a = item.data;
  const decide = async (decision: 'approve' | 'decline'): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await rpc<Approval>('approval.decide', { id, decision, ...(reason.trim() !== '' && { reason: reason.trim() }) });
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
      item.reload();
    }
  };
  const mayDecide = a !== undefined && a.status === 'pending' && loggedIn && permissions.can('approval.decide') && roleAtLeast(role, a.role_required);
  return (
    <section aria-labelledby="approval-title">
      <p class="crumbs">
        <a href="#/approvals">Approvals</a> › {id}
      </p>
      <Notice error={item.error} loading={item.loading && a === undefined} />
      {a !== undefined && (
        <>
          <h1 id="approval-title">{a.plan.summary}</h1>
          <dl class="facts" data-testid="approval-facts">
            <div>
              <dt>Status</dt>
              <dd data-testid="approval-status">
                <StatusBadge status={a.status} />
              </dd>
            </div>
            <div>
              <dt>Tool</dt>
              <dd>
                <code>{a.tool}</code>
              </dd>
            </div>
            <div>
              <dt>Asked by</dt>
              <dd>
                {a.requested_by.principal} ({a.requested_by.kind}
                {a.requested_by.role !== null ? `, ${a.requested_by.role}` : ''}
                {a.requested_by.client !== undefined ? `, ${a.requested_by.client}` : ''})
              </dd>
            </div>
            <div>
              <dt>Needs</dt>
              <dd>{a.role_required}</dd>
            </div>
            <div>
              <dt>Asked at</dt>
              <dd>{time(a.created_at)}</dd>
            </div>
            <div>
              <dt>Expires</dt>
              <dd>{time(a.expires_at)}</dd>
            </div>
            {a.decided_by !== undefined && (
              <div>
                <dt>Decided by</dt>
                <dd data-testid="approval-decider">
                  {a.decided_by.principal}
                  {a.decided_by.role !== null ? ` (${a.decided_by.role})` : ''} at {time(a.decided_at)}
                </dd>
              </div>
            )}
            {a.reason !== undefined && (
              <div>
                <dt>Reason</dt>
                <dd>{a.reason}</dd>
              </div>
            )}
          </dl>
          <h2>Plan</h2>
          <p>
            Targets:{' '}
            {a.plan.targets.length === 0
              ? '—'
              : a.plan.targets.map((target, i) => (
                  <span key={target}>
                    {i > 0 && ', '}
                    <a href={deviceHref(target)}>{target}</a>
                  </span>
                ))}
          </p>
          <pre data-testid="approval-plan">{json(a.plan.params)}</pre>
          {a.outcome !== undefined && (
            <>
              <h2>Outcome</h2>
              <pre data-testid="approval-outcome">{json(a.outcome)}</pre>
            </>
          )}
          {mayDecide ? (
            <form class="decide" onSubmit={(e) => e.preventDefault()} aria-label="Decide">
              <label>
                Reason (optional)
                <textarea rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
              </label>
              <div class="actions">
                <button
                  type="button"
                  class="primary"
                  disabled={busy}
                  onClick={() =>
                    setConfirm({ title: 'Approve this action', body: <p>{`${a.plan.summary} It runs now, on ${a.plan.targets.length} device(s).`}</p>, confirmLabel: 'Approve', onConfirm: () => void decide('approve') })
                  }
                >
                  Approve…
                </button>
                <button type="button" class="danger" disabled={busy} onClick={() => void decide('decline')}>
                  Decline
                </button>
              </div>
            </form>
          ) : (
            a.status === 'pending' && (
              <p class="muted" data-testid="cannot-decide">
                {loggedIn
                  ? `Your role cannot decide this action (it needs ${a.role_required}).`
                  : 'Only a person who logged in decides: add a user (llm-iot user add NAME --role operator) and log in.'}
              </p>
            )
          )}
          <Notice error={error} />
          <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
        </>
      )}
    </section>
  );
}
