// Commands with state and result, newest first (the device page's recent commands and the command log).
import type { Command } from '../api/types.ts';
import { StatusBadge } from '../components/notice.tsx';
import { time } from '../format.ts';
import { deviceHref } from '../router.ts';

const brief = (v: unknown): string => {
  const text = v === undefined ? '' : JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
};

export function CommandTable({ commands, showDevice }: { commands: readonly Command[]; showDevice: boolean }) {
  if (commands.length === 0) return <p class="muted">No commands.</p>;
  return (
    <div class="table-wrap">
      <table data-testid="command-table">
        <thead>
          <tr>
            <th scope="col">When</th>
            {showDevice && <th scope="col">Device</th>}
            <th scope="col">Method</th>
            <th scope="col">State</th>
            <th scope="col">Params</th>
            <th scope="col">Result or error</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {commands.map((c) => (
            <tr key={c.command_id}>
              <td>{time(c.created_at)}</td>
              {showDevice && (
                <td>
                  <a href={deviceHref(c.device_id)}>{c.device_id.slice(0, 8)}</a>
                </td>
              )}
              <td>
                <code>{c.method}</code>
              </td>
              <td>
                <StatusBadge status={c.state} />
              </td>
              <td>
                <code class="small">{brief(c.params)}</code>
              </td>
              <td>
                <code class="small">{c.error !== undefined ? c.error.message : brief(c.result)}</code>
              </td>
              <td class="small">{String(c.origin.principal ?? c.origin.transport ?? '—')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
