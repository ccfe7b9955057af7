/**
 * Every JSON-RPC method × every role, over HTTP /rpc, WebSocket /ws and MCP /mcp, generated from the
 * method registry: a method added later is covered without touching this file. A role below the
 * method's is refused (FORBIDDEN, or MCP's 403 insufficient_scope); a role at or above it is not.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocket } from 'ws';
import { createApiToken } from '../../src/auth/api-tokens.ts';
import { ROLES, roleAtLeast, type Role } from '../../src/core/principal.ts';
import { requiredRole } from '../../src/rpc/method.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

const FORBIDDEN = -32031;
let t: TestHub;
const tokens = {} as Record<Role, string>;

before(async () => {
  t = await startTestHub();
  for (const role of ROLES) tokens[role] = (await createApiToken(t.hub.stores.tokens, { role, name: `matrix-${role}` })).token;
});
after(() => t.close());

async function rpcOverHttp(token: string, calls: readonly { name: string }[]): Promise<Map<string, number | undefined>> {
  const body = calls.map((c, i) => ({ jsonrpc: '2.0', id: i, method: c.name, params: {} }));
  const res = await fetch(`${t.httpUrl}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  const answers = (await res.json()) as { id: number; error?: { code: number } }[];
  return new Map(answers.map((a) => [calls[a.id]?.name ?? '?', a.error?.code]));
}

async function rpcOverWs(token: string, calls: readonly { name: string }[]): Promise<Map<string, number | undefined>> {
  const ws = new WebSocket(`${t.httpUrl.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const answers = new Map<string, number | undefined>();
  const done = new Promise<void>((resolve) =>
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; error?: { code: number } } | { id: number; error?: { code: number } }[];
      for (const a of Array.isArray(message) ? message : [message]) if (typeof a.id === 'number') answers.set(calls[a.id]?.name ?? '?', a.error?.code);
      if (answers.size === calls.length) resolve();
    }),
  );
  ws.send(JSON.stringify(calls.map((c, i) => ({ jsonrpc: '2.0', id: i, method: c.name, params: {} }))));
  await done;
  ws.close();
  return answers;
}

describe('every method × role', () => {
  for (const [transport, call] of [
    ['HTTP', rpcOverHttp],
    ['WebSocket', rpcOverWs],
  ] as const) {
    it(`over ${transport}: refused below the method's role, not refused at or above it`, async () => {
      const methods = t.hub.methods.list();
      assert.ok(methods.length > 40, 'the whole registry');
      for (const role of ROLES) {
        const answers = await call(tokens[role], methods);
        for (const method of methods) {
          const needed = requiredRole(method);
          const code = answers.get(method.name);
          if (roleAtLeast(role, needed)) assert.notEqual(code, FORBIDDEN, `${role} may call ${method.name} (needs ${needed})`);
          else assert.equal(code, FORBIDDEN, `${role} must not call ${method.name} (needs ${needed})`);
        }
      }
    });
  }

  it('rpc.discover shows each method\'s role, derived from its kind unless set', async () => {
    const answers = await fetch(`${t.httpUrl}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.viewer}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'rpc.discover' }),
    });
    const doc = ((await answers.json()) as { result: { methods: { name: string; 'x-llmiot-role': string; 'x-llmiot-kind': string }[] } }).result;
    const byName = new Map(doc.methods.map((m) => [m.name, m]));
    assert.equal(byName.get('device.list')?.['x-llmiot-role'], 'viewer');
    assert.equal(byName.get('mcu.set_config')?.['x-llmiot-role'], 'operator');
    assert.equal(byName.get('mcu.reboot')?.['x-llmiot-role'], 'admin');
    assert.equal(byName.get('audit.list')?.['x-llmiot-role'], 'admin', 'management methods are admin-only whatever their kind');
    for (const m of doc.methods) assert.ok(ROLES.includes(m['x-llmiot-role'] as Role), `${m.name} declares a role`);
  });

  it('over MCP: tools/list offers only what the role may call; a call above it is a 403 naming the scope', async () => {
    const all = t.hub.tools.tools();
    const mcuId = ((await t.hub.dispatcher.invoke('device.register', { device_type: 'mcu', hardware_id: 'matrix-mcu', static_schema: { manufacturer: 'Raspberry Pi', model: 'Pico W' } }, { transport: 'internal' })) as { device_id: string }).device_id;
    for (const role of ROLES) {
      const transport = new StreamableHTTPClientTransport(new URL(`${t.httpUrl}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${tokens[role]}` } } });
      const client = new Client({ name: `matrix-${role}`, version: '1.0.0' });
      await client.connect(transport);
      const listed = (await client.listTools()).tools.map((tool) => tool.name).sort();
      assert.deepEqual(listed, all.filter((tool) => roleAtLeast(role, tool.role)).map((tool) => tool.name).sort(), `${role}'s tools`);
      if (role === 'viewer') assert.ok(!listed.includes('configure_device') && !listed.includes('update_device'));
      if (role !== 'admin') {
        // run_command is listed for viewers (get_status), but a reboot needs admin: the arguments decide.
        const reboot = client.callTool({ name: 'run_command', arguments: { device: mcuId, command: 'reboot' } });
        await assert.rejects(reboot, (error: unknown) => error instanceof StreamableHTTPError && error.code === 403 && /iot:admin/.test(error.message), `${role} must not reboot`);
      }
      for (const tool of all) {
        const attempt = client.callTool({ name: tool.name, arguments: {} });
        if (roleAtLeast(role, tool.role)) {
          await attempt; // an MCP result (often isError for the empty arguments), never a refusal
        } else {
          await assert.rejects(attempt, (error: unknown) => error instanceof StreamableHTTPError && error.code === 403, `${role} must not call ${tool.name}`);
        }
      }
      await client.close();
    }
  });

  it('over MCP: the 403 insufficient_scope body answers the refused tools/call\'s own id (null when it has no valid one)', async () => {
    const mcuId = ((await t.hub.dispatcher.invoke('device.register', { device_type: 'mcu', hardware_id: 'matrix-mcu-ids', static_schema: { manufacturer: 'Raspberry Pi', model: 'Pico W' } }, { transport: 'internal' })) as { device_id: string }).device_id;
    const post = async (role: Role, body: unknown): Promise<{ status: number; challenge: string; answer: { id: unknown; error: { code: number } } }> => {
      const res = await fetch(`${t.httpUrl}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${tokens[role]}` },
        body: JSON.stringify(body),
      });
      return { status: res.status, challenge: res.headers.get('www-authenticate') ?? '', answer: (await res.json()) as { id: unknown; error: { code: number } } };
    };
    const call = (id: unknown, name: string, args: Record<string, unknown>): object => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
    const configure = (id: unknown): object => call(id, 'configure_device', { device: mcuId, settings: { power_mode: 'low_power' } });
    const reboot = (id: unknown): object => call(id, 'run_command', { device: mcuId, command: 'reboot' });

    const viewer = await post('viewer', configure('cfg-7'));
    assert.equal(viewer.status, 403);
    assert.match(viewer.challenge, /error="insufficient_scope", scope="iot:write"/);
    assert.equal(viewer.answer.error.code, FORBIDDEN);
    assert.equal(viewer.answer.id, 'cfg-7');
    const operator = await post('operator', reboot(42));
    assert.equal(operator.status, 403);
    assert.match(operator.challenge, /error="insufficient_scope", scope="iot:admin"/);
    assert.equal(operator.answer.id, 42);
    // No id to answer: a batch (the refusal answers the whole POST), an id of the wrong type or beyond the JSON limits.
    for (const body of [[call(1, 'find_devices', {}), reboot(2)], reboot(true), reboot({ x: 1 }), reboot('x'.repeat(70_000))]) {
      const refused = await post('operator', body);
      assert.equal(refused.status, 403);
      assert.equal(refused.answer.id, null);
    }
  });
});
