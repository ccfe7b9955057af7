/**
 * The dashboard at fleet scale in a real browser: 10,000 devices show as pages of 50 with counts from
 * the hub, filtered on the hub; a chart over 100,000 stored points receives at most ~1,000 buckets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openBrowser, type BrowserSession } from '../support/browser.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';
import { waitForText } from './dashboard-support.ts';

const DEVICES = 10_000;
const POINTS = 100_000;
let t: TestHub;
let browser: BrowserSession;

before(async () => {
  t = await startTestHub();
  for (let i = 0; i < DEVICES; i++) {
    await t.hub.registry.register({
      hardwareId: `scale-${String(i).padStart(5, '0')}`,
      type: 'mcu',
      parentId: null,
      staticSchema: { manufacturer: 'Espressif', model: i % 2 === 0 ? 'ESP32-S3' : 'ESP32-C6' },
      schemaVersion: '1.0.0',
      protocol: 'native',
      zone: `Zone ${i % 5}`,
    });
  }
  const device = t.hub.registry.getByHardwareId('scale-00000');
  assert.ok(device);
  const end = Date.now();
  // The last 50 minutes: well inside the page's "last 1h", whenever the query runs.
  const span = 3_000_000;
  const step = span / POINTS;
  for (let batch = 0; batch < POINTS; batch += 10_000) {
    const points = Array.from({ length: 10_000 }, (_, k) => {
      const n = batch + k;
      return { deviceId: device.id, measurement: 'temperature', ts: Math.round(end - span + n * step), value: 20 + Math.sin(n / 500), unit: 'Cel' };
    });
    await t.hub.services.telemetry.write(points);
  }
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await t?.close();
});

describe('dashboard at fleet scale', () => {
  it('shows 10,000 devices 50 rows at a time, counted and filtered by the hub', async () => {
    const { page } = browser;
    const started = Date.now();
    await page.goto(`${t.httpUrl}/`);
    await waitForText(page, 'device-total', /Devices 1–50 of 10000$/);
    const shownMs = Date.now() - started;
    console.log(`fleet page with ${DEVICES} devices: first page shown after ${shownMs} ms`);
    assert.equal(await page.getByTestId('device-table').locator('tbody tr').count(), 50);
    await waitForText(page, 'fleet-counts', /total10000/);
    await page.getByLabel('Zone', { exact: true }).selectOption('Zone 3');
    await waitForText(page, 'device-total', /Devices 1–50 of 2000$/);
    const rows = page.getByTestId('device-table').locator('tbody tr');
    const firstOfPage1 = await rows.first().textContent();
    await page.getByRole('button', { name: 'Next page' }).click();
    // The line names the page whose rows are shown: "51–100" comes with the second page's rows.
    await waitForText(page, 'device-total', /Devices 51–100 of 2000$/);
    assert.equal(await rows.count(), 50);
    assert.notEqual(await rows.first().textContent(), firstOfPage1, 'the rows shown are the second page');
    await browser.screenshot('fleet-10000');
  });

  it('charts an hour of 100,000 points from at most 1,000 server-side buckets', async () => {
    const { page } = browser;
    await page.goto(`${t.httpUrl}/#/data?device=scale-00000`);
    await page.getByLabel('Range').selectOption('1h');
    await page.getByRole('button', { name: 'Show' }).click();
    const summary = await waitForText(page, 'query-summary', /1 series from 1 devices/);
    const [, points, samples] = /(\d+) points \((\d+) samples/.exec(summary) ?? [];
    assert.equal(Number(samples), POINTS, summary);
    assert.ok(Number(points) <= 1_000 && Number(points) >= 500, summary);
    assert.equal(Number(await page.getByTestId('explorer-chart').getAttribute('data-points')), Number(points));
    await browser.screenshot('data-100000');
    assert.deepEqual(browser.problems, []);
  });
});
