import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { RunningGateway } from '@forecare/gateway';
import { api, sleep, startTestGateway, tempDir } from '../support/gateway.js';
import { PASSWORD, seedFleet } from './seed.js';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const EXTRA_RULE = `
- id: ui-too-hot
  kind: threshold
  appliesTo: [refrigerator]
  raises: [notification]
  condition: metrics.fridge_temp_c > 30.0
  params: { for: 1h }
`;

describe('the rule editor in Chromium: versions from the live stream, a YAML side-by-side diff', () => {
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

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    base = `http://127.0.0.1:${gw.httpPort}`;
    await seedFleet(gw, 0);
    browser = await chromium.launchPersistentContext(tempDir('forecare-chromium-'), { executablePath: '/usr/bin/chromium', args: FLAGS, viewport: { width: 1280, height: 800 } });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  it('shows a deploy made elsewhere from the event stream, without polling, and diffs versions as YAML', async () => {
    const page = await browser.newPage();
    await signIn(page, 'erik');
    const listed: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/rules/versions')) listed.push(r.url());
    });
    await page.goto(`${base}/#/rules`);
    const versions = page.getByRole('table', { name: 'Versions' });
    await versions.locator('tr', { hasText: 'v1' }).waitFor();
    // No polling: 6 s on the page, no further list request (the first editor asked every 5 s).
    const first = listed.length;
    await sleep(6000);
    expect(listed.length).toBe(first);
    // Someone else deploys (the API, as the CLI does): the list has v2 within moments, from one request.
    const { yaml } = (await api(gw).call<{ yaml: string }>('GET', '/api/v1/rules')).body;
    const deployed = await api(gw).call('POST', '/api/v1/rules/deploy', { files: [{ name: 'rules.yaml', text: `${yaml.trimEnd()}\n${EXTRA_RULE}` }], message: 'too hot', author: 'someone-else' });
    expect(deployed.status).toBe(201);
    await versions.locator('tr', { hasText: 'someone-else' }).waitFor({ timeout: 5000 });
    await page.getByRole('status').filter({ hasText: 'someone-else deployed version 2' }).waitFor();
    expect(listed.length).toBe(first + 1);
    // v1 against the current v2, side by side, in the rule source form: the new rule only on the right.
    await page.getByRole('button', { name: 'Diff v1' }).click();
    const diff = page.getByRole('group', { name: 'Diff' });
    await diff.waitFor();
    const [left, right] = await diff.locator('pre').allTextContents();
    expect(right).toContain('- id: ui-too-hot');
    expect(right).toContain('condition: metrics.fridge_temp_c > 30.0');
    expect(left).not.toContain('ui-too-hot');
    expect(`${left}${right}`).not.toContain('"id":');
    expect(await diff.locator('.ins', { hasText: 'id: ui-too-hot' }).count()).toBe(1);
    await page.close();
  }, 60_000);
});
