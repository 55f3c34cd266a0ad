import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DEFAULT_CLIMATES, generateHistory, type SimHistory } from '@forecare/device-sim';
import type { RunningGateway } from '@forecare/gateway';
import { api, startTestGateway, tempDir } from '../support/gateway.js';
import { PASSWORD } from './seed.js';
import { DESKTOP, LOOKS, PHONE, writeSheet } from './shots.js';

/**
 * The forecasts page against a gateway holding 136 days of simulated history (tickets of two
 * regions, the weather served by a local HTTP feed) and a heat wave in the East two days after
 * today: the API returns the history the forecast was fitted on, and the page draws it, the
 * forecast, both bands, the baseline and the heat wave as what drives the number.
 */

const SHOTS = join(import.meta.dirname, '..', '..', 'gateway', 'console', 'screenshots');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const HOUR = 3_600_000;
const SHANGHAI = 8 * HOUR;

// The gateway runs on the real clock (the browser's session expiry follows it), so the history
// ends yesterday in Shanghai; the climates peak three weeks after today, whatever today's date,
// so the history always holds the spring-to-summer rise the weather model learns from.
const local = (ms: number): { date: string; hour: number } => {
  const iso = new Date(ms + SHANGHAI).toISOString();
  return { date: iso.slice(0, 10), hour: Number(iso.slice(11, 13)) };
};
const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const TODAY = local(Date.now()).date;
const HISTORY_DAYS = 136;
const START = addDays(TODAY, -HISTORY_DAYS);
const dayOfYear = (date: string): number => Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${date.slice(0, 4)}-01-01T00:00:00Z`)) / 86_400_000) + 1;
const peak = ((dayOfYear(TODAY) + 20 - 1) % 365) + 1;
const sim: SimHistory = generateHistory({
  start: START, days: HISTORY_DAYS + 14, seed: 11, appliancesPerRegion: 20_000, utcOffsetHours: 8,
  climates: DEFAULT_CLIMATES.filter((c) => c.region === 'East' || c.region === 'North').map((c) => ({ ...c, peakDay: peak })),
  events: [{ kind: 'heat_wave', region: 'East', firstDay: HISTORY_DAYS + 2, days: 5, deltaC: 8 }],
});
const START_OF_TODAY = Date.parse(`${TODAY}T00:00:00+08:00`);
const pastTickets = sim.tickets.filter((t) => t.openedAt < START_OF_TODAY);

interface HistoryPoint { date: string; hour?: number; value: number }
interface Series { key: { region?: string; applianceType?: string }; label: string; history: HistoryPoint[]; daily: { date: string }[]; hourly: { date: string; hour: number }[]; drivers: { kind: string; text: string }[] }
interface Report { series: Series[]; granularity: string }

/** Tickets seeded per local day (and hour) of one region and appliance type: what the history must show. */
function seededCounts(region: string, type: string): { daily: Map<string, number>; hourly: Map<string, number> } {
  const daily = new Map<string, number>();
  const hourly = new Map<string, number>();
  for (const t of pastTickets) {
    if (t.region !== region || t.type !== type) continue;
    const { date, hour } = local(t.openedAt);
    daily.set(date, (daily.get(date) ?? 0) + 1);
    hourly.set(`${date} ${hour}`, (hourly.get(`${date} ${hour}`) ?? 0) + 1);
  }
  return { daily, hourly };
}

describe('the forecasts page: history, forecast, bands and drivers', () => {
  let gw: RunningGateway;
  let weather: Server;
  let browser: BrowserContext;
  let base = '';
  const QUERY = '/api/v1/forecasts?metric=tickets&by=region&applianceType=air_conditioner';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const csv = ['date,region,temp_c', ...sim.weather.map((w) => `${w.date},${w.region},${w.tempC}`)].join('\n');
    weather = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/csv' }).end(csv));
    await new Promise<void>((resolve) => weather.listen(0, '127.0.0.1', resolve));
    const feed = `http://127.0.0.1:${(weather.address() as AddressInfo).port}/weather.csv`;
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_WEATHER_FEED: feed, FORECARE_FORECAST_HISTORY: '150d' });
    base = `http://127.0.0.1:${gw.httpPort}`;
    const r = await api(gw).call('POST', '/api/v1/users', { username: 'mia', role: 'manager', password: PASSWORD('mia') });
    expect(r.status).toBe(201);
    // The history as the registry and the ticket service wrote it, months of it at once.
    const db = gw.ctx.store.sqlite;
    const customer = db.prepare('INSERT INTO customers (customer_id, name, phone, region, language, channel, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const appliance = db.prepare('INSERT INTO appliances (hub_id, appliance_id, customer_id, type, model, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    const ticket = db.prepare(`INSERT INTO tickets (ticket_id, status, hub_id, appliance_id, customer_id, fault_class, fault_code, severity, title, details, alarm_key, region, opened_at, updated_at)
      VALUES (?, 'closed', ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?)`);
    db.transaction(() => {
      for (const c of sim.customers) customer.run(c.customerId, c.customerId, `+8610${c.customerId.length}`, c.region, c.language, c.channel, c.createdAt);
      for (const a of sim.appliances) appliance.run(a.hubId, a.applianceId, a.customerId, a.type, a.model, a.createdAt);
      for (const t of pastTickets) ticket.run(t.ticketId, t.hubId, t.applianceId, t.customerId, t.faultClass, t.faultCode, t.severity, t.faultCode, `${t.hubId}/${t.applianceId}|sim|${t.faultClass}`, t.region, t.openedAt, t.openedAt);
    })();
    browser = await chromium.launchPersistentContext(tempDir('forecare-chromium-'), { executablePath: '/usr/bin/chromium', args: FLAGS, viewport: DESKTOP });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    if (weather?.listening) await new Promise((r) => weather.close(r));
  });

  it('returns with each series the daily history it was fitted on, equal to the tickets seeded', async () => {
    const r = await api(gw).call<Report>('GET', QUERY);
    expect(r.status).toBe(200);
    expect(r.body.series.map((s) => s.key.region).sort()).toEqual(['East', 'North']);
    for (const s of r.body.series) {
      const seeded = seededCounts(s.key.region ?? '', 'air_conditioner');
      // The weather model learns from the days with a temperature: all the simulated days before today.
      expect(s.history.map((p) => p.date)).toEqual(sim.dates.slice(0, HISTORY_DAYS));
      expect(s.history.map((p) => p.value)).toEqual(s.history.map((p) => seeded.daily.get(p.date) ?? 0));
      expect(s.history.reduce((n, p) => n + p.value, 0)).toBeGreaterThan(100);
      expect(s.daily[0]?.date).toBe(TODAY);
    }
  }, 120_000);

  it('returns hourly the hours of the last eight weeks, equal to the tickets seeded', async () => {
    const r = await api(gw).call<Report>('GET', `${QUERY}&region=East&granularity=hourly&horizonDays=2`);
    expect(r.status).toBe(200);
    const s = r.body.series[0];
    const seeded = seededCounts('East', 'air_conditioner');
    expect(s?.history).toHaveLength(56 * 24);
    expect(s?.history[0]).toMatchObject({ date: addDays(TODAY, -56), hour: 0 });
    expect(s?.history.at(-1)).toMatchObject({ date: addDays(TODAY, -1), hour: 23 });
    expect(s?.history.map((p) => p.value)).toEqual(s?.history.map((p) => seeded.hourly.get(`${p.date} ${p.hour}`) ?? 0));
    expect(s?.hourly).toHaveLength(48);
  }, 120_000);

  async function signIn(page: Page, lang: string, theme: string): Promise<void> {
    await page.goto(`${base}/`);
    await page.evaluate((p) => {
      localStorage.clear();
      localStorage.setItem('forecare.prefs.mia', p);
    }, JSON.stringify({ lang, theme }));
    await page.reload();
    await page.locator('input[autocomplete=username], input[name=username]').first().fill('mia');
    await page.locator('input[type=password]').fill(PASSWORD('mia'));
    await page.locator('button[type=submit]').click();
    await page.locator('header').waitFor();
  }

  async function axe(page: Page, what: string): Promise<void> {
    if ((await page.evaluate('typeof window.axe')) === 'undefined') await page.evaluate(AXE);
    const violations = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] }).then(r => r.violations.map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).slice(0, 3).join(", ")))')) as string[];
    expect(violations, what).toEqual([]);
  }

  it('draws history, forecast, both bands, the baseline and the heat wave beside it, in en and zh, axe-clean at 1280 and 390 px', async () => {
    const api0 = await api(gw).call<Report>('GET', QUERY);
    const east = api0.body.series.find((s) => s.key.region === 'East');
    // The heat wave two days ahead is what drives the East's air-conditioner tickets.
    const heat = east?.drivers.find((d) => d.kind === 'weather' && d.text.startsWith('heat wave'));
    expect(heat, JSON.stringify(east?.drivers)).toBeDefined();
    const page = await browser.newPage();
    const variants = ([['desktop', DESKTOP], ['phone', PHONE]] as const).flatMap(([width, viewport]) => LOOKS.map((look) => ({ ...look, width, viewport, tag: `${width} ${look.tag}` })));
    const tiles: Record<string, { label: string; png: Buffer }[]> = { desktop: [], phone: [] };
    for (const v of variants) {
      await page.setViewportSize(v.viewport);
      await signIn(page, v.lang, v.theme);
      await page.goto(`${base}/#/forecasts`);
      const appliance = page.locator('.filters select').nth(3);
      await appliance.waitFor();
      // Appliance type: the values come from what the history holds, so group by it once first.
      const groupBy = page.locator('.filters select').nth(1);
      await groupBy.selectOption('applianceType');
      await page.locator('[data-testid=forecast-series]').first().waitFor({ timeout: 60_000 });
      await appliance.selectOption('air_conditioner');
      await groupBy.selectOption('region');
      const card = page.locator('[data-testid=forecast-series]', { has: page.locator('h2', { hasText: 'region East' }) });
      await card.waitFor({ timeout: 60_000 });
      const chart = card.getByTestId('forecast-chart');
      expect(await chart.getAttribute('role')).toBe('img');
      for (const part of ['history-line', 'forecast-line', 'band-80', 'band-95', 'baseline']) {
        const d = (await chart.getByTestId(part).getAttribute('d')) ?? '';
        expect(d, `${part} ${v.tag}`).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)+Z?$/);
      }
      // One vertex per history day; the forecast line starts at the last of them and runs 14 days on.
      expect(((await chart.getByTestId('history-line').getAttribute('d')) ?? '').split('L')).toHaveLength(HISTORY_DAYS);
      expect(((await chart.getByTestId('forecast-line').getAttribute('d')) ?? '').split('L')).toHaveLength(15);
      expect(await chart.getByTestId('driver-mark').count()).toBeGreaterThan(0);
      const desc = (await chart.locator('desc').textContent()) ?? '';
      // The first history day, written as the page's language writes dates.
      expect(desc).toContain(new Intl.DateTimeFormat(v.lang === 'zh' ? 'zh-CN' : 'en-US', { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' }).format(Date.parse(`${sim.dates[0] ?? ''}T00:00:00Z`)));
      expect(desc).toContain(v.lang === 'zh' ? '预测区间' : '80 % and 95 % bands');
      await expect.poll(() => card.getByTestId('driver').allTextContents()).toContain(heat?.text);
      await expect.poll(() => card.locator('aside h3').textContent()).toBe(v.lang === 'zh' ? '影响因素' : 'What drives this');
      await axe(page, `forecasts ${v.tag}`);
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
      expect(overflow, `${v.tag} scrolls sideways`).toBeLessThanOrEqual(0);
      await card.scrollIntoViewIfNeeded();
      tiles[v.width]?.push({ label: `forecasts · ${v.lang} · ${v.theme} · ${v.viewport.width} px`, png: await page.screenshot() });
    }
    await writeSheet(browser, join(SHOTS, 'forecasts-desktop.png'), tiles.desktop ?? [], 2);
    await writeSheet(browser, join(SHOTS, 'forecasts-phone.png'), tiles.phone ?? [], 4);
    // Hourly: eight weeks of hours, then the forecast hour by hour.
    await page.setViewportSize(DESKTOP);
    await page.locator('.filters select').nth(5).selectOption('hourly');
    const hourly = page.locator('[data-testid=forecast-series]', { has: page.locator('h2', { hasText: 'region East' }) }).getByTestId('forecast-chart');
    await expect.poll(async () => ((await hourly.getByTestId('history-line').getAttribute('d').catch(() => '')) ?? '').split('L').length, { timeout: 60_000 }).toBe(56 * 24);
    expect(((await hourly.getByTestId('forecast-line').getAttribute('d')) ?? '').split('L')).toHaveLength(14 * 24 + 1);
    // Fewer days of history leave the forecast more width; the table keeps them all.
    await page.locator('.filters select').last().selectOption('7');
    await expect.poll(async () => ((await hourly.getByTestId('history-line').getAttribute('d')) ?? '').split('L').length).toBe(7 * 24);
    await axe(page, 'forecasts hourly');
    await page.screenshot({ path: join(SHOTS, 'forecasts-hourly-zh-dark.png') });
    await page.close();
  }, 800_000);
});
