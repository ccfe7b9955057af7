/**
 * The Grafana dashboard against a real Prometheus: the distribution's server (/usr/bin/prometheus)
 * scrapes, with deploy/prometheus/prometheus.yml at a 1 s interval, a hub running a simulated fleet
 * and the scripted workload; then every panel expression of deploy/grafana/dashboards/llm-iot.json
 * is evaluated through Prometheus' HTTP API (/api/v1/query) and must return data.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../support/eventually.ts';
import { runMetricsWorkload, type MetricsWorkload } from '../support/metrics-workload.ts';
import { PROMETHEUS, requirePrometheus } from '../support/promtool.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

const DASHBOARD = new URL('../../deploy/grafana/dashboards/llm-iot.json', import.meta.url);
const SCRAPE_CONFIG = new URL('../../deploy/prometheus/prometheus.yml', import.meta.url);

interface PanelQuery {
  readonly panel: string;
  readonly expr: string;
}

/** Every target of every panel, with Grafana's variables as the dashboard would send them (all hubs, a rate window of several scrapes). */
export function panelQueries(dashboard: { panels: { type: string; title: string; targets?: { expr: string }[] }[] }): PanelQuery[] {
  return dashboard.panels
    .filter((p) => p.type !== 'row')
    .flatMap((p) => (p.targets ?? []).map((target) => ({ panel: p.title, expr: target.expr.replaceAll('$__rate_interval', '30s').replaceAll('$instance', '.*') })));
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

type QueryResult = { status: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] }; error?: string };

describe('Grafana dashboard panels on a real Prometheus', () => {
  let t: TestHub;
  let workload: MetricsWorkload | undefined;
  let prometheus: ChildProcess | undefined;
  let dir: string;
  let api: string;
  const log: string[] = [];

  const query = async (expr: string): Promise<QueryResult> => (await fetch(`${api}/api/v1/query?${new URLSearchParams({ query: expr })}`)).json() as Promise<QueryResult>;

  before(async () => {
    requirePrometheus(PROMETHEUS);
    dir = mkdtempSync(join(tmpdir(), 'llmiot-prometheus-'));
    // Prometheus and the hub start side by side: the hub's port is chosen first, so the config can name it.
    const hubPort = await freePort();
    const hub = `127.0.0.1:${hubPort}`;
    // The shipped scrape config, pointed at this hub and scraping every second.
    const shipped = readFileSync(SCRAPE_CONFIG, 'utf8');
    const config = shipped.replace(/scrape_interval: 15s/, 'scrape_interval: 1s').replace("'127.0.0.1:8080'", `'${hub}'`);
    assert.notEqual(config, shipped);
    assert.ok(config.includes(hub), 'the target was replaced');
    writeFileSync(join(dir, 'prometheus.yml'), config);
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      PROMETHEUS,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    t = await startTestHub({}, undefined, { httpPort: hubPort });
    // Scraped once before the workload, so each of its events falls between two scrapes and shows in rate().
    await eventually(async () => {
      const up = await query('up{job="llm-iot"}').catch(() => undefined);
      return up?.data?.result[0]?.value[1] === '1';
    }, 20_000, `Prometheus scraping the hub (${log.join('')})`);
    workload = await runMetricsWorkload(t);
  });
  after(async () => {
    if (prometheus?.exitCode === null) {
      prometheus.kill('SIGTERM');
      await once(prometheus, 'exit');
    }
    await workload?.stop();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('returns data for every panel expression', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
    const queries = panelQueries(dashboard);
    assert.ok(queries.length >= 19, `${queries.length} panel queries`);
    for (const q of queries) assert.doesNotMatch(q.expr, /\$/, `${q.panel}: a variable left unsubstituted`);
    let missing: string[] = [];
    await eventually(async () => {
      const answers = await Promise.all(queries.map(async (q) => ({ q, answer: await query(q.expr) })));
      missing = answers
        .filter(({ answer }) => answer.status !== 'success' || !(answer.data?.result ?? []).some((r) => Number.isFinite(Number(r.value[1]))))
        .map(({ q, answer }) => `${q.panel}: ${q.expr} → ${answer.error ?? 'no finite sample'}`);
      return missing.length === 0;
    }, 30_000, 'every panel with data').catch(() => undefined);
    assert.deepEqual(missing, []);
  });

  it('shows the seed dashboard figures for the simulated fleet', async () => {
    const value = async (expr: string): Promise<number> => Number((await query(expr)).data?.result[0]?.value[1]);
    await eventually(async () => (await value('sum(llmiot_lwm2m_active_devices)')) === 1, 10_000, 'one LwM2M endpoint');
    assert.equal(await value('sum(llmiot_sparkplug_devices_online)'), 1);
    assert.equal(await value('sum(lwm2m_active_devices)'), 1, "the seed's own query");
    assert.equal(await value('sum(sparkplug_devices_online)'), 1, "the seed's own query");
  });
});
