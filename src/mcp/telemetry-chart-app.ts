/**
 * The MCP App (MCP Apps extension, `@modelcontextprotocol/ext-apps`) that charts a query_telemetry
 * answer inside hosts that render `ui://` resources: one self-contained HTML page with the
 * extension's own `App` class inlined (its dependency-free browser build) and a small SVG line chart.
 * The host hands it the tool's result; it refreshes through `app.callServerTool('query_telemetry')`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import type { Resource } from '@modelcontextprotocol/sdk/types.js';
import { TELEMETRY_CHART_URI } from '../tools/telemetry-summary.ts';
import { CHART_SCRIPT, CHART_STYLE } from './telemetry-chart-script.ts';

export { TELEMETRY_CHART_URI };
/** Seconds between live refreshes while the chart is shown. */
export const REFRESH_SECONDS = 30;

/** MCP Apps `_meta.ui` of the resource: no network access at all (everything is inline), a border please. */
export const CHART_UI_META = { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true };

export const CHART_RESOURCE: Resource = {
  uri: TELEMETRY_CHART_URI,
  name: 'telemetry-chart',
  title: 'Telemetry chart',
  description: 'MCP App: a live line chart of a query_telemetry answer (min/max band and mean per interval), refreshed every 30 s.',
  mimeType: RESOURCE_MIME_TYPE,
  _meta: { ui: CHART_UI_META },
};

let html: string | undefined;

/** The page (built once per process). */
export function telemetryChartHtml(): string {
  html ??= [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Telemetry chart</title><style>${CHART_STYLE}</style></head><body>`,
    '<header><strong id="title">Telemetry</strong> <span id="range"></span> <button id="refresh" type="button">Refresh</button></header>',
    '<div id="charts"><p id="status">Waiting for query_telemetry…</p></div>',
    `<script type="module">\n${extAppsBundle()}\n${CHART_SCRIPT.replace('__REFRESH_MS__', String(REFRESH_SECONDS * 1000))}\n</script>`,
    '</body></html>',
  ].join('\n');
  return html;
}

/**
 * ext-apps' browser build (`app-with-deps`: App, PostMessageTransport and zod, no imports), its one
 * `export {…}` turned into a local `ExtApps` object so the chart script in the same module can use it.
 */
function extAppsBundle(): string {
  const require = createRequire(import.meta.url);
  const source = readFileSync(require.resolve('@modelcontextprotocol/ext-apps/app-with-deps'), 'utf8');
  const match = /export\s*\{([^}]*)\};?\s*$/.exec(source);
  if (!match?.[1]) throw new Error('@modelcontextprotocol/ext-apps/app-with-deps: no trailing export list (a new build layout?)');
  const members = match[1].split(',').map((entry) => {
    const [local, exported] = entry.trim().split(/\s+as\s+/);
    return `${JSON.stringify(exported ?? local)}: ${local}`;
  });
  // Inside <script>, "</script" would end the element early.
  return `${source.slice(0, match.index)}\nconst ExtApps = {${members.join(', ')}};`.replaceAll('</script', '<\\/script');
}
