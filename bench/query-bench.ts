/** Query part of the benchmark: bulk-load points to a target count, then time data.query over HTTP. */
import type { Hub } from '../dist/hub.js';
import type { TelemetryPoint } from '../dist/core/telemetry.js';

const DAY_MS = 86_400_000;

/** Load synthetic 1 Hz history (one day per series) until the store holds `target` points. */
export async function loadPoints(hub: Hub, target: number): Promise<{ deviceId: string; day: number; total: number }> {
  const day = Date.parse('2025-09-30T00:00:00Z');
  const devices = hub.registry.list({ type: 'sensor' });
  const first = devices[0];
  if (!first) throw new Error('no sensor to query');
  let total = await hub.stores.telemetry.count();
  let series = 0;
  const batch: TelemetryPoint[] = [];
  while (total < target) {
    const device = devices[series % devices.length] ?? first;
    const measurement = `m${Math.floor(series / devices.length)}`;
    for (let s = 0; s < DAY_MS / 1000 && total < target; s++, total++) {
      batch.push({ deviceId: device.id, measurement, ts: day + s * 1000, value: 20 + Math.sin(s / 3600) * 5 });
      if (batch.length === 20_000) await hub.stores.telemetry.write(batch.splice(0));
    }
    series++;
  }
  if (batch.length > 0) await hub.stores.telemetry.write(batch.splice(0));
  return { deviceId: first.id, day, total: await hub.stores.telemetry.count() };
}

/** p50/p99 of an hourly-average query over one day of one device's m0 series. */
export async function queryLatency(url: string, deviceId: string, day: number, runs = 200): Promise<{ p50: number; p99: number }> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'data.query',
    params: { device_ids: [deviceId], measurement_types: ['m0'], time_range: { start: day, end: day + DAY_MS - 1 }, aggregation: 'avg', interval: '1h' },
  });
  const times: number[] = [];
  for (let i = 0; i < runs + 10; i++) {
    const t0 = performance.now();
    const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const answer = (await response.json()) as { result?: { series: { points: unknown[] }[] } };
    if (answer.result?.series[0]?.points.length !== 24) throw new Error(`unexpected query answer: ${JSON.stringify(answer).slice(0, 200)}`);
    if (i >= 10) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(runs * 0.5)] ?? NaN, p99: times[Math.floor(runs * 0.99)] ?? NaN };
}
