// Data explorer: measurement × devices × range × aggregation, charted from server-side buckets, and exported through GET /export with progress.
import { useMemo, useState } from 'preact/hooks';
import { errorText, rpc } from '../api/rpc-client.ts';
import type { QueryResult } from '../api/types.ts';
import { alignSeries, LiveChart } from '../components/live-chart.tsx';
import { Notice } from '../components/notice.tsx';
import { SelectField } from '../components/select-field.tsx';
import { bytes } from '../format.ts';
import { routeQuery } from '../router.ts';

/** Buckets per series the chart asks for: the server downsamples, so 100,000 raw points arrive as at most this many. */
export const TARGET_BUCKETS = 1_000;
/** Series drawn at once; more are listed, not drawn (a chart of hundreds of lines says nothing). */
const MAX_CHART_SERIES = 12;

const RANGES: Readonly<Record<string, number>> = { '15m': 900_000, '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000, '7d': 604_800_000, '30d': 2_592_000_000 };
const AGGREGATIONS = ['avg', 'min', 'max', 'sum', 'count', 'first', 'last'];
const KNOWN_MEASUREMENTS = ['temperature', 'pressure', 'soil_moisture', 'angle', 'rotation_speed', 'cpu_temperature', 'cpu_usage', 'free_heap', 'rssi', 'uptime'];

/** The bucket width that makes about TARGET_BUCKETS buckets over `spanMs`, in whole seconds. */
export function intervalFor(spanMs: number): string {
  return `${Math.max(1, Math.ceil(spanMs / TARGET_BUCKETS / 1000))}s`;
}

interface Form {
  measurement: string;
  devices: string;
  zone: string;
  model: string;
  range: string;
  start: string;
  end: string;
  aggregation: string;
  groupBy: 'device' | 'measurement';
}

function selectionOf(form: Form): { device_ids?: string[]; filter?: Record<string, string>; measurement_types?: string[] } {
  const ids = form.devices
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const filter: Record<string, string> = {};
  if (form.zone.trim() !== '') filter['zone'] = form.zone.trim();
  if (form.model.trim() !== '') filter['model'] = form.model.trim();
  return {
    ...(ids.length > 0 && { device_ids: ids }),
    ...(Object.keys(filter).length > 0 && { filter }),
    ...(form.measurement.trim() !== '' && { measurement_types: [form.measurement.trim()] }),
  };
}

function rangeOf(form: Form): { start: string; end: string } {
  if (form.range === 'custom' && form.start !== '' && form.end !== '') {
    return { start: new Date(form.start).toISOString(), end: new Date(form.end).toISOString() };
  }
  const end = Date.now();
  return { start: new Date(end - (RANGES[form.range] ?? 3_600_000)).toISOString(), end: new Date(end).toISOString() };
}

export function DataPage() {
  const query = routeQuery();
  const [form, setForm] = useState<Form>({
    measurement: query.get('measurement') ?? 'temperature',
    devices: query.get('device') ?? '',
    zone: '',
    model: '',
    range: '1h',
    start: '',
    end: '',
    aggregation: 'avg',
    groupBy: 'device',
  });
  const [result, setResult] = useState<QueryResult | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const field = (name: keyof Form) => (event: Event) => setForm({ ...form, [name]: (event.currentTarget as HTMLInputElement).value });

  const runQuery = async (): Promise<void> => {
    setLoading(true);
    setError(undefined);
    try {
      const range = rangeOf(form);
      const interval = intervalFor(Date.parse(range.end) - Date.parse(range.start));
      setResult(
        await rpc<QueryResult>('data.query', {
          ...selectionOf(form),
          time_range: range,
          aggregation: form.aggregation,
          interval,
          group_by: form.groupBy,
        }),
      );
    } catch (failure) {
      setError(errorText(failure));
      setResult(undefined);
    } finally {
      setLoading(false);
    }
  };

  const numeric = (result?.series ?? []).filter((s) => s.points.some((p) => typeof p.value === 'number'));
  const charted = numeric.slice(0, MAX_CHART_SERIES);
  const data = useMemo(
    () => alignSeries(charted.map((s) => s.points.map((p) => ({ t: Date.parse(p.timestamp), v: typeof p.value === 'number' ? p.value : null })))),
    [result],
  );
  const points = (result?.series ?? []).reduce((n, s) => n + s.points.length, 0);
  const samples = (result?.series ?? []).reduce((n, s) => n + s.points.reduce((m, p) => m + (p.count ?? 1), 0), 0);
  return (
    <section aria-labelledby="data-title">
      <h1 id="data-title">Data explorer</h1>
      <form
        class="filters"
        aria-label="Query telemetry"
        onSubmit={(event) => {
          event.preventDefault();
          void runQuery();
        }}
      >
        <label>
          Measurement
          <input value={form.measurement} onInput={field('measurement')} list="measurements" placeholder="all" />
        </label>
        <datalist id="measurements">
          {KNOWN_MEASUREMENTS.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
        <label>
          Devices (ids or hardware ids)
          <input value={form.devices} onInput={field('devices')} placeholder="all devices" />
        </label>
        <label>
          Zone
          <input value={form.zone} onInput={field('zone')} />
        </label>
        <label>
          Model
          <input value={form.model} onInput={field('model')} />
        </label>
        <SelectField
          label="Range"
          value={form.range}
          onChange={(range) => setForm({ ...form, range })}
          options={[...Object.keys(RANGES).map((r): [string, string] => [r, `last ${r}`]), ['custom', 'custom…']]}
        />
        {form.range === 'custom' && (
          <>
            <label>
              From
              <input type="datetime-local" value={form.start} onInput={field('start')} required />
            </label>
            <label>
              To
              <input type="datetime-local" value={form.end} onInput={field('end')} required />
            </label>
          </>
        )}
        <SelectField label="Aggregation" value={form.aggregation} onChange={(aggregation) => setForm({ ...form, aggregation })} options={AGGREGATIONS} />
        <SelectField
          label="Series"
          value={form.groupBy}
          onChange={(groupBy) => setForm({ ...form, groupBy: groupBy === 'measurement' ? 'measurement' : 'device' })}
          options={[
            ['device', 'one per device'],
            ['measurement', 'combined per measurement'],
          ]}
        />
        <button type="submit" class="primary" disabled={loading}>
          Show
        </button>
      </form>
      <Notice error={error} loading={loading} />
      {result !== undefined && (
        <>
          <p role="status" data-testid="query-summary">
            {`${result.series.length} series from ${result.device_count} devices: ${points} points (${samples} samples, ${form.aggregation} per ${result.interval ?? 'range'})`}
            {numeric.length > MAX_CHART_SERIES && ` — charting the first ${MAX_CHART_SERIES}`}
          </p>
          {charted.length > 0 && (
            <LiveChart
              title={form.measurement || 'telemetry'}
              data={data}
              series={charted.map((s) => ({ label: s.device_id === undefined ? s.measurement_type : `${s.measurement_type} ${s.device_id.slice(0, 8)}`, unit: s.unit }))}
              height={320}
              testId="explorer-chart"
            />
          )}
        </>
      )}
      <Export form={form} />
    </section>
  );
}

/** Download the selection through GET /export, showing rows and bytes as they stream in (the total is counted first). */
function Export({ form }: { form: Form }) {
  const [progress, setProgress] = useState<{ rows: number; bytes: number; expected?: number; done: boolean } | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [controller, setController] = useState<AbortController | undefined>(undefined);
  const run = async (format: 'csv' | 'jsonl'): Promise<void> => {
    setError(undefined);
    const abort = new AbortController();
    setController(abort);
    const selection = selectionOf(form);
    const range = rangeOf(form);
    const q = new URLSearchParams({ format, start: range.start, end: range.end });
    for (const id of selection.device_ids ?? []) q.append('device_id', id);
    for (const m of selection.measurement_types ?? []) q.append('measurement_type', m);
    for (const [k, v] of Object.entries(selection.filter ?? {})) q.set(k, v);
    let expected: number | undefined;
    try {
      // One count bucket per series over the range: how many rows the export will have, for the progress bar.
      const counted = await rpc<QueryResult>('data.query', { ...selection, time_range: range, aggregation: 'count' });
      expected = counted.series.reduce((n, s) => n + s.points.reduce((m, p) => m + (typeof p.value === 'number' ? p.value : 0), 0), 0);
    } catch {
      expected = undefined;
    }
    setProgress({ rows: 0, bytes: 0, ...(expected !== undefined && { expected }), done: false });
    try {
      const response = await fetch(`/export?${q}`, { credentials: 'same-origin', signal: abort.signal });
      if (!response.ok || response.body === null) {
        const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
        throw new Error(body?.error?.message ?? `export failed (HTTP ${response.status})`);
      }
      const reader = response.body.getReader();
      const chunks: Uint8Array[] = [];
      let size = 0;
      let rows = format === 'csv' ? -1 : 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        size += value.length;
        for (const byte of value) if (byte === 10) rows++;
        setProgress({ rows: Math.max(0, rows), bytes: size, ...(expected !== undefined && { expected }), done: false });
      }
      setProgress({ rows: Math.max(0, rows), bytes: size, ...(expected !== undefined && { expected }), done: true });
      const blob = new Blob(chunks as BlobPart[], { type: format === 'csv' ? 'text/csv' : 'application/x-ndjson' });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `telemetry-${new Date().toISOString().replaceAll(':', '-')}.${format}`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (failure) {
      setError(abort.signal.aborted ? 'Export cancelled.' : errorText(failure));
    } finally {
      setController(undefined);
    }
  };
  const percent = progress?.expected ? Math.min(100, Math.round((progress.rows / progress.expected) * 100)) : undefined;
  return (
    <section aria-labelledby="export-title" class="export">
      <h2 id="export-title">Export</h2>
      <p class="muted">The selection above, every raw point in the range, streamed from the hub.</p>
      <div class="actions">
        <button type="button" disabled={controller !== undefined} onClick={() => void run('csv')}>
          Export CSV
        </button>
        <button type="button" disabled={controller !== undefined} onClick={() => void run('jsonl')}>
          Export JSON lines
        </button>
        {controller !== undefined && (
          <button type="button" onClick={() => controller.abort()}>
            Cancel export
          </button>
        )}
      </div>
      {progress !== undefined && (
        <div data-testid="export-progress" role="status" aria-live="polite">
          <progress max={100} value={progress.done ? 100 : percent} aria-label="Export progress" />
          <span>
            {progress.done ? 'Done: ' : 'Exporting: '}
            {progress.rows} rows{progress.expected !== undefined ? ` of ${progress.expected}` : ''}, {bytes(progress.bytes)}
          </span>
        </div>
      )}
      <Notice error={error} />
    </section>
  );
}
