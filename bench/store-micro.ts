/**
 * Micro-benchmark of the SQLite TelemetryStore: bulk ingest in hub-sized batches, then the
 * hourly-average-over-one-day query of one device. Run: node --import tsx bench/store-micro.ts
 * [--points 10000000] [--series 200] [--batch 2500] [--step-ms 5000] [--queries 300] [--dir D] [--keep]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { TelemetryPoint } from '../dist/core/telemetry.js';
import { openSqliteStores } from '../dist/storage/sqlite/index.js';

const MEASUREMENTS = [
  ['temperature', '°C'],
  ['pressure', 'hPa'],
  ['humidity', '%'],
  ['angle', 'deg'],
] as const;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 0, 1);

const { values: args } = parseArgs({
  options: {
    points: { type: 'string', default: '10000000' },
    series: { type: 'string', default: '200' },
    batch: { type: 'string', default: '2500' },
    'step-ms': { type: 'string', default: '5000' },
    queries: { type: 'string', default: '300' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

const total = Number(args.points);
const seriesCount = Number(args.series);
const batchSize = Number(args.batch);
const stepMs = Number(args['step-ms']);
const queryRuns = Number(args.queries);
const deviceCount = Math.ceil(seriesCount / MEASUREMENTS.length);
const dir = args.dir ?? mkdtempSync(join(tmpdir(), 'llmiot-store-micro-'));

/** Point k: series k mod S (device, measurement), one sample per series every `stepMs`. */
function makeBatch(from: number, size: number): TelemetryPoint[] {
  const batch: TelemetryPoint[] = new Array(size);
  for (let i = 0; i < size; i++) {
    const k = from + i;
    const s = k % seriesCount;
    const step = Math.floor(k / seriesCount);
    const [measurement, unit] = MEASUREMENTS[s % MEASUREMENTS.length] as (typeof MEASUREMENTS)[number];
    batch[i] = {
      deviceId: `device-${String(Math.floor(s / MEASUREMENTS.length)).padStart(4, '0')}`,
      measurement,
      ts: T0 + step * stepMs,
      value: Math.round((20 + 5 * Math.sin(step / 720 + s) + Math.random()) * 100) / 100,
      unit,
    };
  }
  return batch;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const stores = openSqliteStores(dir);
  const store = stores.telemetry;
  try {
    console.log(`store-micro: ${total} points, ${seriesCount} series (${deviceCount} devices x ${MEASUREMENTS.length}), ` +
      `batches of ${batchSize}, one sample per series every ${stepMs} ms, in ${dir}`);

    // Ingest: only store.write() is timed (building the point objects is the pipeline's work).
    // CPU time as well as wall time: on a shared machine the CPU figure is the steadier one.
    let writeMs = 0;
    let writeCpuMs = 0;
    const wallStart = performance.now();
    for (let from = 0; from < total; from += batchSize) {
      const batch = makeBatch(from, Math.min(batchSize, total - from));
      const cpu = process.cpuUsage();
      const t = performance.now();
      await store.write(batch);
      writeMs += performance.now() - t;
      const used = process.cpuUsage(cpu);
      writeCpuMs += (used.user + used.system) / 1000;
      if ((from / batchSize) % 400 === 0 && from > 0) {
        process.stdout.write(`  ${(from / 1e6).toFixed(1)}M points, ${Math.round(from / (writeMs / 1000))} points/s\r`);
      }
    }
    const wallMs = performance.now() - wallStart;
    const stored = await store.count();
    console.log(`insert: ${Math.round(total / (writeMs / 1000))} points/s in store.write (${(writeMs / 1000).toFixed(1)} s wall, ` +
      `${Math.round(total / (writeCpuMs / 1000))} points per CPU-second), ${Math.round(total / (wallMs / 1000))} points/s including ` +
      `batch generation; ${stored} stored`);

    // Query: hourly average over one whole day of one device (all its measurements), random device and day.
    const spanMs = Math.floor(total / seriesCount) * stepMs;
    const days = Math.max(1, Math.floor(spanMs / DAY));
    const timings: number[] = [];
    let queryCpuMs = 0;
    let rows = 0;
    let buckets = 0;
    for (let run = -20; run < queryRuns; run++) {
      const device = `device-${String(Math.floor(Math.random() * deviceCount)).padStart(4, '0')}`;
      const start = T0 + Math.floor(Math.random() * days) * DAY;
      const cpu = process.cpuUsage();
      const t = performance.now();
      const result = await store.query({ deviceIds: [device], start, end: start + DAY - 1, aggregation: 'avg', intervalMs: HOUR });
      const elapsed = performance.now() - t;
      const used = process.cpuUsage(cpu);
      if (run < 0) continue; // warm-up
      timings.push(elapsed);
      queryCpuMs += (used.user + used.system) / 1000;
      for (const series of result) {
        buckets += series.points.length;
        for (const point of series.points) rows += point.count ?? 0;
      }
    }
    timings.sort((a, b) => a - b);
    console.log(`query (hourly avg, 1 day, 1 device): p50 ${percentile(timings, 50).toFixed(2)} ms, p99 ${percentile(timings, 99).toFixed(2)} ms, ` +
      `max ${percentile(timings, 100).toFixed(2)} ms, mean CPU ${(queryCpuMs / timings.length).toFixed(2)} ms over ${timings.length} runs; ` +
      `${Math.round(rows / timings.length)} points aggregated into ${Math.round(buckets / timings.length)} buckets per query`);
  } finally {
    await stores.close();
  }
  // After close: the WAL is checkpointed into hub.db.
  const dbBytes = fileSize(join(dir, 'hub.db')) + fileSize(join(dir, 'hub.db-wal'));
  console.log(`file: ${(dbBytes / 1e6).toFixed(0)} MB, ${(dbBytes / total).toFixed(1)} bytes/point`);
  if (!args.keep && args.dir === undefined) rmSync(dir, { recursive: true, force: true });
}

await main();
