/**
 * `llm-iot mcp --hub <url>` spawned from source as Claude Desktop / Claude Code would spawn it, driven
 * by the SDK's StdioClientTransport: lists, calls, approval through URL elicitation and notifications
 * relayed through the proxy, and a hub restart survived.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, McpError, ResourceListChangedNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { listenHttp, type HttpListener } from '../../src/api/http-server.ts';
import { createApiToken } from '../../src/auth/api-tokens.ts';
import { createHub, type Hub } from '../../src/hub.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { runCli } from '../support/cli.ts';
import { cliCommand } from '../support/cli-command.ts';
import { decideAsPerson } from '../support/people.ts';
import { eventually, startTestHub, type TestHub } from '../support/test-hub.ts';
import { call, greenhouseNode, text, type GreenhouseNode } from './greenhouse.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Spawn the proxy (built, else from source: cli-command.ts); collect what it writes to stderr. `token`: its LLMIOT_TOKEN (none by default). */
function spawnProxy(hubUrl: string, token?: string): { transport: StdioClientTransport; stderr: () => string } {
  const { LLMIOT_TOKEN: _inherited, ...env } = process.env as Record<string, string>;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...cliCommand(), 'mcp', '--hub', hubUrl],
    cwd: ROOT,
    env: { ...env, LLMIOT_LOG_LEVEL: 'info', ...(token !== undefined && { LLMIOT_TOKEN: token }) },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { transport, stderr: () => stderr };
}

describe('llm-iot mcp (stdio proxy)', () => {
  let t: TestHub;
  let node: GreenhouseNode;
  let client: Client;
  let proxy: ReturnType<typeof spawnProxy>;
  const transportErrors: Error[] = [];
  let approvals = 0;

  before(async () => {
    t = await startTestHub({}, undefined, { bus: 'memory' });
    node = await greenhouseNode(t, 'pico-stdio', 'Zone A');
    proxy = spawnProxy(t.httpUrl);
    client = new Client({ name: 'claude-code-test', version: '1.0.0' }, { capabilities: { elicitation: { url: {} } } });
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      approvals++;
      // The user opens the approval page; a logged-in person approves there.
      const { elicitationId } = request.params as { elicitationId: string };
      setImmediate(() => void decideAsPerson(t, elicitationId));
      return { action: 'accept' };
    });
    client.onerror = (error) => void transportErrors.push(error);
    await client.connect(proxy.transport);
  });
  after(async () => {
    await client.close();
    await t.close();
  });

  it('relays initialize, tools/list and tools/call, with the real client as the audit principal', async () => {
    assert.equal(client.getServerVersion()?.name, 'llm-iot');
    const { tools } = await client.listTools();
    assert.equal(tools.find((tool) => tool.name === 'read_device')?.annotations?.readOnlyHint, true);
    const list = await call(client, 'find_devices', { zone: 'Zone A' });
    assert.equal(list.structuredContent.total, 3);
    const audit = await t.hub.stores.audit.list({ tool: 'find_devices' });
    assert.match(audit[0]?.client ?? '', /^claude-code-test\//);
  });

  it('relays the hub\'s URL elicitation to the client and answers the write a person approved', async () => {
    const done = await call(client, 'configure_device', { device: node.soil, settings: { power_mode: 'low_power' } });
    assert.equal(done.isError, undefined, text(done));
    assert.equal(approvals, 1);
    assert.deepEqual(node.received('sensor.configure').map((c) => c.params.config), [{ power_mode: 'low_power' }]);
  });

  it('relays notifications from the hub\'s stream', async () => {
    let changed = 0;
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void changed++);
    await greenhouseNode(t, 'pico-stdio-2', 'Zone B');
    await eventually(() => changed > 0, 10_000, 'resources/list_changed through the proxy');
  });

  it('keeps stdout for the protocol: logs go to stderr', () => {
    assert.deepEqual(transportErrors, []);
    assert.match(proxy.stderr(), /llm-iot MCP stdio proxy ready/);
  });
});

describe('llm-iot mcp against a hub with auth on', () => {
  let t: TestHub;
  let viewer: string;
  let mcuId: string;

  before(async () => {
    t = await startTestHub({}, undefined, { bus: 'memory' });
    mcuId = ((await t.hub.dispatcher.invoke('device.register', { device_type: 'mcu', hardware_id: 'stdio-auth-mcu', static_schema: { manufacturer: 'Raspberry Pi', model: 'Pico W' } }, { transport: 'internal' })) as { device_id: string }).device_id;
    // Once a token exists, every caller needs one.
    viewer = (await createApiToken(t.hub.stores.tokens, { role: 'viewer', name: 'stdio-viewer' })).token;
  });
  after(() => t.close());

  /** Connect a client through a proxy with this LLMIOT_TOKEN; the McpError the connect failed with, if any. */
  async function connectWith(token: string | undefined, use?: (client: Client) => Promise<void>): Promise<{ error: unknown; stderr: string }> {
    const proxy = spawnProxy(t.httpUrl, token);
    const client = new Client({ name: 'desktop', version: '1.0.0' });
    try {
      await client.connect(proxy.transport);
      await use?.(client);
      return { error: undefined, stderr: proxy.stderr() };
    } catch (error) {
      return { error, stderr: proxy.stderr() };
    } finally {
      await client.close();
    }
  }

  it('without LLMIOT_TOKEN, answers initialize with the hub\'s UNAUTHENTICATED and says to set it, not "unreachable"', async () => {
    const { error, stderr } = await connectWith(undefined);
    assert.ok(error instanceof McpError, String(error));
    assert.equal(error.code, -32030);
    assert.match(error.message, /refused the request: Unauthenticated: credentials required; no token was sent: set LLMIOT_TOKEN/);
    assert.doesNotMatch(error.message, /unreachable/);
    assert.match(stderr, /set LLMIOT_TOKEN/);
  });

  it('with an unknown token, answers UNAUTHENTICATED naming LLMIOT_TOKEN as refused', async () => {
    const { error } = await connectWith('llmiot_not-a-real-token');
    assert.ok(error instanceof McpError, String(error));
    assert.equal(error.code, -32030);
    assert.match(error.message, /unknown token; the token in LLMIOT_TOKEN is unknown, expired or revoked: set LLMIOT_TOKEN/);
  });

  it('with a viewer token, relays a call above the role as the hub\'s FORBIDDEN with its data and the request\'s id', async () => {
    const { error } = await connectWith(viewer, async (client) => {
      assert.ok((await client.listTools()).tools.length > 0);
      await client.callTool({ name: 'configure_device', arguments: { device: mcuId, settings: { power_mode: 'low_power' } } });
    });
    assert.ok(error instanceof McpError, String(error));
    assert.equal(error.code, -32031);
    assert.match(error.message, /Forbidden: tool configure_device needs the operator role \(scope iot:write\).*set LLMIOT_TOKEN to a token with the role named/);
    assert.deepEqual(error.data, { required_role: 'operator', required_scope: 'iot:write', role: 'viewer' });
  });
});

describe('llm-iot mcp across a hub restart', () => {
  let dataDir: string;
  let hub: Hub | undefined;
  let listener: HttpListener | undefined;

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'llmiot-mcp-restart-'));
  });
  after(async () => {
    await listener?.close();
    await hub?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function boot(port: number): Promise<number> {
    hub = await createHub({ store: 'sqlite', dataDir, logLevel: 'silent' }, { logger: silentLogger });
    listener = await listenHttp(hub.http, { port, host: '127.0.0.1' });
    return listener.port;
  }

  it('opens a new hub session by itself when the hub restarted, and the client keeps working', async () => {
    const port = await boot(0);
    const proxy = spawnProxy(`http://127.0.0.1:${port}`);
    const client = new Client({ name: 'desktop', version: '1.0.0' });
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
    try {
      await client.connect(proxy.transport);
      assert.ok((await client.listTools()).tools.length > 0);
      await listener?.close();
      await hub?.close();
      await boot(port);
      const after = await call(client, 'find_devices', {});
      assert.equal(after.isError, undefined, text(after));
      assert.match(proxy.stderr(), /hub session gone/);
      await eventually(() => changed > 0, 10_000, 'list_changed after the new session');
    } finally {
      await client.close();
    }
  });

  it('answers a request with a JSON-RPC error naming the hub when the hub is down', async () => {
    await listener?.close();
    await hub?.close();
    listener = undefined;
    hub = undefined;
    const proxy = spawnProxy('http://127.0.0.1:9');
    const client = new Client({ name: 'desktop', version: '1.0.0' });
    try {
      await assert.rejects(client.connect(proxy.transport), /llm-iot hub unreachable at http:\/\/127\.0\.0\.1:9\/mcp/);
    } finally {
      await client.close();
    }
  });

  it('prints its usage with --help', async () => {
    const cli = runCli(['mcp', '--help']);
    assert.equal(await cli.exit(), 0);
    assert.match(cli.output(), /Usage: llm-iot mcp \[--hub <url>\]/);
  });
});
