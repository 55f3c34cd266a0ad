import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { SimHub } from '@forecare/device-sim';
import type { RunningGateway } from '@forecare/gateway';
import { api, startTestGateway, tempDir, until, type Api } from '../support/gateway.js';

const ARTIFACTS = 'test-artifacts/browser';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('the web console in Chromium', () => {
  let gw: RunningGateway;
  let http: Api;
  let browser: BrowserContext;
  let hub: SimHub;
  let base = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // A short verification time, so a resolved ticket is verified by the service-level clock during the run.
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_VERIFY_AFTER: '1s' });
    http = api(gw);
    base = `http://127.0.0.1:${gw.httpPort}`;
    for (const [username, role] of [['dana', 'dispatcher'], ['erik', 'engineer']] as const) {
      expect((await http.call('POST', '/api/v1/users', { username, role, password: `${username}-password-123` })).status).toBe(201);
    }
    const { password } = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-ui' })).body;
    await http.call('POST', '/api/v1/customers', { customerId: 'cus-ui', name: 'Ada Console', phone: '+44 20 0000 0001', address: '1 Test Street' });
    await http.call('POST', '/api/v1/appliances', { applianceId: 'hub-ui.fridge', hubId: 'hub-ui', customerId: 'cus-ui', type: 'refrigerator', model: 'RF-UI' });
    // The simulator feeds the gateway: a fridge and a washer behind hub-ui.
    hub = new SimHub({ url: `mqtt://127.0.0.1:${gw.mqttPort}`, hubId: 'hub-ui', password, seed: 7, appliances: [{ id: 'hub-ui.fridge', type: 'refrigerator' }, { id: 'hub-ui.washer', type: 'washer' }] });
    await hub.connect();
    await hub.tick();
    browser = await chromium.launchPersistentContext(tempDir('forecare-chromium-'), { executablePath: '/usr/bin/chromium', args: FLAGS, viewport: { width: 1280, height: 800 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await gw?.stop();
  });

  async function signIn(page: Page, username: string): Promise<void> {
    await page.goto(`${base}/`);
    await page.screenshot({ path: `${ARTIFACTS}/sign-in.png` });
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password').fill(`${username}-password-123`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  it('a dispatcher sees a new ticket appear without reloading, opens it with its chart, assigns and schedules it', async () => {
    const page = await browser.newPage();
    await signIn(page, 'dana');
    await page.getByRole('heading', { name: 'Dispatcher queue' }).waitFor();
    await hub.tick();
    await hub.injectFault('refrigerator', 'E-CMP-01');
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
    // …and the API says 403 to the dispatcher's own session, whatever the UI does.
    const token = String(await page.evaluate("JSON.parse(sessionStorage.getItem('forecare.session') || '{}').token"));
    const direct = await fetch(`${base}/api/v1/rules/deploy`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ files: [{ name: 'x.yaml', text: 'id: x\nkind: fault-code\nraises: [ticket]\n' }], message: 'sneaky' }) });
    expect(direct.status).toBe(403);
    await page.goto(`${base}/#/fleet`);
    await page.getByTestId('hubs-online').filter({ hasText: '1 / 1' }).waitFor();
    await page.getByRole('list', { name: 'Alarms by model and fault' }).getByText('RF-UI · E-CMP-01: 1').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/fleet.png`, fullPage: true });
    await page.close();
  }, 60_000);

  it('a dispatcher closes a verified ticket in one click', async () => {
    const opened = await http.call<{ ticketId: string }>('POST', '/api/v1/tickets', { hubId: 'hub-ui', faultClass: 'door-seal', title: 'Door seal replaced' });
    const id = opened.body.ticketId;
    expect((await http.call('POST', `/api/v1/tickets/${encodeURIComponent(id)}/transition`, { to: 'resolved' })).status).toBe(200);
    await until('the ticket verified by the service-level clock', async () => ((await http.call<{ status: string }>('GET', `/api/v1/tickets/${encodeURIComponent(id)}`)).body.status === 'verified' ? true : undefined), 15_000);
    const page = await browser.newPage();
    await signIn(page, 'dana');
    await page.goto(`${base}/#/ticket/${encodeURIComponent(id)}`);
    await page.getByTestId('ticket-status').filter({ hasText: 'verified' }).waitFor();
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByTestId('ticket-status').filter({ hasText: 'closed' }).waitFor();
    expect(await page.getByRole('button', { name: 'Close', exact: true }).count()).toBe(0);
    const closed = (await http.call<{ status: string; events: { by: string; fromStatus: string | null; toStatus: string | null }[] }>('GET', `/api/v1/tickets/${encodeURIComponent(id)}`)).body;
    expect(closed.status).toBe('closed');
    expect(closed.events.at(-1)).toMatchObject({ by: 'dana', fromStatus: 'verified', toStatus: 'closed' });
    await page.close();
  }, 60_000);

  it('an engineer sees a syntax error with its line, fixes it, backtests, deploys and rolls back; a stale edit is refused', async () => {
    const page = await browser.newPage();
    await signIn(page, 'erik');
    await page.getByRole('heading', { name: 'Rules' }).waitFor();
    const editor = page.getByLabel('Rule set (YAML)');
    await page.getByText('No problems').waitFor();
    // Someone else deploys while this edit is open: the edit must not silently overwrite it.
    const current = (await http.call<{ yaml: string }>('GET', '/api/v1/rules')).body.yaml;
    expect((await http.call('POST', '/api/v1/rules/deploy', { files: [{ name: 'all.yaml', text: current }], message: 'colleague deploy', author: 'fatima' })).status).toBe(201);
    await editor.fill(`${await editor.inputValue()}- id: stale-edit\n  kind: fault-code\n  raises: [ticket]\n`);
    await page.getByText('No problems').waitFor();
    await page.getByLabel('Deploy message').fill('my edit');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'fatima deployed version 2 meanwhile' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/rule-stale.png` });
    await page.reload();
    await page.getByText('Editing from deployed version 2').waitFor();
    await page.getByText('No problems').waitFor();
    const deployed = await editor.inputValue();
    const lines = deployed.split('\n').length;
    await editor.fill(`${deployed}- id: fridge-warm-ui\n  kind: threshold\n  raises: [ticket]\n  condition: metrics.fridge_temp_c >\n`);
    await page.getByRole('list', { name: 'Problems' }).getByText(`line ${lines + 3}`).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/rule-error.png` });
    await editor.fill(`${deployed}- id: fridge-warm-ui\n  kind: threshold\n  raises: [ticket]\n  condition: metrics.fridge_temp_c > 1.0\n`);
    await page.getByText('No problems').waitFor();
    await page.getByRole('button', { name: 'Backtest last 7 days' }).click();
    const bt = page.getByRole('table', { name: 'Backtest' });
    await bt.getByRole('row', { name: /fridge-warm-ui 0 1/ }).waitFor();
    await page.getByLabel('Deploy message').fill('warn earlier on warm fridges');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('status').filter({ hasText: 'Deployed as version 3' }).waitFor();
    await page.getByRole('button', { name: 'Roll back to version 1' }).click();
    await page.getByRole('status').filter({ hasText: 'Rolled back to version 1 (now version 4)' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/rules.png`, fullPage: true });
    const versions = (await http.call<{ items: { version: number; author: string; current: boolean }[] }>('GET', '/api/v1/rules/versions')).body.items;
    expect(versions.map((v) => [v.version, v.author])).toEqual([[4, 'erik'], [3, 'erik'], [2, 'fatima'], [1, 'rule files']]);
    await page.close();
  }, 60_000);
});
