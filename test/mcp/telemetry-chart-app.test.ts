/**
 * The telemetry chart MCP App: listed and read as a `ui://` resource with the MCP Apps MIME type and
 * its `_meta.ui`, linked from query_telemetry, and — in a real Chromium, hosted by the extension's own
 * `AppBridge` wired to an MCP client of the hub — booting, drawing the tool result it is handed, and
 * refreshing through `callServerTool`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppBridge, getToolUiResourceUri, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/app-bridge';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { chromium, type Browser, type Page } from 'playwright-core';
import { connectInProcess } from '../../src/mcp/in-process.ts';
import { eventually, startTestHub, type TestHub } from '../support/test-hub.ts';

const CHART_URI = 'ui://llm-iot/telemetry-chart.html';
const CHROMIUM = process.env['LLMIOT_CHROMIUM'] ?? '/usr/bin/chromium';

/** AppBridge's side of the postMessage channel, carried over Playwright: host page ⇄ Node. */
class PageTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  readonly #page: Page;
  constructor(page: Page) {
    this.#page = page;
  }
  async start(): Promise<void> {}
  async send(message: JSONRPCMessage): Promise<void> {
    // The host posts into the iframe, as a browser host does (the App checks event.source is its parent).
    await this.#page.evaluate(`document.getElementById('app').contentWindow.postMessage(${JSON.stringify(message)}, '*')`);
  }
  async close(): Promise<void> {
    this.onclose?.();
  }
}

describe('telemetry chart MCP App', () => {
  let t: TestHub;
  let client: Client;
  let sensor = '';

  before(async () => {
    t = await startTestHub({}, undefined, { bus: 'memory' });
    const ctx = { transport: 'internal' as const };
    const mcu = ((await t.hub.dispatcher.invoke('device.register', { device_type: 'mcu', hardware_id: 'chart-mcu', static_schema: { manufacturer: 'Raspberry Pi', model: 'Pico W' }, zone: 'Zone A' }, ctx)) as { device_id: string }).device_id;
    sensor = ((await t.hub.dispatcher.invoke('sensor.discover', { mcu_id: mcu, static_schema: { manufacturer: 'Bosch', model: 'BMP580', communication: { primary_protocol: 'I2C', i2c: { address: '0x47' } } } }, ctx)) as { sensor_id: string }).sensor_id;
    const now = t.hub.services.now();
    await t.hub.stores.telemetry.write(Array.from({ length: 240 }, (_, i) => ({ deviceId: sensor, measurement: 'temperature', unit: 'Cel', ts: now - 6 * 3_600_000 + 60_000 + i * 89_000, value: 20 + Math.sin(i / 20) })));
    client = await connectInProcess(t.hub, { client: new Client({ name: 'apps-host', version: '1.0.0' }) });
  });
  after(async () => {
    await client.close();
    await t.close();
  });

  it('is a ui:// resource with the MCP Apps MIME type and a no-network CSP, linked from query_telemetry', async () => {
    const { resources } = await client.listResources();
    const listed = resources.find((r) => r.uri === CHART_URI);
    assert.equal(listed?.mimeType, RESOURCE_MIME_TYPE);
    assert.equal(RESOURCE_MIME_TYPE, 'text/html;profile=mcp-app');
    assert.deepEqual(listed?._meta?.['ui'], { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true });

    const { contents } = await client.readResource({ uri: CHART_URI });
    const [page] = contents;
    assert.ok(page && 'text' in page);
    assert.equal(page.mimeType, RESOURCE_MIME_TYPE);
    assert.deepEqual(page._meta?.['ui'], listed?._meta?.['ui']);
    assert.match(page.text, /^<!doctype html>/);
    assert.doesNotMatch(page.text, /<script[^>]+src=|<link[^>]+href=|<img[^>]+src=|@import/, 'self-contained: nothing fetched');
    assert.doesNotMatch(page.text, /^\s*export\s*\{/m, 'the bundle is inlined, not a module to import');

    const { tools } = await client.listTools();
    const query = tools.find((tool) => tool.name === 'query_telemetry');
    assert.ok(query);
    assert.equal(getToolUiResourceUri(query), CHART_URI, "ext-apps' own host helper finds the app");
    assert.equal(query._meta?.['ui/resourceUri'], CHART_URI, 'the older key as well');
  });

  it('boots in Chromium under the ext-apps AppBridge, draws the tool result, and refreshes through callServerTool', async () => {
    const { contents } = await client.readResource({ uri: CHART_URI });
    const html = (contents[0] as { text: string }).text;
    const args = { device: sensor, measurements: ['temperature'], last: '6h' };
    const result = (await client.callTool({ name: 'query_telemetry', arguments: args })) as CallToolResult;
    assert.equal(result.isError, undefined);

    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      const page = await browser.newPage();
      const transport = new PageTransport(page);
      await page.exposeFunction('toHost', (message: JSONRPCMessage) => transport.onmessage?.(message));
      await page.setContent(
        '<iframe id="app" sandbox="allow-scripts" style="width:700px;height:500px"></iframe>' +
          "<script>addEventListener('message', (e) => { if (e.source === document.getElementById('app').contentWindow) window.toHost(e.data); });</script>",
      );
      const bridge = new AppBridge(client, { name: 'test-host', version: '1.0.0' }, { serverTools: {} });
      let initialized = false;
      bridge.oninitialized = () => void (initialized = true);
      await bridge.connect(transport);
      await page.evaluate(`document.getElementById('app').srcdoc = ${JSON.stringify(html)}`);

      await eventually(() => initialized, 15_000, 'the app initialized with the host');
      assert.equal(bridge.getAppVersion()?.name, 'llm-iot telemetry chart');
      await bridge.sendToolInput({ arguments: args });
      await bridge.sendToolResult(result);

      const frame = page.frameLocator('#app');
      await frame.locator('figure').first().waitFor({ timeout: 15_000 });
      const caption = await frame.locator('figcaption').first().textContent();
      assert.match(caption ?? '', /^temperature \(Cel\): mean 20\.\d+, min 19(\.0\d*)?, max (20\.9\d*|21), 240 samples$/);
      assert.equal(await frame.locator('svg path.mean').count(), 1);
      assert.match((await frame.locator('#range').textContent()) ?? '', /→ .* · \d+m buckets/);

      const queries = async (): Promise<number> => (await t.hub.stores.audit.list({ tool: 'query_telemetry' })).length;
      assert.equal(await queries(), 1);
      await frame.locator('#refresh').click();
      await frame.locator('#status', { hasText: '(refresh 1)' }).waitFor({ timeout: 15_000 });
      assert.equal(await queries(), 2, 'the app asked the server again, through the host, under the MCP session');
    } finally {
      await browser?.close();
    }
  });
});
