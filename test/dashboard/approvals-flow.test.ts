/**
 * The approvals page in a real browser (approval.* methods): actions an LLM asked for wait as pending
 * approvals with their plan; an operator declines one and approves another (which then runs on the
 * device), each showing who decided; a viewer sees them without approve / decline.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../support/eventually.ts';
import { openBrowser, type BrowserSession } from '../support/browser.ts';
import { logIn, startDashboardHub, waitForText, type DashboardHub } from './dashboard-support.ts';

let hub: DashboardHub;
let browser: BrowserSession;
let sensorId = '';
const held: Record<'standby' | 'normal', string> = { standby: '', normal: '' };
/** An LLM client with an operator token, as MCP or llm.execute_command would call. */
const llm = { principal: { id: 'token:the-llm', kind: 'token' as const, role: 'operator' as const }, client: 'scripted/1', via: 'mcp' as const };

before(async () => {
  hub = await startDashboardHub({ olive: 'operator', vera: 'viewer' }, 1, 'appr');
  // The MCU registers first, its sensors just after.
  sensorId = (await eventually(() => hub.t.hub.registry.list({ model: 'BMP580' })[0], 10_000, 'the fleet registered its BMP580')).id;
  for (const mode of ['standby', 'normal'] as const) {
    const outcome = await hub.t.hub.tools.call('configure_device', { device: sensorId, settings: { power_mode: mode } }, llm);
    assert.equal(outcome.status, 'confirmation_required', 'the LLM write is held for a person');
    if (outcome.status === 'confirmation_required') held[mode] = outcome.approval.id;
  }
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await hub?.close();
});

const configures = () => hub.t.hub.services.registryStore.listCommands({ method: 'sensor.configure', limit: 10 });

describe('dashboard: approvals', () => {
  it('lists the pending actions with their plan', async () => {
    const { page } = browser;
    await logIn(page, hub.t.httpUrl, 'olive');
    await page.getByRole('link', { name: 'Approvals' }).click();
    const list = await waitForText(page, 'approval-list', /configure_device[\s\S]*configure_device/);
    assert.match(list, /asked by token:the-llm/);
    assert.equal(await page.getByTestId('approval-list').locator('li').count(), 2);
    await browser.screenshot('approvals');
    assert.deepEqual(await configures(), [], 'nothing ran before a person decided');
  });

  it('an operator declines one: it never runs, and the page says who declined', async () => {
    const { page } = browser;
    await page.goto(`${hub.t.httpUrl}/#/approvals/${held.standby}`);
    const plan = await waitForText(page, 'approval-plan', /standby/);
    assert.match(plan, new RegExp(sensorId));
    await page.getByLabel('Reason (optional)').fill('not at night');
    await page.getByRole('button', { name: 'Decline' }).click();
    await waitForText(page, 'approval-status', /declined/);
    assert.match(await waitForText(page, 'approval-decider', /user:olive/), /operator/);
    await waitForText(page, 'approval-facts', /not at night/);
    assert.deepEqual(await configures(), []);
  });

  it('an operator approves the other after confirming: it runs on the device and the outcome shows', async () => {
    const { page } = browser;
    await page.goto(`${hub.t.httpUrl}/#/approvals/${held.normal}`);
    await waitForText(page, 'approval-plan', /normal/);
    await page.getByRole('button', { name: 'Approve…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve this action' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await waitForText(page, 'approval-status', /approved/);
    await waitForText(page, 'approval-decider', /user:olive/);
    const outcome = await waitForText(page, 'approval-outcome', /succeeded/);
    assert.doesNotMatch((await page.getByTestId('approval-facts').textContent()) ?? '', /not at night/, 'the reason typed for the other approval stays with it');
    const commands = await configures();
    assert.equal(commands.length, 1);
    assert.equal(commands[0]?.state, 'succeeded');
    assert.match(outcome, new RegExp(commands[0]?.id ?? 'no command'));
    await browser.screenshot('approval');
    // The decided pair is listed under "all" with its decision.
    await page.goto(`${hub.t.httpUrl}/#/approvals`);
    await page.getByLabel('Status').selectOption('all');
    const all = await waitForText(page, 'approval-list', /approved by user:olive/);
    assert.match(all, /declined by user:olive/);
  });

  it('a viewer sees an approval but cannot decide it', async () => {
    const outcome = await hub.t.hub.tools.call('configure_device', { device: sensorId, settings: { power_mode: 'forced' } }, llm);
    assert.equal(outcome.status, 'confirmation_required');
    const id = outcome.status === 'confirmation_required' ? outcome.approval.id : '';
    const viewer = await openBrowser();
    try {
      await logIn(viewer.page, hub.t.httpUrl, 'vera');
      await viewer.page.goto(`${hub.t.httpUrl}/#/approvals/${id}`);
      await waitForText(viewer.page, 'cannot-decide', /needs operator/);
      assert.equal(await viewer.page.getByRole('button', { name: /Approve|Decline/ }).count(), 0);
      assert.deepEqual(viewer.problems, []);
    } finally {
      await viewer.close();
    }
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(browser.problems, []);
  });
});
