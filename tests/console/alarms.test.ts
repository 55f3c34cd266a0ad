import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { SimHub } from '@forecare/device-sim';
import type { RunningGateway } from '@forecare/gateway';
import { api, startTestGateway, tempDir, until } from '../support/gateway.js';
import { PASSWORD, seedFleet } from './seed.js';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CMP = 'hub-ui/fridge-1|fault-code|E-CMP-01';
const SNS = 'hub-ui/fridge-1|fault-code|E-SNS-01';

interface AlarmBody { status: string; firstSeen: number; code?: string; history?: { transition: string; reason?: string; by?: string }[] }

describe('the alarm console: clearing an alarm by hand, against a real gateway and Chromium', () => {
  const dir = tempDir();
  let gw: RunningGateway;
  let hub: SimHub;
  let browser: BrowserContext;
  let hubPassword = '';
  const tokens: Record<string, string> = {};
  const as = (user: string) => ({ call: <T = AlarmBody>(m: string, p: string, b?: unknown) => api(gw).call<T>(m, p, b, tokens[user]) });
  const clearPath = (key: string): string => `/api/v1/alarms/${encodeURIComponent(key)}/clear`;
  const alarm = async (key: string): Promise<AlarmBody> => (await as('ada').call('GET', `/api/v1/alarms/${encodeURIComponent(key)}`)).body;

  async function hubWithFaults(password: string, codes: string[]): Promise<SimHub> {
    const h = new SimHub({ url: `mqtt://127.0.0.1:${gw.mqttPort}`, hubId: 'hub-ui', password, seed: 11, appliances: [{ id: 'fridge-1', type: 'refrigerator' }] });
    await h.connect();
    await h.tick();
    for (const code of codes) await h.injectFault('fridge-1', code);
    return h;
  }

  async function signIn(page: Page, user: string): Promise<void> {
    await page.goto(`http://127.0.0.1:${gw.httpPort}/`);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill(PASSWORD(user));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('header').waitFor();
  }

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: dir });
    const seed = await seedFleet(gw, 0);
    for (const u of ['dana', 'erik', 'mia', 'ada']) tokens[u] = (await api(gw).call<{ token: string }>('POST', '/api/v1/session', { username: u, password: PASSWORD(u) }, null)).body.token;
    hubPassword = seed.hubPassword;
    hub = await hubWithFaults(hubPassword, ['E-CMP-01', 'E-SNS-01']);
    await until('both alarms raised', async () => ((await alarm(CMP)).status === 'raised' && (await alarm(SNS)).status === 'raised' ? true : undefined));
    browser = await chromium.launchPersistentContext(tempDir('forecare-chromium-'), { executablePath: '/usr/bin/chromium', args: FLAGS, viewport: { width: 1280, height: 800 } });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await gw?.stop();
  });

  it('refuses a dispatcher, an unknown or malformed alarm, and the second of two racing clears, each with its code', async () => {
    const refused = await as('dana').call('POST', clearPath(CMP), {});
    expect([refused.status, refused.body.code]).toEqual([403, 'GW_ERR_FORBIDDEN']);
    expect((await alarm(CMP)).status).toBe('raised');
    const unknown = await as('erik').call('POST', clearPath('hub-ui/fridge-1|fault-code|E-NOPE'), {});
    expect([unknown.status, unknown.body.code]).toEqual([404, 'GW_ERR_ALARM_UNKNOWN']);
    const long = await as('erik').call('POST', clearPath('x'.repeat(401)), {});
    expect([long.status, long.body.code]).toEqual([414, 'GW_ERR_URI_TOO_LONG']);
    const mangled = await as('erik').call('POST', '/api/v1/alarms/%E0%A4%A/clear', {});
    expect([mangled.status, mangled.body.code]).toEqual([400, 'GW_ERR_BAD_URL']);
    // Two people clear at the same moment: one wins, the other is told it is cleared already.
    const both = await Promise.all([as('erik').call('POST', clearPath(CMP), {}), as('mia').call('POST', clearPath(CMP), {})]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 409)?.body.code).toBe('GW_ERR_ALARM_CLEARED');
    const after = await alarm(CMP);
    expect(after.status).toBe('cleared');
    const clears = (after.history ?? []).filter((h) => h.transition === 'cleared');
    expect(clears).toHaveLength(1);
    expect(clears[0]).toMatchObject({ reason: 'manual' });
    expect(['erik', 'mia']).toContain(clears[0]?.by);
    const again = await as('ada').call('POST', clearPath(CMP), {});
    expect([again.status, again.body.code]).toEqual([409, 'GW_ERR_ALARM_CLEARED']);
  }, 60_000);

  it('offers Clear to an engineer, not to a dispatcher; a click removes the alarm, and axe finds nothing', async () => {
    const page = await browser.newPage();
    await signIn(page, 'dana');
    await page.goto(`http://127.0.0.1:${gw.httpPort}/#/alarms`);
    const row = page.locator(`tr[data-alarm="${SNS}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: 'Acknowledge' }).waitFor();
    expect(await row.getByRole('button', { name: 'Clear alarm' }).count()).toBe(0);
    await signIn(page, 'erik');
    await page.goto(`http://127.0.0.1:${gw.httpPort}/#/alarms`);
    await row.getByRole('button', { name: 'Clear alarm' }).click();
    await page.getByRole('status').filter({ hasText: `Alarm ${SNS} cleared.` }).waitFor();
    await row.waitFor({ state: 'detached' });
    await page.evaluate(AXE);
    const violations = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] }).then(r => r.violations.map(v => v.id))')) as string[];
    expect(violations).toEqual([]);
    expect((await alarm(SNS)).history?.at(-1)).toMatchObject({ transition: 'cleared', reason: 'manual', by: 'erik' });
    await page.close();
  }, 60_000);

  it('stays cleared after a restart; the fault reported again is a new alarm', async () => {
    const before = await alarm(CMP);
    await hub.stop();
    await gw.stop();
    gw = await startTestGateway({ FORECARE_DATA_DIR: dir });
    tokens.ada = (await api(gw).call<{ token: string }>('POST', '/api/v1/session', { username: 'ada', password: PASSWORD('ada') }, null)).body.token;
    expect((await alarm(CMP)).status).toBe('cleared');
    expect((await alarm(SNS)).status).toBe('cleared');
    const open = (await as('ada').call<{ items: { alarmKey: string }[] }>('GET', '/api/v1/alarms')).body.items.map((a) => a.alarmKey);
    expect(open).not.toContain(CMP);
    expect(open).not.toContain(SNS);
    // The hub still has the compressor fault and says so again: the rule raises a new alarm.
    hub = await hubWithFaults(hubPassword, ['E-CMP-01']);
    const raised = await until('the compressor alarm raised again', async () => {
      const a = await alarm(CMP);
      return a.status === 'raised' ? a : undefined;
    });
    expect(raised.firstSeen).toBeGreaterThan(before.firstSeen);
    expect((await alarm(SNS)).status).toBe('cleared');
  }, 90_000);
});
