/** Malformed MCP requests (found by the fuzzer, test/fuzz) answer -32602 naming the bad path, never -32603. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

const PROTOCOL = '2025-11-25';

describe('MCP: requests that do not match their schema', () => {
  let t: TestHub;
  let headers: Record<string, string>;

  async function post(body: unknown): Promise<{ error?: { code: number; message: string }; result?: unknown }> {
    const res = await fetch(`${t.httpUrl}/mcp`, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await res.text();
    const data = res.headers.get('content-type')?.includes('text/event-stream') ? text.split('\n').find((l) => l.startsWith('data:') && l.slice(5).trim() !== '')?.slice(5) : text;
    return JSON.parse(data ?? 'null') as never;
  }

  before(async () => {
    t = await startTestHub();
    headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await fetch(`${t.httpUrl}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    });
    await init.text();
    headers = { ...headers, 'mcp-session-id': init.headers.get('mcp-session-id') ?? '', 'mcp-protocol-version': PROTOCOL };
  });
  after(async () => t.close());

  for (const [method, params, path] of [
    ['tools/call', { name: 5 }, /params\/name/],
    ['tools/call', { name: 'find_devices', arguments: 7 }, /params\/arguments/],
    ['resources/read', { uri: ['x'] }, /params\/uri/],
    ['prompts/get', {}, /params\/name/],
    ['logging/setLevel', { level: 'loud' }, /params\/level/],
  ] as const) {
    it(`${method} ${JSON.stringify(params)} answers -32602`, async () => {
      const answer = await post({ jsonrpc: '2.0', id: 2, method, params });
      assert.equal(answer.error?.code, -32602, JSON.stringify(answer));
      assert.match(answer.error?.message ?? '', new RegExp(`Invalid ${method.replace('/', '\\/')} request`));
      assert.match(answer.error?.message ?? '', path);
    });
  }

  it('a well-formed call still works in the same session', async () => {
    const answer = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list' });
    assert.ok(Array.isArray((answer.result as { tools: unknown[] }).tools));
  });
});
