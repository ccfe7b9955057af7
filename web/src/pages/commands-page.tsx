// Command log: every recorded command, filtered by device, state, method and time (command.list).
import { useState } from 'preact/hooks';
import { rpc } from '../api/rpc-client.ts';
import { COMMAND_STATES, type Command } from '../api/types.ts';
import { useDebouncedInput, useLoad } from '../components/hooks.ts';
import { Notice } from '../components/notice.tsx';
import { SelectField } from '../components/select-field.tsx';
import { CommandTable } from './command-table.tsx';

export function CommandsPage() {
  const [device, setDevice] = useState('');
  const [state, setState] = useState('');
  const [method, setMethod] = useState('');
  const [since, setSince] = useState('');
  const [limit, setLimit] = useState(100);
  const { settled: params, pending } = useDebouncedInput({ device, state, method, since, limit });
  const list = useLoad(
    (signal) =>
      rpc<{ commands: Command[] }>(
        'command.list',
        {
          ...(params.device.trim() !== '' && { device_id: params.device.trim() }),
          ...(params.state !== '' && { state: params.state }),
          ...(params.method.trim() !== '' && { method: params.method.trim() }),
          ...(params.since !== '' && { since: new Date(params.since).toISOString() }),
          limit: params.limit,
        },
        signal,
      ),
    [JSON.stringify(params)],
    5_000,
  );
  return (
    <section aria-labelledby="commands-title">
      <h1 id="commands-title">Command log</h1>
      <form class="filters" aria-label="Filter commands" onSubmit={(e) => e.preventDefault()}>
        <label>
          Device (id or hardware id)
          <input value={device} onInput={(e) => setDevice(e.currentTarget.value)} />
        </label>
        <SelectField label="State" empty="any" value={state} onChange={setState} options={COMMAND_STATES} />
        <label>
          Method
          <input value={method} onInput={(e) => setMethod(e.currentTarget.value)} placeholder="sensor.read" />
        </label>
        <label>
          Since
          <input type="datetime-local" value={since} onInput={(e) => setSince(e.currentTarget.value)} />
        </label>
        <SelectField label="Show" value={String(limit)} onChange={(v) => setLimit(Number(v))} options={['50', '100', '500', '1000']} />
      </form>
      {/* Busy while the commands shown are not yet those the filters ask for (typing, or the answer on its way). */}
      <div data-testid="command-results" aria-busy={pending || !list.current}>
        <Notice error={list.error} loading={list.loading && list.data === undefined} />
        {list.data !== undefined && <CommandTable commands={list.data.commands} showDevice />}
      </div>
    </section>
  );
}
