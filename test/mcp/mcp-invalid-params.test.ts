/** Malformed MCP requests (found by the fuzzer, test/fuzz) answer -32602 naming the bad path, never -32603. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openRawMcpSession, type RawMcpAnswer, type RawMcpSession } from '../support/raw-mcp-session.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

describe('MCP: requests that do not match their schema', () => {
  let t: TestHub;
  let session: RawMcpSession;
  const post = (body: unknown): Promise<RawMcpAnswer> => session.post(body);

  before(async () => {
    t = await startTestHub();
    session = await openRawMcpSession(t.httpUrl);
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
