/**
 * The browser side of the telemetry chart MCP App, as text inlined into its HTML after ext-apps'
 * bundle (which defines `ExtApps`). It connects an `App` to the host over postMessage, draws each
 * series of a query_telemetry answer as an SVG line (mean) over a band (min..max), and asks the
 * server again through the host (`callServerTool`) every __REFRESH_MS__ ms and on "Refresh".
 */

export const CHART_STYLE = `
body{font:13px system-ui,sans-serif;margin:8px;color:#222;background:#fff}
header{display:flex;gap:8px;align-items:baseline;margin-bottom:6px}
#range{color:#666;flex:1}
figure{margin:0 0 10px}
figcaption{font-weight:600}
svg{width:100%;height:180px;display:block}
.band{fill:#4a90d9;opacity:.18}.mean{fill:none;stroke:#1f5fa8;stroke-width:1.5}
.axis{fill:#666;font-size:10px}
`;

export const CHART_SCRIPT = String.raw`
const app = new ExtApps.App({ name: 'llm-iot telemetry chart', version: '1.0.0' });
const $ = (id) => document.getElementById(id);
let args;
let refreshes = 0;

function draw(answer) {
  const charts = $('charts');
  charts.textContent = '';
  if (!answer || !Array.isArray(answer.series)) {
    charts.innerHTML = '<p id="status">No telemetry in this result.</p>';
    return;
  }
  $('range').textContent = answer.time_range.start + ' → ' + answer.time_range.end + ' · ' + answer.interval + ' buckets';
  if (answer.series.length === 0) {
    charts.innerHTML = '<p id="status">' + (answer.note || 'No data') + '</p>';
    return;
  }
  for (const s of answer.series) charts.appendChild(figure(s));
  const status = document.createElement('p');
  status.id = 'status';
  status.textContent = 'Updated ' + new Date().toLocaleTimeString() + (refreshes > 0 ? ' (refresh ' + refreshes + ')' : '');
  charts.appendChild(status);
  document.body.dataset.series = String(answer.series.length);
  document.body.dataset.points = String(answer.points);
}

function figure(s) {
  const W = 600, H = 180, P = 28;
  const rows = s.buckets.filter((b) => typeof b[3] === 'number');
  const times = rows.map((b) => Date.parse(b[0]));
  const lo = Math.min(...rows.map((b) => b[1] ?? b[3])), hi = Math.max(...rows.map((b) => b[2] ?? b[3]));
  const t0 = Math.min(...times), t1 = Math.max(...times);
  const x = (t) => P + (t1 === t0 ? 0.5 : (t - t0) / (t1 - t0)) * (W - 2 * P);
  const y = (v) => H - P - (hi === lo ? 0.5 : (v - lo) / (hi - lo)) * (H - 2 * P);
  const mean = rows.map((b, i) => (i ? 'L' : 'M') + x(times[i]).toFixed(1) + ' ' + y(b[3]).toFixed(1)).join(' ');
  const top = rows.map((b, i) => x(times[i]).toFixed(1) + ',' + y(b[2] ?? b[3]).toFixed(1));
  const bottom = rows.map((b, i) => x(times[i]).toFixed(1) + ',' + y(b[1] ?? b[3]).toFixed(1)).reverse();
  const unit = s.unit ? ' (' + s.unit + ')' : '';
  const who = s.hardware_id ? ' — ' + s.hardware_id : '';
  const f = document.createElement('figure');
  f.innerHTML =
    '<figcaption></figcaption><svg viewBox="0 0 ' + W + ' ' + H + '" role="img">' +
    '<polygon class="band" points="' + top.concat(bottom).join(' ') + '"/>' +
    '<path class="mean" d="' + mean + '"/>' +
    '<text class="axis" x="2" y="' + (P - 6) + '">' + hi + '</text>' +
    '<text class="axis" x="2" y="' + (H - 4) + '">' + lo + '</text></svg>';
  f.querySelector('figcaption').textContent = s.measurement + unit + who + ': mean ' + s.summary.mean + ', min ' + s.summary.min + ', max ' + s.summary.max + ', ' + s.summary.count + ' samples';
  return f;
}

function fromResult(result) {
  if (result.structuredContent) return result.structuredContent;
  const text = (result.content || []).find((c) => c.type === 'text');
  try { return text ? JSON.parse(text.text) : undefined; } catch { return undefined; }
}

async function refresh() {
  if (!args) return;
  const result = await app.callServerTool({ name: 'query_telemetry', arguments: args });
  refreshes++;
  if (!result.isError) draw(fromResult(result));
}

app.ontoolinput = (params) => { args = params.arguments; };
app.ontoolresult = (result) => draw(fromResult(result));
$('refresh').addEventListener('click', () => void refresh());
await app.connect();
document.body.dataset.connected = 'true';
setInterval(() => void refresh(), __REFRESH_MS__);
`;
