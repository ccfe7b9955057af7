/** deploy/: the files a long-running install copies are valid as shipped (Prometheus, Grafana provisioning, dashboard, systemd unit, example config). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { OPTIONS } from '../../src/plugins.ts';
import { PROMTOOL, requirePrometheus } from '../support/promtool.ts';

const file = (path: string): string => fileURLToPath(new URL(`../../deploy/${path}`, import.meta.url));
const text = (path: string): string => readFileSync(file(path), 'utf8');

describe('deploy/', () => {
  it('Prometheus scrape config passes promtool check config', () => {
    requirePrometheus(PROMTOOL);
    const check = spawnSync(PROMTOOL, ['check', 'config', file('prometheus/prometheus.yml')], { encoding: 'utf8' });
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
    assert.match(text('prometheus/prometheus.yml'), /job_name: llm-iot\n\s+metrics_path: \/metrics/);
  });

  it('Grafana provisioning files are apiVersion 1: a Prometheus datasource and a file dashboard provider', () => {
    const datasources = text('grafana/provisioning/datasources/llm-iot.yml');
    const dashboards = text('grafana/provisioning/dashboards/llm-iot.yml');
    for (const yaml of [datasources, dashboards]) assert.match(yaml, /^apiVersion: 1$/m);
    assert.match(datasources, /^\s+type: prometheus$/m);
    assert.match(dashboards, /^\s+type: file$/m);
  });

  it('the dashboard imports as is: every panel queries the ${datasource} variable, ids are unique, the seed figures and the hub metrics are covered', () => {
    const dashboard = JSON.parse(text('grafana/dashboards/llm-iot.json'));
    assert.ok(dashboard.templating.list.some((v: { name: string; type: string; query: string }) => v.name === 'datasource' && v.type === 'datasource' && v.query === 'prometheus'));
    const panels: { id: number; type: string; title: string; datasource?: { uid: string }; targets?: { expr: string; datasource: { uid: string } }[] }[] = dashboard.panels;
    assert.equal(new Set(panels.map((p) => p.id)).size, panels.length);
    const exprs: string[] = [];
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      assert.equal(panel.datasource?.uid, '${datasource}', panel.title);
      assert.ok((panel.targets ?? []).length > 0, `${panel.title} has a query`);
      for (const target of panel.targets ?? []) {
        assert.equal(target.datasource.uid, '${datasource}', panel.title);
        exprs.push(target.expr);
      }
    }
    const used = new Set(exprs.flatMap((e) => e.match(/\bllmiot_[a-z0-9_]+/g) ?? []).map((m) => m.replace(/_(bucket|sum|count)$/, '')));
    for (const metric of [
      'llmiot_lwm2m_active_devices',
      'llmiot_sparkplug_devices_online',
      'llmiot_messages_received_total',
      'llmiot_messages_rejected_total',
      'llmiot_telemetry_points_total',
      'llmiot_telemetry_commit_duration_seconds',
      'llmiot_telemetry_pending_points',
      'llmiot_commands_total',
      'llmiot_sparkplug_rebirth_requests_total',
      'llmiot_rpc_requests_total',
      'llmiot_tool_calls_total',
    ]) {
      assert.ok(used.has(metric), `no panel shows ${metric}`);
    }
  });

  it('the example config file loads as the hub would load it', () => {
    const { config, file: loaded } = loadConfig(['--config', file('llm-iot.config.json')], {}, OPTIONS);
    assert.equal(loaded, file('llm-iot.config.json'));
    assert.equal(config.dataDir, '/var/lib/llm-iot');
    assert.equal(config.logFormat, 'json');
  });

  it('the scale-out example configs load, one instance each: own client id, broker user and Sparkplug host id, one group and store', () => {
    const configs = ['a', 'b', 'c'].map((n) => loadConfig(['--config', file(`cluster/hub-${n}.config.json`)], {}, OPTIONS).config);
    assert.equal(new Set(configs.map((c) => c.mqttClientId)).size, 3);
    assert.equal(new Set(configs.map((c) => c.sparkplugHostId)).size, 3);
    for (const config of configs) {
      assert.equal(config.mqttUsername, config.mqttClientId, 'Mosquitto use_username_as_clientid: the user name is the client id');
      assert.equal(config.mqttSharedGroup, 'llm-iot');
      assert.match(config.store, /^postgres:\/\//);
    }
    assert.equal(new Set(configs.map((c) => c.store)).size, 1);
  });

  it('the systemd unit runs `llm-iot start` unprivileged, confined to its state directory', () => {
    const unit = text('systemd/llm-iot.service');
    assert.match(unit, /^ExecStart=\/\S+\/llm-iot start$/m);
    for (const directive of ['DynamicUser=yes', 'StateDirectory=llm-iot', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=', 'Environment=LLMIOT_DATA_DIR=/var/lib/llm-iot']) {
      assert.match(unit, new RegExp(`^${directive}$`, 'm'), directive);
    }
    assert.doesNotMatch(unit, /^MemoryDenyWriteExecute=yes$/m, "V8's JIT needs it off");
  });
});
