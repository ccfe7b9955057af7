/** llmiot_rpc_requests_total and its duration histogram, fed by the dispatcher on every path: single, batch, parse error, invoke(). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import { HubError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { HubMetrics, UNKNOWN_METHOD } from '../../src/metrics/hub-metrics.ts';
import { RpcDispatcher } from '../../src/rpc/dispatcher.ts';
import { defineMethod } from '../../src/rpc/method.ts';
import { MethodRegistry } from '../../src/rpc/method-registry.ts';

function hub(): { dispatcher: RpcDispatcher; metrics: HubMetrics } {
  const methods = new MethodRegistry();
  const method = (name: string, handler: (p: { n: number }) => Promise<unknown>) =>
    defineMethod({ name, summary: name, kind: 'read', params: Type.Object({ n: Type.Integer() }), result: Type.Unknown(), handler: (p) => handler(p) as Promise<never> });
  methods.add(method('ok.echo', async (p) => p.n));
  methods.add(method('fails.politely', async () => Promise.reject(new HubError('DEVICE_NOT_FOUND', 'no such device'))));
  methods.add(method('fails.badly', async () => Promise.reject(new Error('bug'))));
  const metrics = new HubMetrics();
  metrics.expectMethods(methods.list().map((m) => m.name));
  const dispatcher = new RpcDispatcher(methods, silentLogger, {
    onServed: ({ transport, method, outcome, seconds }) => metrics.rpcServed(transport, method ?? UNKNOWN_METHOD, outcome, seconds),
  });
  return { dispatcher, metrics };
}

async function count(metrics: HubMetrics, labels: Record<string, string>): Promise<number | undefined> {
  const { values } = await metrics.rpcRequests.get();
  return values.find((v) => Object.entries(labels).every(([k, value]) => (v.labels as Record<string, unknown>)[k] === value))?.value;
}

describe('JSON-RPC request metrics', () => {
  it('start at 0 for every method, transport and outcome', async () => {
    const { metrics } = hub();
    assert.equal(await count(metrics, { transport: 'websocket', method: 'fails.badly', outcome: 'internal_error' }), 0);
    assert.equal(await count(metrics, { transport: 'mqtt', method: UNKNOWN_METHOD, outcome: 'error' }), 0);
  });

  it('count each request by outcome: ok, error (a catalogued error), internal_error (-32603)', async () => {
    const { dispatcher, metrics } = hub();
    const http = { transport: 'http' } as const;
    await dispatcher.handleMessage({ jsonrpc: '2.0', id: 1, method: 'ok.echo', params: { n: 1 } }, http);
    await dispatcher.handleMessage({ jsonrpc: '2.0', id: 2, method: 'ok.echo', params: { n: 'x' } }, http);
    await dispatcher.handleMessage({ jsonrpc: '2.0', id: 3, method: 'fails.politely', params: { n: 1 } }, http);
    await dispatcher.handleMessage({ jsonrpc: '2.0', id: 4, method: 'fails.badly', params: { n: 1 } }, http);
    await dispatcher.handleMessage({ jsonrpc: '2.0', method: 'ok.echo', params: { n: 2 } }, http); // a notification counts too
    assert.equal(await count(metrics, { transport: 'http', method: 'ok.echo', outcome: 'ok' }), 2);
    assert.equal(await count(metrics, { transport: 'http', method: 'ok.echo', outcome: 'error' }), 1, 'invalid params');
    assert.equal(await count(metrics, { transport: 'http', method: 'fails.politely', outcome: 'error' }), 1);
    assert.equal(await count(metrics, { transport: 'http', method: 'fails.badly', outcome: 'internal_error' }), 1);
    const durations = (await metrics.rpcDuration.get()).values.filter((v) => v.metricName === 'llmiot_rpc_request_duration_seconds_count');
    assert.equal(durations.find((v) => v.labels['method'] === 'ok.echo')?.value, 3);
  });

  it('never takes a label from the wire: unknown methods, batches, parse errors and invalid requests count as unknown', async () => {
    const { dispatcher, metrics } = hub();
    const ws = { transport: 'websocket' } as const;
    await dispatcher.handleMessage(
      [
        { jsonrpc: '2.0', id: 1, method: 'x'.repeat(200), params: {} },
        { jsonrpc: '2.0', id: 2, method: 'ok.echo', params: { n: 1 } },
        { jsonrpc: '1.0', id: 3, method: 'ok.echo' },
      ],
      ws,
    );
    await dispatcher.handleText('{not json', ws);
    assert.equal(await count(metrics, { transport: 'websocket', method: UNKNOWN_METHOD, outcome: 'error' }), 3);
    assert.equal(await count(metrics, { transport: 'websocket', method: 'ok.echo', outcome: 'ok' }), 1);
    const labels = (await metrics.rpcRequests.get()).values.map((v) => String(v.labels['method']));
    assert.ok(!labels.some((m) => m.startsWith('xxx')));
  });

  it('count in-process calls (MCP tools, the LLM loop) under their transport', async () => {
    const { dispatcher, metrics } = hub();
    assert.equal(await dispatcher.invoke('ok.echo', { n: 1 }, { transport: 'mcp' }), 1);
    await assert.rejects(dispatcher.invoke('fails.politely', { n: 1 }, { transport: 'llm' }));
    await assert.rejects(dispatcher.invoke('nope', {}, { transport: 'mcp' }));
    assert.equal(await count(metrics, { transport: 'mcp', method: 'ok.echo', outcome: 'ok' }), 1);
    assert.equal(await count(metrics, { transport: 'llm', method: 'fails.politely', outcome: 'error' }), 1);
    assert.equal(await count(metrics, { transport: 'mcp', method: UNKNOWN_METHOD, outcome: 'error' }), 1);
  });
});
