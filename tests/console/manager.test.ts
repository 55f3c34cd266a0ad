import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { AlarmEvent } from '@forecare/rules';
import type { RunningGateway } from '@forecare/gateway';
import { api, startTestGateway, tempDir } from '../support/gateway.js';
import { PASSWORD, seedFleet } from './seed.js';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** A compressor fault raised on an appliance, applied as the service loop applies it: the alarm log, then the fleet monitor. */
function raiseFault(gw: RunningGateway, hubId: string, applianceId: string): void {
  const now = gw.ctx.clock.now();
  const e: AlarmEvent = {
    transition: 'raised', alarmKey: `${hubId}/${applianceId}|fault-code|E-CMP-02`, ruleId: 'fault-code', ruleVersion: 1, hubId, applianceId, applianceType: 'refrigerator',
    key: 'E-CMP-02', severity: 'critical', raises: ['ticket'], title: 'E-CMP-02', at: now, count: 1, firstSeen: now, lastSeen: now, level: 0, fault: { code: 'E-CMP-02', faultClass: 'compressor' },
  };
  gw.ctx.store.transaction(() => {
    gw.ctx.alarms.record(e);
    gw.ctx.fleet.onRaised(e, []);
  });
}

describe('the manager view in Chromium: SLA trend chart, fleet red lights that lead to their appliances and close', () => {
  let gw: RunningGateway;
  let browser: BrowserContext;
  let base = '';

  async function signIn(page: Page, user: string): Promise<void> {
    await page.goto(`${base}/`);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill(PASSWORD(user));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('header').waitFor();
  }

  async function axe(page: Page): Promise<string[]> {
    if ((await page.evaluate('typeof window.axe')) === 'undefined') await page.evaluate(AXE);
    return (await page.evaluate('axe.run(document, { resultTypes: ["violations"] }).then(r => r.violations.map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).slice(0, 3).join(", ")))')) as string[];
  }

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    base = `http://127.0.0.1:${gw.httpPort}`;
    await seedFleet(gw, 30);
    for (let i = 1; i <= 7; i++) {
      expect((await api(gw).call('POST', '/api/v1/appliances', { applianceId: `rf-${i}`, hubId: 'hub-bulk', type: 'refrigerator', model: 'RF-500' })).status).toBe(201);
      raiseFault(gw, 'hub-bulk', `rf-${i}`);
    }
    browser = await chromium.launchPersistentContext(tempDir('forecare-chromium-'), { executablePath: '/usr/bin/chromium', args: FLAGS, viewport: { width: 1280, height: 800 } });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  it('draws the SLA trend as a chart, a % axis and an hours axis, with the table of numbers kept', async () => {
    const page = await browser.newPage();
    await signIn(page, 'mia');
    await page.goto(`${base}/#/sla`);
    await page.locator('[data-testid="trend-chart"] canvas').first().waitFor();
    for (const name of ['On time (%)', 'Repeat repairs (%)', 'Time to assign (h)', 'Time to repair (h)']) await page.locator('.u-legend', { hasText: name }).waitFor();
    await page.getByRole('table', { name: 'Trend' }).locator('tbody tr').first().waitFor();
    expect(await axe(page)).toEqual([]);
    await page.close();
  }, 60_000);

  it('lists the appliances behind a red light as links to their pages; a manager closes it, a dispatcher cannot', async () => {
    const page = await browser.newPage();
    await signIn(page, 'dana');
    await page.goto(`${base}/#/fleet`);
    const light = page.locator('li.red-light', { hasText: 'RF-500 E-CMP-02' });
    await light.waitFor();
    expect(await light.getByRole('button', { name: 'Close alert' }).count()).toBe(0);
    await signIn(page, 'mia');
    await page.goto(`${base}/#/fleet`);
    const links = light.getByRole('list', { name: 'Appliances behind RF-500 E-CMP-02' }).getByRole('link');
    await links.first().waitFor();
    expect((await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).sort()).toEqual(Array.from({ length: 7 }, (_, i) => `#/appliance/hub-bulk/rf-${i + 1}`).sort());
    expect(await axe(page)).toEqual([]);
    await light.getByRole('link', { name: 'hub-bulk / rf-3' }).click();
    await page.waitForURL(/#\/appliance\/hub-bulk\/rf-3$/);
    await page.getByRole('heading', { name: /rf-3/ }).first().waitFor();
    await page.goBack();
    await light.getByRole('button', { name: 'Close alert' }).click();
    await light.waitFor({ state: 'detached' });
    const open = (await api(gw).call<{ items: unknown[] }>('GET', '/api/v1/fleet/alerts?status=open')).body.items;
    expect(open).toEqual([]);
    await page.close();
  }, 60_000);
});
