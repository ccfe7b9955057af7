/**
 * The dashboard's roles and reach in a real browser: a viewer sees no act buttons and a forged call
 * from the page is refused by the hub; the main routes work from the keyboard alone with a visible
 * focus; the page fits a phone; the two-command quick start (no users, loopback) needs no login.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Fleet } from '../../src/simulator/index.ts';
import { openBrowser, type BrowserSession } from '../support/browser.ts';
import { startTestHub } from '../support/test-hub.ts';
import { logIn, startDashboardHub, waitForText, type DashboardHub } from './dashboard-support.ts';

let hub: DashboardHub;
let browser: BrowserSession;
before(async () => {
  hub = await startDashboardHub({ vera: 'viewer' }, 1, 'roles');
  browser = await openBrowser();
  await logIn(browser.page, hub.t.httpUrl, 'vera');
});
after(async () => {
  await browser?.close();
  await hub?.close();
});

/** The device id of the fleet's first BMP580 and of its MCU, and the MCU's name. */
function devices(): { sensor: string; mcu: string; mcuName: string } {
  const sensor = hub.t.hub.registry.list({ model: 'BMP580' })[0];
  assert.ok(sensor?.parentId, 'the fleet registered its BMP580');
  return { sensor: sensor.id, mcu: sensor.parentId, mcuName: hub.t.hub.registry.require(sensor.parentId).name };
}

describe('dashboard: a viewer looks but does not act', () => {
  it('shows a sensor and an MCU without configure or reboot', async () => {
    const { page } = browser;
    assert.equal(await page.getByTestId('who').textContent(), 'vera · viewer');
    await waitForText(page, 'device-total', /of 4$/);
    const { sensor, mcu, mcuName } = devices();
    await page.goto(`${hub.t.httpUrl}/#/devices/${sensor}`);
    await page.getByTestId('chart-temperature').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Configure', exact: true }).count(), 0);
    assert.equal(await page.getByLabel('Configuration (JSON object)').count(), 0);
    // sensor.read is a read: the hub lets viewers call it, so the page offers it.
    assert.equal(await page.getByRole('button', { name: 'Read now' }).count(), 1);
    await page.goto(`${hub.t.httpUrl}/#/devices/${mcu}`);
    // The MCU's own title: until the hash change renders, #device-title is still the sensor's.
    await page.locator('#device-title', { hasText: mcuName }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Reboot…' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Configure', exact: true }).count(), 0);
    await browser.screenshot('device-viewer');
  });

  it('a configure forged from the page with the session and its CSRF token is refused as FORBIDDEN', async () => {
    const { sensor } = devices();
    const answer = (await browser.page.evaluate(`(async () => {
      const session = await (await fetch('/auth/session')).json();
      const response = await fetch('/rpc', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sensor.configure', params: { sensor_id: '${sensor}', config: { power_mode: 'standby' } } }),
      });
      return { status: response.status, body: await response.json() };
    })()`)) as { status: number; body: { error?: { code: number } } };
    assert.equal(answer.body.error?.code, -32031);
    const commands = await hub.t.hub.services.registryStore.listCommands({ method: 'sensor.configure', limit: 10 });
    assert.deepEqual(commands, [], 'nothing reached the device');
  });

  it('the audit log says it is for admins', async () => {
    await browser.page.goto(`${hub.t.httpUrl}/#/audit`);
    await browser.page.getByText('The audit log is for admins').waitFor();
  });
});

describe('dashboard: keyboard only', () => {
  it('reaches every main route with Tab and Enter, focus visible, and lands in the page', async () => {
    const { page } = browser;
    await page.goto(`${hub.t.httpUrl}/#/`);
    await page.reload();
    await page.locator('#fleet-title').waitFor();
    const routes: [string, string, string][] = [
      ['Data', '#/data', '#data-title'],
      ['Commands', '#/commands', '#commands-title'],
      ['Approvals', '#/approvals', '#approvals-title'],
      ['Audit', '#/audit', '#audit-title'],
      ['Fleet', '#/', '#fleet-title'],
    ];
    for (const [label, hash, heading] of routes) {
      // Start from the top of the document, as a keyboard user arriving on the page does.
      await page.evaluate('document.activeElement instanceof HTMLElement && document.activeElement.blur(); window.scrollTo(0, 0)');
      let found = false;
      for (let presses = 0; presses < 20 && !found; presses++) {
        await page.keyboard.press('Tab');
        found = (await page.evaluate('document.activeElement?.textContent ?? ""')) === label;
      }
      assert.ok(found, `Tab reaches the ${label} link`);
      const focus = (await page.evaluate(
        '(() => { const s = getComputedStyle(document.activeElement); return { style: s.outlineStyle, width: s.outlineWidth }; })()',
      )) as { style: string; width: string };
      assert.notEqual(focus.style, 'none', `focus on ${label} is visible`);
      assert.notEqual(focus.width, '0px');
      await page.keyboard.press('Enter');
      await page.locator(heading).waitFor();
      assert.equal(new URL(page.url()).hash, hash);
      assert.equal(await page.evaluate('document.activeElement?.id'), 'main', `focus moves to the ${label} page`);
      await browser.screenshot(`keyboard-${label.toLowerCase()}`);
    }
    // Into the table and onto a device, still by keyboard.
    await page.getByTestId('device-table').locator('tbody a').first().focus();
    await page.keyboard.press('Enter');
    await page.locator('#device-title').waitFor();
  });

  it('a phone-sized window shows the fleet without sideways scrolling', async () => {
    const phone = await openBrowser({ viewport: { width: 390, height: 844 } });
    try {
      await logIn(phone.page, hub.t.httpUrl, 'vera');
      await waitForText(phone.page, 'device-total', /of 4$/);
      // The counts load apart from the table: measure the page with both on it.
      await waitForText(phone.page, 'fleet-counts', /total4/);
      const overflow = await phone.page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
      assert.ok(Number(overflow) <= 0, `page is ${overflow}px wider than the phone`);
      await phone.screenshot('fleet-phone');
    } finally {
      await phone.close();
    }
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(browser.problems, []);
  });
});

describe('dashboard: the quick start needs no login', () => {
  it('a hub without users, on loopback, opens on the fleet as its local admin', async () => {
    const t = await startTestHub();
    const fleet = new Fleet({ url: t.mqttUrl, count: 1, idPrefix: 'local', telemetryIntervalMs: 500, hostId: t.hub.config.sparkplugHostId });
    const local = await openBrowser();
    try {
      await fleet.start();
      await local.page.goto(`${t.httpUrl}/`);
      assert.equal(await local.page.getByTestId('who').textContent(), 'local admin (no login)');
      await waitForText(local.page, 'device-total', /of 4$/);
      assert.equal(await local.page.getByRole('button', { name: 'Log out' }).count(), 0);
      assert.deepEqual(local.problems, []);
    } finally {
      await local.close();
      await fleet.stop();
      await t.close();
    }
  });
});
