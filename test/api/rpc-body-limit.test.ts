/** POST /rpc honours --max-message-bytes: above it 413 and -32006, at or below it the request is handled. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestHub } from '../support/test-hub.ts';

/** A device.list request padded to exactly `bytes` bytes of JSON. */
function body(bytes: number): string {
  const bare = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'device.list', params: {}, pad: '' });
  return JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'device.list', params: {}, pad: 'x'.repeat(bytes - bare.length) });
}

async function post(url: string, text: string): Promise<{ status: number; answer: { error?: { code: number; message: string } } }> {
  const res = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
  return { status: res.status, answer: (await res.json()) as { error?: { code: number; message: string } } };
}

describe('POST /rpc body limit', () => {
  it('a lowered --max-message-bytes refuses a body above it with 413 and -32006, and serves one at the limit', async () => {
    const t = await startTestHub({ store: 'memory', maxMessageBytes: 4096 });
    try {
      const above = await post(t.httpUrl, body(4097));
      assert.equal(above.status, 413);
      assert.equal(above.answer.error?.code, -32006);
      assert.match(above.answer.error?.message ?? '', /exceeds 4096 bytes/);
      const at = await post(t.httpUrl, body(4096));
      assert.equal(at.status, 200);
      assert.notEqual(at.answer.error?.code, -32006);
    } finally {
      await t.close();
    }
  });

  it('a raised --max-message-bytes accepts a body above 1 MiB and refuses one above the new limit', async () => {
    const limit = 3 * 1024 * 1024;
    const t = await startTestHub({ store: 'memory', maxMessageBytes: limit });
    try {
      const big = await post(t.httpUrl, body(2 * 1024 * 1024));
      assert.equal(big.status, 200);
      assert.notEqual(big.answer.error?.code, -32006);
      const above = await post(t.httpUrl, body(limit + 1));
      assert.equal(above.status, 413);
      assert.equal(above.answer.error?.code, -32006);
    } finally {
      await t.close();
    }
  });
});
