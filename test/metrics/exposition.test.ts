/**
 * /metrics after a scripted workload (native, LwM2M and Sparkplug devices, RPC calls, commands, a
 * rejection, an MCP call): every metric family has a sample, the page has no blank line, and
 * `promtool check metrics` finds nothing to complain about.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../support/eventually.ts';
import { runMetricsWorkload, type MetricsWorkload } from '../support/metrics-workload.ts';
import { PROMTOOL, promtoolCheckMetrics, requirePrometheus } from '../support/promtool.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

/** Family name → number of samples, from the text exposition (TYPE lines name the families). */
/**
 * prom-client's Node gauges by type (libuv requests, handles, resources): one sample per type in use,
 * so none while nothing of the kind is pending. The only families allowed to be empty.
 */
const NODE_BY_TYPE = new Set(['llmiot_nodejs_active_requests', 'llmiot_nodejs_active_handles', 'llmiot_nodejs_active_resources']);

function samplesByFamily(text: string): Map<string, number> {
  const families = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      if (NODE_BY_TYPE.has(type[1] as string)) continue;
      families.set(type[1] as string, 0);
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    if (line.startsWith('#') || line === '') continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? '';
    const family = [...families.keys()].find((f) => name === f || (types.get(f) === 'histogram' && /^_(bucket|sum|count)$/.test(name.slice(f.length)) && name.startsWith(f)));
    if (family !== undefined) families.set(family, (families.get(family) ?? 0) + 1);
  }
  return families;
}

const value = (text: string, series: string): number => Number(new RegExp(`^${series.replace(/[{}"=,]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe('GET /metrics after a scripted workload', () => {
  let t: TestHub;
  let workload: MetricsWorkload;
  let text: string;

  before(async () => {
    t = await startTestHub();
    workload = await runMetricsWorkload(t);
    // Until the counts the workload causes asynchronously are in (telemetry commit, the rejection, the command's end).
    text = await eventually(async () => {
      const page = await (await fetch(`${t.httpUrl}/metrics`)).text();
      const empty = [...samplesByFamily(page)].filter(([, n]) => n === 0);
      return empty.length === 0 && value(page, 'llmiot_messages_rejected_total{protocol="native",reason="malformed_json"}') === 1 ? page : undefined;
    }, 15_000, 'every family with a sample and the rejection counted');
  });
  after(async () => {
    await workload?.stop();
    await t?.close();
  });

  it('has a sample in every family, counting what the workload did', () => {
    const families = samplesByFamily(text);
    assert.ok(families.size > 40, `${families.size} families`);
    assert.deepEqual([...families].filter(([, n]) => n === 0), []);
    assert.equal(value(text, 'llmiot_rpc_requests_total{transport="http",method="device.get",outcome="ok"}'), 1);
    assert.equal(value(text, 'llmiot_rpc_requests_total{transport="http",method="device.get",outcome="error"}'), 1, 'invalid params');
    assert.equal(value(text, 'llmiot_rpc_requests_total{transport="http",method="unknown",outcome="error"}'), 1, 'no.such.method, never as a label');
    assert.ok(value(text, 'llmiot_rpc_requests_total{transport="mqtt",method="telemetry.report",outcome="ok"}') > 0, 'device calls over MQTT');
    assert.ok(value(text, 'llmiot_rpc_requests_total{transport="mcp",method="command.list",outcome="ok"}') >= 1, 'the MCP tool ran the method');
    assert.equal(value(text, 'llmiot_tool_calls_total{via="mcp",outcome="ok"}'), 1);
    assert.equal(value(text, 'llmiot_tool_call_duration_seconds_count{via="mcp"}'), 1);
    assert.equal(value(text, 'llmiot_rpc_request_duration_seconds_count{method="mcu.get_status"}'), 1);
    assert.equal(value(text, 'llmiot_commands_total{method="mcu.get_status",state="succeeded"}'), 1);
    assert.equal(value(text, 'llmiot_commands_total{method="mcu.get_status",state="timed_out"}'), 0, 'the other final states exist from the first command on');
    assert.ok(value(text, 'llmiot_telemetry_points_total{stage="committed"}') > 0);
    assert.ok(value(text, 'llmiot_telemetry_commit_duration_seconds_count') > 0);
    assert.equal(value(text, 'llmiot_sparkplug_rebirth_requests_total{reason="seq_gap"}'), 0, 'pre-initialised: the first rebirth is an increase');
    assert.equal(value(text, 'llmiot_lwm2m_active_devices'), 1);
    assert.equal(value(text, 'lwm2m_active_devices'), 1, "the seed's name, an alias");
    assert.equal(value(text, 'llmiot_sparkplug_edge_nodes_online'), 1);
    assert.equal(value(text, 'llmiot_sparkplug_devices_online'), 1, 'the BMP580, born with DBIRTH');
    assert.equal(value(text, 'sparkplug_devices_online'), 1, "the seed's name, an alias");
  });

  it('names counters _total and nothing else so, and has no blank line', () => {
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      assert.equal(name?.endsWith('_total'), type === 'counter', `${name} is a ${type}`);
      assert.ok(name?.startsWith('llmiot_') || name === 'lwm2m_active_devices' || name === 'sparkplug_devices_online', `${name} lacks the llmiot_ prefix`);
    }
    assert.doesNotMatch(text, /\n\n/);
    assert.ok(text.endsWith('\n'));
  });

  it('passes promtool check metrics', () => {
    requirePrometheus(PROMTOOL);
    const check = promtoolCheckMetrics(text);
    assert.equal(check.output, '');
    assert.equal(check.status, 0);
  });
});
