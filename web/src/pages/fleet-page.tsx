// Fleet overview: live counts by status, protocol, type, zone and model; a server-side filtered, paged device table.
import { useState } from 'preact/hooks';
import { rpc } from '../api/rpc-client.ts';
import type { Device, FleetSummary } from '../api/types.ts';
import { useDebouncedInput, useLoad, useNow } from '../components/hooks.ts';
import { Notice, StatusBadge } from '../components/notice.tsx';
import { SelectField } from '../components/select-field.tsx';
import { age } from '../format.ts';
import { deviceHref } from '../router.ts';

/** Rows per page: the table never holds more than this, whatever the fleet size. */
export const PAGE_SIZE = 50;
const REFRESH_MS = 5_000;

interface Filters {
  search: string;
  status: string;
  protocol: string;
  type: string;
  zone: string;
  model: string;
}

const EMPTY: Filters = { search: '', status: '', protocol: '', type: '', zone: '', model: '' };

/** device.list / device.summary filter fields from the form (empty fields left out). */
function filterOf(filters: Filters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters)) if (value.trim() !== '') out[key] = value.trim();
  return out;
}

export function FleetPage() {
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [offset, setOffset] = useState(0);
  const { settled: search, pending } = useDebouncedInput(filters.search);
  const effective = filterOf({ ...filters, search });
  const key = JSON.stringify(effective);
  const now = useNow(5_000);
  const whole = useLoad((signal) => rpc<FleetSummary>('device.summary', {}, signal), [], REFRESH_MS);
  // The page's answer carries the offset it was asked for: until the next page arrives, the rows and
  // their "Devices 1–50" line stay those of the page shown, not of the page asked for.
  const list = useLoad(
    async (signal) => ({
      ...(await rpc<{ devices: Device[]; total: number }>('device.list', { ...effective, limit: PAGE_SIZE, offset, include_schema: false }, signal)),
      offset,
    }),
    [key, offset],
    REFRESH_MS,
  );
  const setField = (field: keyof Filters) => (value: string) => {
    setFilters({ ...filters, [field]: value });
    setOffset(0);
  };
  const summary = whole.data;
  const total = list.data?.total ?? 0;
  const options = (counts: Record<string, number> | undefined): string[] => Object.keys(counts ?? {}).sort();
  return (
    <section aria-labelledby="fleet-title">
      <h1 id="fleet-title">Fleet</h1>
      <Notice error={whole.error} loading={whole.loading && summary === undefined} />
      {summary !== undefined && (
        <div class="cards" data-testid="fleet-counts">
          <Card title="Devices" counts={{ total: summary.total }} />
          <Card title="Status" counts={summary.by_status} />
          <Card title="Protocol" counts={summary.by_protocol} />
          <Card title="Type" counts={summary.by_type} />
          <Card title="Zone" counts={summary.by_zone} />
          <Card title="Model" counts={summary.by_model} />
        </div>
      )}
      <form class="filters" role="search" aria-label="Filter devices" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input type="search" value={filters.search} onInput={(e) => setField('search')(e.currentTarget.value)} placeholder="name, hardware id, model…" />
        </label>
        <SelectField label="Status" empty="any" value={filters.status} onChange={setField('status')} options={['online', 'offline', 'deregistered']} />
        <SelectField label="Protocol" empty="any" value={filters.protocol} onChange={setField('protocol')} options={['native', 'sparkplug', 'lwm2m']} />
        <SelectField label="Type" empty="any" value={filters.type} onChange={setField('type')} options={['mcu', 'sensor', 'actuator']} />
        <SelectField label="Zone" empty="any" value={filters.zone} onChange={setField('zone')} options={options(summary?.by_zone).filter((z) => z !== '(none)')} />
        <SelectField label="Model" empty="any" value={filters.model} onChange={setField('model')} options={options(summary?.by_model)} />
        <button type="button" onClick={() => (setFilters(EMPTY), setOffset(0))}>
          Clear
        </button>
      </form>
      <Notice error={list.error} loading={list.loading && list.data === undefined} />
      {list.data !== undefined && (
        // Busy while the rows shown are not yet those the filters and page ask for.
        <div data-testid="device-results" aria-busy={pending || !list.current}>
          <p role="status" aria-live="polite" data-testid="device-total">
            {total === 0 ? 'No device matches.' : `Devices ${list.data.offset + 1}–${Math.min(list.data.offset + PAGE_SIZE, total)} of ${total}`}
          </p>
          <div class="table-wrap">
            <table data-testid="device-table">
              <caption class="visually-hidden">Devices</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Status</th>
                  <th scope="col">Type</th>
                  <th scope="col">Model</th>
                  <th scope="col">Protocols</th>
                  <th scope="col">Zone</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {list.data.devices.map((d) => (
                  <tr key={d.device_id}>
                    <td>
                      <a href={deviceHref(d.device_id)}>{d.name}</a>
                      <div class="muted small">{d.hardware_id}</div>
                    </td>
                    <td>
                      <StatusBadge status={d.status} />
                    </td>
                    <td>{d.device_type}</td>
                    <td>{d.model}</td>
                    <td>{d.protocols.join(', ')}</td>
                    <td>{d.zone ?? '—'}</td>
                    <td>{age(d.last_seen, now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Device pages">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
              Previous page
            </button>
            <button type="button" disabled={offset + PAGE_SIZE >= total} onClick={() => setOffset(offset + PAGE_SIZE)}>
              Next page
            </button>
          </nav>
        </div>
      )}
    </section>
  );
}

function Card({ title, counts }: { title: string; counts: Record<string, number> }) {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const shown = entries.slice(0, 8);
  return (
    <section class="card" aria-label={`Devices by ${title.toLowerCase()}`}>
      <h2>{title}</h2>
      <dl>
        {shown.map(([name, count]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{count}</dd>
          </div>
        ))}
      </dl>
      {entries.length > shown.length && <p class="muted small">and {entries.length - shown.length} more</p>}
    </section>
  );
}
