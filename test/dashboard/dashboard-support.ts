/** What the dashboard browser tests share: a hub with users and a simulated fleet, logging in through the page. */
import type { Locator, Page } from 'playwright-core';
import { addUser } from '../../src/auth/users.ts';
import type { Role } from '../../src/core/principal.ts';
import { Fleet } from '../../src/simulator/index.ts';
import { startTestHub, type TestHub } from '../support/test-hub.ts';

export const PASSWORD = 'correct horse battery staple';
/** Tests only: a cheap hash so logins take milliseconds. */
const FAST = { iterations: 1000 };

export interface DashboardHub {
  readonly t: TestHub;
  readonly fleet: Fleet;
  close(): Promise<void>;
}

/** A hub with the given users and a running native fleet of `mcus` MCUs (each with a BMP580, an AS5600 and a soil probe). */
export async function startDashboardHub(users: Readonly<Record<string, Role>>, mcus = 3, idPrefix = 'dash'): Promise<DashboardHub> {
  const t = await startTestHub();
  for (const [name, role] of Object.entries(users)) await addUser(t.hub.stores.users, { name, role, password: PASSWORD, ...FAST });
  const fleet = new Fleet({ url: t.mqttUrl, count: mcus, idPrefix, telemetryIntervalMs: 300, heartbeatIntervalMs: 1000, hostId: t.hub.config.sparkplugHostId });
  await fleet.start();
  return {
    t,
    fleet,
    async close() {
      await fleet.stop();
      await t.close();
    },
  };
}

/** Log in through the login form and wait for the shell. */
export async function logIn(page: Page, baseUrl: string, name: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('who').waitFor();
}

/**
 * Wait until the text of the element `testId` matches, and return it. A locator filter, not
 * waitForFunction: Playwright evaluates a polled predicate with eval, which the page's CSP refuses.
 */
export async function waitForText(page: Page, testId: string, pattern: RegExp): Promise<string> {
  const element = page.getByTestId(testId).filter({ hasText: pattern }).first();
  await element.waitFor();
  return (await element.textContent()) ?? '';
}

/**
 * Wait until the region `testId` answers what the page now asks (aria-busy="false": no debounced
 * filter pending, no answer for other filters or another page still on its way, no history still to
 * merge), and return the region. A read of it then sees the answer, not the rows of before. Call it
 * after the action: the page marks itself busy in the render that follows the input event, before
 * the action returns.
 */
export async function waitForSettled(page: Page, testId: string): Promise<Locator> {
  const region = page.locator(`[data-testid="${testId}"][aria-busy="false"]`);
  await region.waitFor();
  return region;
}
