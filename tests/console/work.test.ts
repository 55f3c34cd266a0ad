import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { RunningGateway } from '@forecare/gateway';
import { api, startTestGateway, tempDir, until, type Api } from '../support/gateway.js';
import { PASSWORD, seedFleet } from './seed.js';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('working in the console: rules and the end of a ticket', () => {
  let gw: RunningGateway;
  let http: Api;
  let browser: BrowserContext;
  let base = '';

  beforeAll(async () => {
    // A short verification time, so a resolved ticket is verified by the service-level clock during the run.
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_VERIFY_AFTER: '1s' });
    http = api(gw);
    base = `http://127.0.0.1:${gw.httpPort}`;
    await seedFleet(gw, 0);
    browser = await chromium.launchPersistentContext(tempDir('forecare-chromium-'), { executablePath: '/usr/bin/chromium', args: FLAGS, viewport: { width: 1280, height: 800 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  async function signIn(page: Page, user: string): Promise<void> {
    await page.goto(`${base}/`);
    await page.evaluate('localStorage.clear()');
    await page.reload();
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill(PASSWORD(user));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('header').waitFor();
  }

  it('an engineer sees a clickable error, backtests, deploys and rolls back after confirming; stale results go with the rollback', async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    await signIn(page, 'erik');
    await page.goto(`${base}/#/rules`);
    await page.getByText('No problems').waitFor();
    const content = page.locator('.cm-content');
    await content.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n- id: [broken');
    const problem = page.getByRole('button', { name: /^line \d+, column \d+$/ }).first();
    await problem.waitFor();
    await page.locator('header').click();
    await problem.click();
    expect(await page.evaluate('document.activeElement?.classList.contains("cm-content")')).toBe(true);
    for (let i = 0; i < '\n- id: [broken'.length; i++) await page.keyboard.press('Backspace');
    await page.getByText('No problems').waitFor();
    await page.getByRole('button', { name: 'Backtest' }).click();
    await page.getByTestId('backtest').getByText(/Alarms added \(\d+\)/).waitFor();
    await page.getByLabel('Deploy message').fill('same rules, new version');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('status').filter({ hasText: /^v\d+$/ }).waitFor();
    expect(dialogs).toEqual(['Deploy this rule set?']);
    // Deploying cleared the backtest of the text that was deployed.
    expect(await page.getByTestId('backtest').count()).toBe(0);
    const versions = (await http.call<{ items: { version: number; current: boolean }[] }>('GET', '/api/v1/rules/versions')).body.items;
    const older = versions.find((v) => !v.current);
    expect(older).toBeDefined();
    await page.getByRole('button', { name: 'Diff v' + String(older?.version) }).click();
    await page.getByRole('group', { name: 'Diff' }).waitFor();
    await page.getByRole('button', { name: 'Roll back v' + String(older?.version) }).click();
    await page.getByRole('status').filter({ hasText: `v${String(older?.version)} →` }).waitFor();
    expect(dialogs.at(-1)).toBe(`Roll back to version ${String(older?.version)}?`);
    expect(await page.getByRole('group', { name: 'Diff' }).count()).toBe(0);
    // A manager backtests but is not offered Deploy.
    await signIn(page, 'mia');
    await page.goto(`${base}/#/rules`);
    await page.getByRole('button', { name: 'Backtest' }).waitFor();
    expect(await page.getByRole('button', { name: 'Deploy' }).count()).toBe(0);
    await page.close();
  }, 90_000);

  it('a dispatcher works a ticket to its end: start, resolve with a code, close once telemetry verified it', async () => {
    const opened = await http.call<{ ticketId: string }>('POST', '/api/v1/tickets', { hubId: 'hub-ui', faultClass: 'door-seal', title: 'Door seal worn' });
    const id = opened.body.ticketId;
    const page = await browser.newPage();
    await signIn(page, 'dana');
    await page.goto(`${base}/#/ticket/${encodeURIComponent(id)}`);
    await page.getByTestId('ticket-status').filter({ hasText: 'open' }).waitFor();
    expect(await page.getByRole('button', { name: 'Reopen' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByTestId('ticket-status').filter({ hasText: 'assigned' }).waitFor();
    await page.getByRole('button', { name: 'Start work' }).click();
    await page.getByTestId('ticket-status').filter({ hasText: 'in_progress' }).waitFor();
    await page.getByLabel('Resolution code').selectOption('adjusted');
    await page.getByLabel('Note').fill('door realigned');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByTestId('ticket-status').filter({ hasText: 'resolved' }).waitFor();
    expect(await page.getByRole('button', { name: 'Resolve' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    await until('verified by telemetry', async () => ((await http.call<{ status: string }>('GET', `/api/v1/tickets/${encodeURIComponent(id)}`)).body.status === 'verified' ? true : undefined), 15_000);
    await page.reload();
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByTestId('ticket-status').filter({ hasText: 'closed' }).waitFor();
    const t = (await http.call<{ events: { by: string; toStatus: string | null; note: string | null }[] }>('GET', `/api/v1/tickets/${encodeURIComponent(id)}`)).body;
    expect(t.events.find((e) => e.toStatus === 'resolved')).toMatchObject({ by: 'dana', note: '[adjusted] door realigned' });
    expect(t.events.at(-1)).toMatchObject({ by: 'dana', toStatus: 'closed' });
    await page.close();
  }, 60_000);
});
