/**
 * The dashboard in a real browser, as an operator: log in, watch a simulated fleet appear, open a
 * device and watch its chart move, read and configure it, find the command in the log, query and
 * export data; then an admin reads the audit log. Screenshots of each page go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../support/eventually.ts';
import { openBrowser, type BrowserSession } from '../support/browser.ts';
import { logIn, startDashboardHub, waitForSettled, waitForText, type DashboardHub } from './dashboard-support.ts';

let hub: DashboardHub;
let browser: BrowserSession;
before(async () => {
  hub = await startDashboardHub({ olive: 'operator', ada: 'admin' });
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await hub?.close();
});

describe('dashboard: an operator watches and steers the fleet', () => {
  it('logs in and sees the simulated fleet, with counts and a server-side search', async () => {
    const { page } = browser;
    await page.goto(`${hub.t.httpUrl}/`);
    await page.getByRole('heading', { name: 'llm-iot' }).waitFor();
    await browser.screenshot('login');
    await logIn(page, hub.t.httpUrl, 'olive');
    assert.equal(await page.getByTestId('who').textContent(), 'olive · operator');
    // 3 MCUs, each with 3 sensors.
    await waitForText(page, 'device-total', /of 12$/);
    await waitForText(page, 'fleet-counts', /online12/);
    await page.getByLabel('Search').fill('BMP580');
    await waitForText(page, 'device-total', /Devices 1–3 of 3$/);
    assert.equal(await page.getByTestId('device-table').locator('tbody tr').count(), 3);
    await browser.screenshot('fleet');
  });

  it('opens a sensor, whose live chart moves, then reads and configures it', async () => {
    const { page } = browser;
    await page.getByTestId('device-table').locator('tbody a').first().click();
    await page.locator('#device-title').waitFor();
    assert.match(page.url(), /#\/devices\/[0-9a-f-]{36}$/);
    const chart = page.getByTestId('chart-temperature');
    // The chart fills in two stages: what the subscription pushes, then the last 15 minutes merged in.
    // Count from after the history, so that only points pushed later can pass the check below.
    await waitForSettled(page, 'live-charts');
    await chart.waitFor();
    const before = Number(await chart.getAttribute('data-points'));
    // New points arrive over the WebSocket subscription and are added to the plot.
    await eventually(async () => Number(await chart.getAttribute('data-points')) > before + 2, 15_000, 'new points on the chart');
    assert.ok((await page.locator('[data-testid="chart-temperature"] canvas').count()) >= 1, 'uPlot drew a canvas');
    await waitForText(page, 'latest-readings', /temperature.*Cel/);

    await page.getByRole('button', { name: 'Read now' }).click();
    const read = await waitForText(page, 'action-outcome', /sensor\.read/);
    assert.match(read, /"readings"/);
    assert.match(read, /"source": "device"/);

    await page.getByLabel('Configuration (JSON object)').fill('{"power_mode": "forced"}');
    await page.getByRole('button', { name: 'Configure', exact: true }).click();
    const configured = await waitForText(page, 'action-outcome', /sensor\.configure/);
    assert.doesNotMatch(configured, /failed/);
    assert.match(configured, /forced/);
    await waitForText(page, 'command-table', /sensor\.configure.*succeeded/);
    assert.equal(await page.getByRole('button', { name: 'Reboot…' }).count(), 0, 'a sensor has no reboot');
    await browser.screenshot('device');
  });

  it('finds the command in the command log, filtered by method', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Commands' }).click();
    await page.locator('#commands-title').waitFor();
    await page.getByLabel('Method').fill('sensor.configure');
    // Until the filter has been applied, the table still lists every command (sensor.read too).
    await waitForSettled(page, 'command-results');
    // innerText, not textContent: cells apart, so that \b can end a method name.
    const text = await page.getByTestId('command-table').innerText();
    assert.match(text, /sensor\.configure/);
    assert.match(text, /succeeded/);
    assert.match(text, /forced/);
    assert.doesNotMatch(text, /sensor\.read\b/, 'the method filter is applied');
    await browser.screenshot('commands');
  });

  it('charts a measurement over a range from server-side buckets and exports it as CSV with progress', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Data' }).click();
    await page.locator('#data-title').waitFor();
    await page.getByLabel('Measurement', { exact: true }).fill('temperature');
    await page.getByLabel('Range').selectOption('15m');
    await page.getByRole('button', { name: 'Show' }).click();
    const summary = await waitForText(page, 'query-summary', /series from \d+ devices/);
    assert.match(summary, /avg per \d+s/);
    await page.getByTestId('explorer-chart').locator('canvas').first().waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    const path = await file.path();
    const csv = readFileSync(path, 'utf8').trim().split('\n');
    assert.equal(csv[0], 'timestamp,device_id,measurement_type,value,unit,quality,source_measurement,source_unit');
    assert.ok(csv.length > 1, 'rows exported');
    assert.ok(csv.slice(1).every((line) => line.split(',')[2] === 'temperature'), 'only the chosen measurement');
    const progress = await waitForText(page, 'export-progress', /^Done/);
    assert.match(progress, new RegExp(`${csv.length - 1} rows`));
    await browser.screenshot('data');
  });

  it('an admin reads the audit log: the operator\'s configure and an LLM\'s, found by one method', async () => {
    // An LLM asks for the same write through the configure_device verb tool: held for a person (writes are confirm-first).
    const llm = { principal: { id: 'dash-llm', kind: 'token' as const, role: 'operator' as const }, via: 'mcp' as const };
    const found = await hub.t.hub.tools.call('find_devices', { model: 'BMP580', limit: 1 }, llm);
    const sensor = found.status === 'ok' ? (found.result as { devices: { id: string }[] }).devices[0]?.id : undefined;
    assert.ok(sensor, JSON.stringify(found));
    assert.equal((await hub.t.hub.tools.call('configure_device', { device: sensor, settings: { power_mode: 'forced' } }, llm)).status, 'confirmation_required');
    const admin = await openBrowser();
    try {
      await logIn(admin.page, hub.t.httpUrl, 'ada');
      await admin.page.getByRole('link', { name: 'Audit' }).click();
      const search = admin.page.getByLabel('Tool or method');
      assert.equal(await search.getAttribute('placeholder'), 'configure_device, device.update');
      await search.fill('sensor.configure');
      // Until the filter has been applied, the table lists every call: wait for the filtered answer.
      const text = (await (await waitForSettled(admin.page, 'audit-results')).textContent()) ?? '';
      assert.match(text, /user:olive[\s\S]*sensor_configure|sensor_configure[\s\S]*user:olive/, "the operator's configure");
      assert.match(text, /dash-llm[\s\S]*configure_device[\s\S]*method sensor\.configure/, 'the verb tool call, with the method it ran');
      // Every outcome the log records can be chosen (audit.list refuses any other).
      await admin.page.getByLabel('Outcome').selectOption('confirmation_required');
      const held = (await (await waitForSettled(admin.page, 'audit-results')).textContent()) ?? '';
      assert.doesNotMatch(held, /user:olive/, 'only the held LLM call');
      assert.match(held, /dash-llm/);
      await admin.screenshot('audit');
      assert.deepEqual(admin.problems, []);
    } finally {
      await admin.close();
    }
  });

  it('the page ran without script errors or CSP violations', () => {
    assert.deepEqual(browser.problems, []);
  });
});
