// Audit log: who did what through the API and the LLM, with decision and outcome (audit.list; admins only).
import { useState } from 'preact/hooks';
import type { Permissions } from '../api/permissions.ts';
import { rpc } from '../api/rpc-client.ts';
import type { AuditEntry } from '../api/types.ts';
import { useDebouncedInput, useLoad } from '../components/hooks.ts';
import { Notice, StatusBadge } from '../components/notice.tsx';
import { SelectField } from '../components/select-field.tsx';
import { time } from '../format.ts';

/** audit.list's outcomes (src/core/audit.ts AUDIT_OUTCOMES): anything else is refused as invalid params. */
const OUTCOMES = ['succeeded', 'failed', 'denied', 'confirmation_required', 'declined'];

export function AuditPage({ permissions }: { permissions: Permissions }) {
  if (!permissions.can('audit.list')) {
    return (
      <section aria-labelledby="audit-title">
        <h1 id="audit-title">Audit log</h1>
        <p>The audit log is for admins: your role cannot read it.</p>
      </section>
    );
  }
  return <AuditLog />;
}

function AuditLog() {
  const [tool, setTool] = useState('');
  const [principal, setPrincipal] = useState('');
  const [outcome, setOutcome] = useState('');
  const [since, setSince] = useState('');
  const { settled: params, pending } = useDebouncedInput({ tool, principal, outcome, since });
  const list = useLoad(
    (signal) =>
      rpc<{ entries: AuditEntry[] }>(
        'audit.list',
        {
          ...(params.tool.trim() !== '' && { tool: params.tool.trim() }),
          ...(params.principal.trim() !== '' && { principal: params.principal.trim() }),
          ...(params.outcome !== '' && { outcome: params.outcome }),
          ...(params.since !== '' && { since: new Date(params.since).toISOString() }),
          limit: 200,
        },
        signal,
      ),
    [JSON.stringify(params)],
    10_000,
  );
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <form class="filters" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <label>
          Tool or method
          <input value={tool} onInput={(e) => setTool(e.currentTarget.value)} placeholder="configure_device, device.update" />
        </label>
        <label>
          Principal
          <input value={principal} onInput={(e) => setPrincipal(e.currentTarget.value)} placeholder="user:alice" />
        </label>
        <SelectField label="Outcome" empty="any" value={outcome} onChange={setOutcome} options={OUTCOMES} />
        <label>
          Since
          <input type="datetime-local" value={since} onInput={(e) => setSince(e.currentTarget.value)} />
        </label>
      </form>
      {/* Busy while the entries shown are not yet those the filters ask for (typing, or the answer on its way). */}
      <div data-testid="audit-results" aria-busy={pending || !list.current}>
        <Notice error={list.error} loading={list.loading && list.data === undefined} />
        {list.data !== undefined &&
          (list.data.entries.length === 0 ? (
            <p class="muted">No entries.</p>
          ) : (
            <div class="table-wrap">
              <table data-testid="audit-table">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">Via</th>
                    <th scope="col">Tool / method</th>
                    <th scope="col">Decision</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Arguments</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.entries.map((e) => (
                    <tr key={e.id}>
                      <td>{time(e.at)}</td>
                      <td>
                        {e.principal}
                        {e.role !== undefined && <span class="muted small"> ({e.role})</span>}
                      </td>
                      <td>{e.via}</td>
                      <td>
                        <code>{e.tool}</code>
                        {e.method !== undefined && e.method.replaceAll('.', '_') !== e.tool && (
                          <div class="small muted">
                            method <code>{e.method}</code>
                          </div>
                        )}
                      </td>
                      <td>{e.decision}</td>
                      <td>
                        <StatusBadge status={e.outcome} />
                        {e.error !== undefined && <div class="small">{e.error.message}</div>}
                      </td>
                      <td>
                        <code class="small">{JSON.stringify(e.arguments).slice(0, 160)}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
      </div>
    </section>
  );
}
