import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { MqttClient } from 'mqtt';
import type { RunningGateway } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import { api, connectHub, startTestGateway, tempDir, type Api } from '../support/gateway.js';

const ARTIFACTS = 'test-artifacts/browser';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('the web console in Chromium', () => {
  let gw: RunningGateway;
  let http: Api;
  let browser: BrowserContext;
  let hub: MqttClient;
  let base = '';
  let seq = 1;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    http = api(gw);
    base = `http://127.0.0.1:${gw.httpPort}`;
    for (const [username, role] of [['dana', 'dispatcher'], ['erik', 'engineer']] as const) {
      expect((await http.call('POST', '/api/v1/users', { username, role, password: `${username}-password-123` })).status).toBe(201);
    }
    const { password } = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-ui' })).body;
    await http.call('POST', '/api/v1/customers', { customerId: 'cus-ui', name: 'Ada Console', phone: '+44 20 0000 0001', address: '1 Test Street' });
    await http.call('POST', '/api/v1/appliances', { applianceId: 'hub-ui.fridge', hubId: 'hub-ui', customerId: 'cus-ui', type: 'refrigerator', model: 'RF-UI' });
    hub = await connectHub(gw, 'hub-ui', password);
    await hub.publishAsync(topics.telemetry('hub-ui', 'hub-ui.fridge'), JSON.stringify({ ts: Date.now(), seq: seq++, type: 'refrigerator', metrics: { fridge_temp_c: 4.2, freezer_temp_c: -18 } }), { qos: 1 });
    browser = await chromium.launchPersistentContext(tempDir('forecare-chromium-'), { executablePath: '/usr/bin/chromium', args: FLAGS, viewport: { width: 1280, height: 800 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    hub?.end(true);
    await gw?.stop();
  });

  async function signIn(page: Page, username: string): Promise<void> {
    await page.goto(`${base}/`);
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password').fill(`${username}-password-123`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  it('a dispatcher sees a new ticket appear without reloading, opens it with its chart, assigns and schedules it', async () => {
    const page = await browser.newPage();
    await signIn(page, 'dana');
    await page.getByRole('heading', { name: 'Dispatcher queue' }).waitFor();
    await hub.publishAsync(topics.telemetry('hub-ui', 'hub-ui.fridge'), JSON.stringify({ ts: Date.now(), seq: seq++, type: 'refrigerator', metrics: { fridge_temp_c: 7.9, freezer_temp_c: -15 } }), { qos: 1 });
    await hub.publishAsync(topics.fault('hub-ui', 'hub-ui.fridge'), JSON.stringify({ ts: Date.now(), seq: seq++, type: 'refrigerator', code: 'E-CMP-01', active: true }), { qos: 1 });
    const link = page.getByRole('table', { name: 'Tickets' }).getByRole('link').first();
    await link.waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${ARTIFACTS}/queue.png` });
    await link.click();
    await page.getByText('Compressor fails to start').first().waitFor();
    await page.locator('.chart canvas').first().waitFor({ timeout: 10_000 });
    await page.getByLabel('Technician').fill('tech-9');
    await page.getByRole('button', { name: 'Assign' }).click();
    await page.getByTestId('ticket-status').filter({ hasText: 'assigned' }).waitFor();
    await page.getByLabel('Visit').fill('2030-05-01T09:00');
    await page.getByRole('button', { name: 'Schedule' }).click();
    await page.getByTestId('ticket-status').filter({ hasText: 'scheduled' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/ticket.png`, fullPage: true });
    const tickets = (await http.call<{ items: { status: string; assignee: string }[] }>('GET', '/api/v1/tickets')).body.items;
    expect(tickets[0]).toMatchObject({ status: 'scheduled', assignee: 'tech-9' });
    // Phone width: the queue still reads.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/#/queue`);
    await page.getByRole('table', { name: 'Tickets' }).getByRole('link').first().waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/queue-phone.png` });
    // A dispatcher may not deploy rules: the API refuses, and the console says so.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${base}/#/rules`);
    await page.getByLabel('Deploy message').fill('dispatcher tries');
    await page.getByText('No problems').waitFor();
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('alert').filter({ hasText: 'may not' }).waitFor();
    await page.close();
  }, 60_000);

  it('an engineer sees a syntax error with its line, fixes it, backtests, deploys and rolls back', async () => {
    const page = await browser.newPage();
    await signIn(page, 'erik');
    await page.getByRole('heading', { name: 'Rules' }).waitFor();
    const editor = page.getByLabel('Rule set (YAML)');
    await page.getByText('No problems').waitFor();
    const deployed = await editor.inputValue();
    const lines = deployed.split('\n').length;
    await editor.fill(`${deployed}- id: fridge-warm-ui\n  kind: threshold\n  raises: [ticket]\n  condition: metrics.fridge_temp_c >\n`);
    await page.getByRole('list', { name: 'Problems' }).getByText(`line ${lines + 3}`).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/rule-error.png` });
    await editor.fill(`${deployed}- id: fridge-warm-ui\n  kind: threshold\n  raises: [ticket]\n  condition: metrics.fridge_temp_c > 7.5\n`);
    await page.getByText('No problems').waitFor();
    await page.getByRole('button', { name: 'Backtest last 7 days' }).click();
    const bt = page.getByRole('table', { name: 'Backtest' });
    await bt.getByRole('row', { name: /fridge-warm-ui 0 1/ }).waitFor();
    await page.getByLabel('Deploy message').fill('warn earlier on warm fridges');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('status').filter({ hasText: 'Deployed as version 2' }).waitFor();
    await page.getByRole('button', { name: 'Roll back to version 1' }).click();
    await page.getByRole('status').filter({ hasText: 'Rolled back to version 1 (now version 3)' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/rules.png`, fullPage: true });
    const versions = (await http.call<{ items: { version: number; author: string; current: boolean }[] }>('GET', '/api/v1/rules/versions')).body.items;
    expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
    await page.close();
  }, 60_000);
});
