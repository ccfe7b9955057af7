// One device: schemas, latest readings with age and quality, live charts from data.subscribe, recent commands, and the actions the role allows.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { liveSocket } from '../api/live-socket.ts';
import type { Permissions } from '../api/permissions.ts';
import { errorText, rpc } from '../api/rpc-client.ts';
import type { Command, Device, QueryResult, Reading } from '../api/types.ts';
import { ConfirmDialog, type ConfirmRequest } from '../components/confirm-dialog.tsx';
import { useLoad, useNow } from '../components/hooks.ts';
import { alignSeries, LiveChart } from '../components/live-chart.tsx';
import { Notice, StatusBadge } from '../components/notice.tsx';
import { CommandTable } from './command-table.tsx';
import { age, json, value } from '../format.ts';
import { deviceHref } from '../router.ts';

/** Points kept per live series: enough for minutes of history at typical rates, bounded for memory. */
const MAX_POINTS = 600;
const HISTORY = '15m';

type Point = { t: number; v: number | null };

export function DevicePage({ id, permissions }: { id: string; permissions: Permissions }) {
  const device = useLoad((signal) => rpc<Device>('device.get', { device_id: id }, signal), [id], 10_000);
  const d = device.data;
  if (d === undefined) return <Notice error={device.error} loading={device.loading} />;
  return <DeviceView key={d.device_id} device={d} permissions={permissions} reload={device.reload} />;
}

function DeviceView({ device, permissions, reload }: { device: Device; permissions: Permissions; reload: () => void }) {
  const id = device.device_id;
  const now = useNow();
  const [latest, setLatest] = useState<Map<string, Reading>>(new Map());
  const [series, setSeries] = useState<Map<string, Point[]>>(new Map());
  const [historyError, setHistoryError] = useState<string | undefined>(undefined);
  /** Until the last HISTORY is merged in, the charts hold only what the subscription has pushed. */
  const [historyLoading, setHistoryLoading] = useState(true);
  const commands = useLoad((signal) => rpc<{ commands: Command[] }>('command.list', { device_id: id, limit: 20 }, signal), [id], 5_000);

  useEffect(() => {
    let alive = true;
    const add = (readings: readonly Reading[], replace: boolean): void => {
      setLatest((previous) => {
        const next = new Map(previous);
        for (const r of readings) {
          const old = next.get(r.measurement_type);
          if (replace || old?.timestamp === undefined || (r.timestamp ?? '') >= old.timestamp) next.set(r.measurement_type, r);
        }
        return next;
      });
      setSeries((previous) => {
        const next = new Map(previous);
        for (const r of readings) {
          if (typeof r.value !== 'number' || r.timestamp === undefined) continue;
          const list = [...(next.get(r.measurement_type) ?? []), { t: Date.parse(r.timestamp), v: r.value }];
          next.set(r.measurement_type, list.length > MAX_POINTS ? list.slice(-MAX_POINTS) : list);
        }
        return next;
      });
    };
    // Live first, so nothing between the history query and the subscription is missed.
    const stop = liveSocket.subscribe({ device_ids: [id] }, (readings) => add(readings.filter((r) => r.device_id === undefined || r.device_id === id), false));
    Promise.all([
      rpc<{ readings: Reading[] }>('data.latest', { device_ids: [id] }),
      rpc<QueryResult>('data.query', { device_ids: [id], time_range: { last: HISTORY }, limit: MAX_POINTS, order: 'desc' }),
    ]).then(
      ([current, history]) => {
        if (!alive) return;
        add(current.readings, true);
        setSeries((previous) => {
          const next = new Map(previous);
          for (const s of history.series) {
            const past = s.points.filter((p) => typeof p.value === 'number').map((p) => ({ t: Date.parse(p.timestamp), v: p.value as number }));
            const live = next.get(s.measurement_type) ?? [];
            const merged = [...past, ...live].sort((a, b) => a.t - b.t);
            next.set(s.measurement_type, merged.slice(-MAX_POINTS));
          }
          return next;
        });
        setHistoryLoading(false);
      },
      (error: unknown) => {
        if (!alive) return;
        setHistoryError(errorText(error));
        setHistoryLoading(false);
      },
    );
    return () => {
      alive = false;
      stop();
    };
  }, [id]);

  const measurements = [...series.keys()].sort();
  return (
    <section aria-labelledby="device-title">
      <p class="crumbs">
        <a href="#/">Fleet</a> › {device.name}
      </p>
      <h1 id="device-title">
        {device.name} <StatusBadge status={device.status} />
      </h1>
      <dl class="facts">
        <Fact term="Hardware id" value={device.hardware_id} />
        <Fact term="Type" value={device.device_type} />
        <Fact term="Model" value={`${device.manufacturer} ${device.model}`} />
        <Fact term="Protocols" value={device.protocols.join(', ')} />
        <Fact term="Zone" value={device.zone ?? '—'} />
        <Fact term="Last seen" value={age(device.last_seen, now)} />
        <Fact term="Tags" value={device.tags.join(', ') || '—'} />
        {device.parent_id !== null && (
          <div>
            <dt>Attached to</dt>
            <dd>
              <a href={deviceHref(device.parent_id)}>MCU</a>
            </dd>
          </div>
        )}
      </dl>
      {device.attached !== undefined && device.attached.length > 0 && <Attached ids={device.attached} />}

      <Actions device={device} permissions={permissions} onDone={() => (commands.reload(), reload())} />

      <h2>Latest readings</h2>
      <Notice error={historyError} />
      {latest.size === 0 ? (
        <p class="muted">No readings yet.</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="latest-readings">
            <thead>
              <tr>
                <th scope="col">Measurement</th>
                <th scope="col">Value</th>
                <th scope="col">Quality</th>
                <th scope="col">Age</th>
              </tr>
            </thead>
            <tbody>
              {[...latest.values()]
                .sort((a, b) => a.measurement_type.localeCompare(b.measurement_type))
                .map((r) => (
                  <tr key={r.measurement_type}>
                    <th scope="row">{r.measurement_type}</th>
                    <td>{value(r.value, r.unit)}</td>
                    <td>{r.quality ?? '—'}</td>
                    <td>{age(r.timestamp, now)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Live charts</h2>
      {/* Busy while the history is still to be merged into what the subscription pushed. */}
      <div data-testid="live-charts" aria-busy={historyLoading}>
        {measurements.length === 0 ? (
          historyLoading ? (
            <Notice loading />
          ) : (
            <p class="muted">No numeric readings in the last {HISTORY}.</p>
          )
        ) : (
          <div class="charts">
            {measurements.map((m) => (
              <MeasurementChart key={m} measurement={m} points={series.get(m) ?? []} unit={latest.get(m)?.unit} />
            ))}
          </div>
        )}
      </div>

      <h2>Recent commands</h2>
      <Notice error={commands.error} loading={commands.loading && commands.data === undefined} />
      {commands.data !== undefined && <CommandTable commands={commands.data.commands} showDevice={false} />}

      <details>
        <summary>Static schema</summary>
        <pre data-testid="static-schema">{json(device.static_schema)}</pre>
      </details>
      <details>
        <summary>Dynamic state</summary>
        <pre>{json(device.dynamic_state)}</pre>
      </details>
    </section>
  );
}

function MeasurementChart({ measurement, points, unit }: { measurement: string; points: Point[]; unit: string | undefined }) {
  const data = useMemo(() => alignSeries([points]), [points]);
  return <LiveChart title={measurement} data={data} series={[{ label: measurement, unit: unit ?? null }]} height={200} testId={`chart-${measurement}`} />;
}

function Fact({ term, value: text }: { term: string; value: string }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{text}</dd>
    </div>
  );
}

function Attached({ ids }: { ids: string[] }) {
  const list = useLoad((signal) => Promise.all(ids.slice(0, 50).map((id) => rpc<Device>('device.get', { device_id: id }, signal))), [ids.join()]);
  return (
    <>
      <h2>Attached devices</h2>
      <Notice error={list.error} loading={list.loading && list.data === undefined} />
      <ul class="attached">
        {(list.data ?? []).map((d) => (
          <li key={d.device_id}>
            <a href={deviceHref(d.device_id)}>{d.name}</a> <span class="muted">{d.model}</span> <StatusBadge status={d.status} />
          </li>
        ))}
      </ul>
    </>
  );
}

/** The commands the page offers per device type. */
function actionsFor(device: Device): { read: string; configure: string; reboot?: string; idParam: string } {
  return device.device_type === 'mcu'
    ? { read: 'mcu.get_status', configure: 'mcu.set_config', reboot: 'mcu.reboot', idParam: 'mcu_id' }
    : { read: 'sensor.read', configure: 'sensor.configure', idParam: 'sensor_id' };
}

function Actions({ device, permissions, onDone }: { device: Device; permissions: Permissions; onDone: () => void }) {
  const plan = actionsFor(device);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const [config, setConfig] = useState('{\n  \n}');
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>(undefined);
  const run = async (method: string, params: object): Promise<void> => {
    setBusy(true);
    setOutcome(undefined);
    try {
      const result = await rpc<unknown>(method, { [plan.idParam]: device.device_id, ...params });
      setOutcome({ ok: true, text: `${method}: ${json(result)}` });
    } catch (error) {
      setOutcome({ ok: false, text: `${method} failed: ${errorText(error)}` });
    } finally {
      setBusy(false);
      onDone();
    }
  };
  const ask = (method: string, params: object, title: string, label: string): void => {
    if (permissions.kindOf(method) === 'destructive') {
      setConfirm({ title, body: <p>{`${title}? This is a destructive action on ${device.name}.`}</p>, confirmLabel: label, danger: true, onConfirm: () => void run(method, params) });
    } else void run(method, params);
  };
  const canRead = permissions.can(plan.read);
  const canConfigure = permissions.can(plan.configure);
  const canReboot = plan.reboot !== undefined && permissions.can(plan.reboot);
  if (!canRead && !canConfigure && !canReboot) return <p class="muted" data-testid="no-actions">Your role can look but not act on this device.</p>;
  return (
    <section class="actions-panel" aria-labelledby="actions-title" data-testid="device-actions">
      <h2 id="actions-title">Actions</h2>
      <div class="actions">
        {canRead && (
          <button type="button" class="primary" disabled={busy} onClick={() => ask(plan.read, {}, device.device_type === 'mcu' ? 'Get status' : 'Read sensor', 'Run')}>
            {device.device_type === 'mcu' ? 'Get status' : 'Read now'}
          </button>
        )}
        {canReboot && plan.reboot !== undefined && (
          <button type="button" class="danger" disabled={busy} onClick={() => ask(plan.reboot as string, {}, `Reboot ${device.name}`, 'Reboot')}>
            Reboot…
          </button>
        )}
      </div>
      {canConfigure && (
        <form
          class="configure"
          onSubmit={(event) => {
            event.preventDefault();
            let parsed: unknown;
            try {
              parsed = JSON.parse(config);
            } catch {
              setOutcome({ ok: false, text: 'Configuration must be a JSON object, e.g. {"power_mode": "normal"}' });
              return;
            }
            ask(plan.configure, { config: parsed }, `Configure ${device.name}`, 'Configure');
          }}
        >
          <label>
            Configuration (JSON object)
            <textarea rows={4} value={config} spellcheck={false} onInput={(e) => setConfig(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={busy}>
            Configure
          </button>
        </form>
      )}
      {busy && <p role="status">Waiting for the device…</p>}
      {outcome !== undefined && (
        <pre role={outcome.ok ? 'status' : 'alert'} class={outcome.ok ? 'result' : 'error'} data-testid="action-outcome">
          {outcome.text}
        </pre>
      )}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </section>
  );
}
