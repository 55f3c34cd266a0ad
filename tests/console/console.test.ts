import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { SimHub } from '@forecare/device-sim';
import type { RunningGateway } from '@forecare/gateway';
import { api, startTestGateway, tempDir, until } from '../support/gateway.js';
import { PASSWORD, seedFleet, type Seeded } from './seed.js';
import { DESKTOP, LOOKS, PHONE, writeSheet } from './shots.js';

const SHOTS = join(import.meta.dirname, '..', '..', 'gateway', 'console', 'screenshots');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

describe('the console in Chromium, per role, against a seeded gateway', () => {
  let gw: RunningGateway;
  let seed: Seeded;
  let hub: SimHub;
  let browser: BrowserContext;
  let base = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    base = `http://127.0.0.1:${gw.httpPort}`;
    seed = await seedFleet(gw);
    hub = new SimHub({ url: `mqtt://127.0.0.1:${gw.mqttPort}`, hubId: 'hub-ui', password: seed.hubPassword, seed: 7, appliances: [{ id: 'fridge-1', type: 'refrigerator' }, { id: 'washer-1', type: 'washer' }] });
    await hub.connect();
    for (let i = 0; i < 5; i++) await hub.tick();
    await hub.injectFault('fridge-1', 'E-CMP-01');
    await hub.tick();
    browser = await chromium.launchPersistentContext(tempDir('forecare-chromium-'), { executablePath: '/usr/bin/chromium', args: FLAGS, viewport: DESKTOP });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await gw?.stop();
  });

  async function signIn(page: Page, user: string, look: { lang: string; theme: string } = { lang: 'en', theme: 'light' }): Promise<void> {
    const prefs = { lang: look.lang, theme: look.theme };
    await page.goto(`${base}/`);
    await page.evaluate(([u, p]) => {
      localStorage.clear();
      localStorage.setItem(`forecare.prefs.${u}`, p as string);
    }, [user, JSON.stringify(prefs)]);
    await page.reload();
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill(PASSWORD(user));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('header').waitFor();
  }

  /** axe-core in the page (evaluated, so the page's CSP does not apply to it): no violations. */
  async function axe(page: Page, what: string): Promise<void> {
    if ((await page.evaluate('typeof window.axe')) === 'undefined') await page.evaluate(AXE);
    const violations = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] }).then(r => r.violations.map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).slice(0, 3).join(", ")))')) as string[];
    expect(violations, what).toEqual([]);
  }

  it('keeps the safety and the breached ticket on the first page under 520 newer tickets, and says how many there are', async () => {
    const page = await browser.newPage();
    await signIn(page, 'dana');
    const rows = page.getByRole('table', { name: 'Tickets' }).locator('tbody tr');
    await rows.first().waitFor();
    // 520 newer, the two urgent ones and the simulator's compressor fault.
    await page.getByTestId('queue-count').filter({ hasText: /^52\d tickets, 2 urgent$/ }).waitFor();
    const firstTwo = await rows.evaluateAll((trs) => trs.slice(0, 2).map((tr) => tr.getAttribute('data-ticket')));
    expect(firstTwo.sort()).toEqual([seed.safetyId, seed.breachedId].sort());
    await page.getByLabel('Breached only').check();
    await page.locator(`tr[data-ticket="${seed.breachedId}"]`).waitFor();
    await page.getByLabel('Breached only').uncheck();
    await page.getByLabel('Search').fill('TOO WARM');
    await page.getByTestId('queue-count').filter({ hasText: '1 tickets' }).waitFor();
    await page.close();
  }, 60_000);

  it('shows the ticket in the address or a clear not-found, never the previous ticket', async () => {
    const page = await browser.newPage();
    await signIn(page, 'dana');
    await page.goto(`${base}/#/ticket/${encodeURIComponent(seed.safetyId)}`);
    await page.getByRole('heading', { name: 'Water leak under the washer' }).waitFor();
    await page.evaluate("location.hash = '#/ticket/T-NOPE'");
    await page.getByRole('heading', { name: 'Ticket T-NOPE not found' }).waitFor();
    expect(await page.getByText('Water leak under the washer').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Resolve' }).count()).toBe(0);
    await page.close();
  }, 60_000);

  it('offers by role: a dispatcher no rule deploy, an engineer no ticket actions', async () => {
    const page = await browser.newPage();
    await signIn(page, 'dana');
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rules' }).count()).toBe(0);
    await page.goto(`${base}/#/rules`);
    await page.getByText('This page is not for your role.').waitFor();
    expect(await page.getByRole('button', { name: 'Deploy' }).count()).toBe(0);
    await signIn(page, 'erik');
    await page.goto(`${base}/#/ticket/${encodeURIComponent(seed.breachedId)}`);
    await page.getByTestId('ticket-status').waitFor();
    expect(await page.getByRole('heading', { name: 'Actions' }).count()).toBe(0);
    for (const name of ['Assign', 'Resolve', 'Start work', 'Cancel', 'Link customer']) expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
    // The engineer's rule editor: CodeMirror, loaded only now, and Deploy.
    await page.goto(`${base}/#/rules`);
    page.on('console', (m) => console.log('page:', m.text()));
    page.on('pageerror', (m) => console.log('pageerror:', m.message));
    await new Promise((r) => setTimeout(r, 3000));
    await page.screenshot({ path: '/tmp/console-cm.png' });
    await page.locator('.cm-editor').waitFor();
    await page.locator('.cm-editor .cm-lineNumbers').waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Deploy' }).waitFor();
    await page.close();
  }, 60_000);

  it('applies a colleague\'s assignment in another tab live, without fetching the list again; the session is shared by the tabs', async () => {
    const a = await browser.newPage();
    await signIn(a, 'dana');
    const b = await browser.newPage();
    const lists: string[] = [];
    const rowsFetched: string[] = [];
    b.on('request', (r) => {
      const u = r.url();
      if (u.includes('/api/v1/tickets/queue?')) lists.push(u);
      else if (u.includes('/api/v1/tickets/queue/rows?')) rowsFetched.push(u);
    });
    // No sign-in in the second tab: the first tab's session is shared.
    await b.goto(`${base}/#/queue`);
    const row = b.locator(`tr[data-ticket="${seed.safetyId}"] [data-testid="assignee"]`);
    await row.waitFor();
    await until('the first list load', () => (lists.length >= 1 ? true : undefined));
    const before = lists.length;
    const token = String(await a.evaluate("JSON.parse(localStorage.getItem('forecare.session')).token"));
    const r = await api(gw).call('POST', '/api/v1/tickets/assign', { ticketIds: [seed.safetyId], assignee: 'tech-live' }, token);
    expect(r.status).toBe(200);
    await b.locator(`tr[data-ticket="${seed.safetyId}"] [data-testid="assignee"]`, { hasText: 'tech-live' }).waitFor({ timeout: 10_000 });
    expect(lists.length).toBe(before);
    expect(rowsFetched.length).toBeGreaterThanOrEqual(1);
    // A burst of 30 new tickets: counted and shown from a few row requests, still no list request.
    const count = async (): Promise<number> => Number(/^(\d+) tickets/.exec((await b.getByTestId('queue-count').textContent()) ?? '')?.[1]);
    const total = await count();
    const rowRequests = rowsFetched.length;
    await Promise.all(Array.from({ length: 30 }, (_, i) => api(gw).call('POST', '/api/v1/tickets', { hubId: 'hub-bulk', faultClass: `burst-${i}`, title: `Burst ${i}` }, token)));
    await until('the burst counted', async () => ((await count()) === total + 30 ? true : undefined), 10_000);
    expect(lists.length).toBe(before);
    expect(rowsFetched.length - rowRequests).toBeLessThan(10);
    await a.close();
    await b.close();
  }, 60_000);

  it('sends an expired session to sign-in and back to the page wanted', async () => {
    const page = await browser.newPage();
    await signIn(page, 'dana');
    const token = String(await page.evaluate("JSON.parse(localStorage.getItem('forecare.session')).token"));
    expect((await api(gw).call('DELETE', '/api/v1/session', undefined, token)).status).toBe(204);
    await page.goto(`${base}/#/ticket/${encodeURIComponent(seed.breachedId)}`);
    await page.getByText('Your session has ended: sign in again.').waitFor();
    await page.getByLabel('User name').fill('dana');
    await page.getByLabel('Password').fill(PASSWORD('dana'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Fridge too warm for hours' }).waitFor();
    expect(page.url()).toContain(`#/ticket/${encodeURIComponent(seed.breachedId)}`);
    await page.close();
  }, 60_000);

  it('draws the appliance chart with a marker at the fault', async () => {
    const page = await browser.newPage();
    await signIn(page, 'dana');
    await page.goto(`${base}/#/appliance/hub-ui/fridge-1`);
    await page.locator('.chart canvas').first().waitFor({ timeout: 10_000 });
    await page.getByTestId('marker-fault').filter({ hasText: 'E-CMP-01' }).first().waitFor({ timeout: 10_000 });
    // Each series names its unit, and each unit has an axis of its own (drawn on the canvas).
    await page.locator('.u-legend', { hasText: 'fridge_temp_c (°C)' }).waitFor();
    await page.locator('.u-legend', { hasText: 'compressor_duty (ratio)' }).waitFor();
    await page.close();
  }, 60_000);

  // Every page, in English and Chinese, light and dark, desktop and phone: screenshots, axe, no horizontal overflow.
  const PAGES: { name: string; user: string; hash: () => string; ready: (p: Page) => Locator }[] = [
    { name: 'queue', user: 'dana', hash: () => '#/queue', ready: (p) => p.locator('tbody tr').first() },
    { name: 'ticket', user: 'dana', hash: () => `#/ticket/${encodeURIComponent(seed.breachedId)}`, ready: (p) => p.getByTestId('ticket-status') },
    { name: 'appliance', user: 'dana', hash: () => '#/appliance/hub-ui/fridge-1', ready: (p) => p.locator('.chart canvas').first() },
    { name: 'alarms', user: 'dana', hash: () => '#/alarms', ready: (p) => p.locator('tbody tr').first() },
    { name: 'fleet', user: 'mia', hash: () => '#/fleet', ready: (p) => p.getByTestId('hubs-online').filter({ hasText: '/' }) },
    { name: 'sla', user: 'mia', hash: () => '#/sla', ready: (p) => p.locator('[data-testid="trend-chart"] canvas').first() },
    // The forecasts page is checked (axe, overflow, screenshots) in forecasts.test.ts, on months of history.
    { name: 'rules', user: 'erik', hash: () => '#/rules', ready: (p) => p.locator('.cm-editor') },
    { name: 'admin-hubs', user: 'ada', hash: () => '#/admin/hubs', ready: (p) => p.locator('tbody tr').first() },
    { name: 'admin-mqtt', user: 'ada', hash: () => '#/admin/mqtt', ready: (p) => p.locator('form') },
    { name: 'admin-users', user: 'ada', hash: () => '#/admin/users', ready: (p) => p.locator('tbody tr').first() },
    { name: 'admin-dead-letters', user: 'ada', hash: () => '#/admin/dead-letters', ready: (p) => p.locator('h1') },
    { name: 'admin-contacts', user: 'ada', hash: () => '#/admin/contacts', ready: (p) => p.locator('h1') },
  ];
  it('passes axe on every page at 1280 and 390 px, in both languages and themes, without horizontal overflow, and leaves screenshots', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await axe(page, 'sign-in');
    await page.screenshot({ path: join(SHOTS, 'sign-in-desktop.png') });
    await page.setViewportSize(PHONE);
    await axe(page, 'sign-in phone');
    await page.screenshot({ path: join(SHOTS, 'sign-in-phone.png') });
    let user = '';
    for (const p of PAGES) {
      for (const [width, viewport, columns] of [['desktop', DESKTOP, 2], ['phone', PHONE, 4]] as const) {
        const tiles: { label: string; png: Buffer }[] = [];
        for (const look of LOOKS) {
          const tag = `${p.name} ${width} ${look.tag}`;
          await page.setViewportSize(viewport);
          if (user !== p.user) {
            await signIn(page, p.user, look);
            user = p.user;
          }
          await page.evaluate(([u, prefs]) => localStorage.setItem(`forecare.prefs.${u}`, prefs as string), [p.user, JSON.stringify({ lang: look.lang, theme: look.theme })]);
          await page.goto(`${base}/${p.hash()}`);
          await page.reload();
          await p.ready(page).waitFor({ timeout: 15_000 });
          if (look.lang === 'zh') await page.getByRole('link', { name: '工单队列' }).waitFor();
          expect(await page.evaluate('document.documentElement.dataset.theme'), tag).toBe(look.theme);
          await axe(page, tag);
          const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
          expect(overflow, `${tag} scrolls sideways`).toBeLessThanOrEqual(0);
          tiles.push({ label: `${p.name} · ${look.lang} · ${look.theme} · ${viewport.width} px`, png: await page.screenshot() });
        }
        await writeSheet(browser, join(SHOTS, `${p.name}-${width}.png`), tiles, columns);
      }
    }
    await page.close();
  }, 600_000);
});
