/** MCP request params are wire data (found by the fuzzer, test/fuzz): the JSON limits apply, and no key breaks the server. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openRawMcpSession, type RawMcpAnswer, type RawMcpSession } from '../support/raw-mcp-session.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

/** `{"a":{"a":…}}`, `depth` levels deep, as text (JSON.stringify of such a value would overflow). */
function nested(depth: number): string {
  return '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
}

describe('MCP: tools/call arguments from the wire', () => {
  let t: TestHub;
  let session: RawMcpSession;
  const post = (body: unknown): Promise<RawMcpAnswer> => session.post(body);

  before(async () => {
    t = await startTestHub();
    session = await openRawMcpSession(t.httpUrl);
  });
  after(async () => t.close());

  for (const depth of [33, 20_000]) {
    it(`arguments nested ${depth} deep answer -32602 with the pointer`, async () => {
      const answer = await post(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"find_devices","arguments":{"zone":${nested(depth)}}}}`);
      assert.equal(answer.error?.code, -32602, JSON.stringify(answer).slice(0, 500));
      assert.match(answer.error?.message ?? '', /\/params\/arguments\/zone(\/a)+/);
      assert.match(answer.error?.message ?? '', /nested deeper than 32 levels/);
    });
  }

  it('an over-long string in the arguments answers -32602 naming it', async () => {
    const answer = await post(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'find_devices', arguments: { zone: 'x'.repeat(70_000) } } }));
    assert.equal(answer.error?.code, -32602);
    assert.match(answer.error?.message ?? '', /\/params\/arguments\/zone: string of 70000 characters/);
  });

  for (const key of ['constructor', '__proto__', 'hasOwnProperty', 'toString']) {
    it(`a "${key}": null argument is an ordinary (unknown) argument, never -32603`, async () => {
      const answer = await post(`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"query_telemetry","arguments":{"time_range":{"value":{"last":"1h"}},"${key}":null}}}`);
      assert.equal(answer.error, undefined, JSON.stringify(answer));
      // The tool's own validation answers: a tool error result, not a protocol failure.
      assert.equal(answer.result?.isError, true, JSON.stringify(answer));
      assert.doesNotMatch(JSON.stringify(answer.result), /-32603|prototype/);
    });
  }

  it('a nested "constructor": null is data the tool sees', async () => {
    const answer = await post(`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"find_devices","arguments":{"zone":{"constructor":null}}}}`);
    assert.equal(answer.error, undefined, JSON.stringify(answer));
    assert.doesNotMatch(JSON.stringify(answer.result), /-32603|prototype/);
  });

  it('prompts/get arguments with "constructor": null answer -32602 naming it, never -32603', async () => {
    const answer = await post(`{"jsonrpc":"2.0","id":7,"method":"prompts/get","params":{"name":"fleet_overview","arguments":{"constructor":null}}}`);
    assert.equal(answer.error?.code, -32602, JSON.stringify(answer));
    assert.match(answer.error?.message ?? '', /\/params\/arguments\/constructor/);
  });

  it('any MCP request nested 20,000 deep answers -32602 with the pointer', async () => {
    const answer = await post(`{"jsonrpc":"2.0","id":8,"method":"prompts/get","params":{"name":"fleet_overview","arguments":${nested(20_000)}}}`);
    assert.equal(answer.error?.code, -32602, JSON.stringify(answer).slice(0, 300));
    assert.match(answer.error?.message ?? '', /Invalid prompts\/get request: \/params\/arguments(\/a)+: nested deeper than 32 levels/);
  });

  it('a well-formed call still works in the same session', async () => {
    const answer = await post(JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'find_devices', arguments: {} } }));
    assert.equal(answer.error, undefined);
    assert.notEqual(answer.result?.isError, true, JSON.stringify(answer));
  });
});
