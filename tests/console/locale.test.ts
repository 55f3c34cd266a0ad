import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { RunningGateway } from '@forecare/gateway';
import { api, startTestGateway, tempDir } from '../support/gateway.js';
import { PASSWORD, seedFleet, type Seeded } from './seed.js';

// The browser's own language is US English: what the page shows in Chinese comes from the user's choice, not the browser.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=en-US'];
const SHANGHAI = 'Asia/Shanghai';

/** YYYY-MM-DD of a day after today on Shanghai's clock. */
function dayInShanghai(plusDays: number): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: SHANGHAI, year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d.toISOString().slice(0, 10);
}
const dayLabel = (locale: string, ymd: string): string => new Intl.DateTimeFormat(locale, { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' }).format(Date.parse(`${ymd}T00:00:00Z`));

describe('dates, times and numbers in the user\'s language, visit days on the customer\'s clock', () => {
  let gw: RunningGateway;
  let seed: Seeded;
  let browser: BrowserContext;
  let base = '';

  async function signIn(page: Page, user: string, lang: 'en' | 'zh'): Promise<void> {
    await page.goto(`${base}/`);
    await page.evaluate(([u, p]) => {
      localStorage.clear();
      localStorage.setItem(`forecare.prefs.${u}`, p as string);
    }, [user, JSON.stringify({ lang, theme: 'light' })]);
    await page.reload();
    await page.locator('input[name=username], input[autocomplete=username]').first().fill(user);
    await page.locator('input[type=password]').fill(PASSWORD(user));
    await page.locator('button[type=submit]').click();
    await page.locator('header').waitFor();
  }

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    base = `http://127.0.0.1:${gw.httpPort}`;
    seed = await seedFleet(gw, 0);
    browser = await chromium.launchPersistentContext(tempDir('forecare-chromium-'), { executablePath: '/usr/bin/chromium', args: FLAGS, viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  it('offers visit days from today in Shanghai, written in Chinese, 24-hour times; schedules one and shows it on Shanghai\'s clock', async () => {
    const page = await browser.newPage();
    await signIn(page, 'dana', 'zh');
    await page.goto(`${base}/#/ticket/${encodeURIComponent(seed.breachedId)}`);
    const date = page.locator('select[name=visit-date]');
    await date.waitFor();
    const options = await date.locator('option').evaluateAll((os) => os.map((o) => [o.getAttribute('value') ?? '', o.textContent ?? '']));
    // "—", then today in Shanghai first: no day already past there can be picked.
    expect(options[1]).toEqual([dayInShanghai(0), dayLabel('zh-CN', dayInShanghai(0))]);
    expect(options[1]?.[1]).toMatch(/\d{4}年\d{1,2}月\d{1,2}日/);
    expect(options.map(([v]) => v)).not.toContain(dayInShanghai(-1));
    const times = await page.locator('select[name=visit-from] option').allTextContents();
    expect(times).toContain('13:00');
    expect(times.join(' ')).not.toMatch(/AM|PM|上午|下午/);
    const tomorrow = dayInShanghai(1);
    await date.selectOption(tomorrow);
    await page.locator('select[name=visit-from]').selectOption('09:00');
    await page.locator('select[name=visit-to]').selectOption('11:00');
    // "To" offers only times after "From".
    expect(await page.locator('select[name=visit-to] option').allTextContents()).not.toContain('8:30');
    await page.getByRole('button', { name: '预约' }).click();
    await page.getByTestId('ticket-status').filter({ hasText: 'scheduled' }).waitFor();
    // Stored as 09:00 in Shanghai, whatever this machine's zone.
    const ticket = (await api(gw).call<{ slotStart: number }>('GET', `/api/v1/tickets/${encodeURIComponent(seed.breachedId)}`)).body;
    expect(ticket.slotStart).toBe(Date.parse(`${tomorrow}T09:00:00+08:00`));
    const shown = new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: SHANGHAI, timeZoneName: 'short' }).format(ticket.slotStart);
    expect(shown).toContain('9:00');
    await page.locator('p.status', { hasText: shown }).waitFor();
    await page.close();
  }, 60_000);

  it('writes the same day and time the English way for an English user, 12-hour times included', async () => {
    const page = await browser.newPage();
    await signIn(page, 'dana', 'en');
    await page.goto(`${base}/#/ticket/${encodeURIComponent(seed.safetyId)}`);
    const date = page.locator('select[name=visit-date]');
    await date.waitFor();
    expect((await date.locator('option').nth(1).textContent()) ?? '').toBe(dayLabel('en-US', dayInShanghai(0)));
    expect(await page.locator('select[name=visit-from] option').allTextContents()).toContain('9:00 AM');
    await page.close();
  }, 60_000);
});
