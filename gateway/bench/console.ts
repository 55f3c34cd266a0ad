/**
 * Console benchmark: what a dispatcher downloads and how soon they see work, for the console
 * of this checkout and for the first console (commit BENCH_BASELINE, default b4ac34b), both
 * built by vite in this run and served the same way (one plain static server that proxies
 * /api to one seeded gateway), so the two figures differ only by the console.
 * - gzipBytes (rawBytes before compression): gzip (level 9) of every script and stylesheet the browser fetched while a dispatcher
 *   signed in, saw the queue and opened a ticket (lazy chunks a dispatcher never opens are not counted);
 * - firstDataMs: from the sign-in click to the first queue row on screen (median of BENCH_RUNS, 5).
 * Prints one JSON line. Budget: 250 KB gzipped.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import preact from '@preact/preset-vite';
import { chromium } from 'playwright-core';
import type { AlarmEvent } from '@forecare/rules';
import { loadConfig } from '../dist/config/config.js';
import { startGateway } from '../dist/controller.js';
import { createLogger } from '../dist/log.js';
import { UserStore } from '../dist/users/user-store.js';

const BASELINE = process.env.BENCH_BASELINE ?? 'b4ac34b';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BUDGET = 250 * 1024;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const gatewayDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(gatewayDir, '..');

/** Builds a console source tree into outDir with the same vite and preset. */
async function buildConsole(root: string, outDir: string): Promise<void> {
  // The preset's types come from the hoisted vite, `build` from the gateway's own copy: the same plugin shape, two declarations.
  await build({ root, configFile: false, logLevel: 'error', plugins: [preact() as never], build: { outDir, emptyOutDir: true, sourcemap: false } });
}

/**
 * The baseline console's sources from git. Unpacked under the gateway's node_modules cache so
 * that its imports (preact, uplot) resolve to this checkout's installed packages.
 */
function baselineSources(): string {
  const dir = join(gatewayDir, 'node_modules', '.cache', 'forecare-console-bench', BASELINE);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['-C', repo, 'archive', BASELINE, 'gateway/console'], { maxBuffer: 64 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  return join(dir, 'gateway', 'console');
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

/** Static files from dist, /api proxied (streams included) to the gateway: identical serving for both consoles. */
function serve(dist: string, apiPort: number): Promise<Server> {
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0] ?? '/';
    if (url.startsWith('/api/')) {
      const up = request({ host: '127.0.0.1', port: apiPort, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
      return;
    }
    const file = normalize(join(dist, url === '/' ? 'index.html' : url));
    if (!file.startsWith(dist) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const work = mkdtempSync(join(tmpdir(), 'forecare-console-bench-'));
const newDist = join(work, 'new');
const oldDist = join(work, 'baseline');
await buildConsole(join(gatewayDir, 'console'), newDist);
await buildConsole(baselineSources(), oldDist);

const dataDir = join(work, 'data');
const config = loadConfig({ FORECARE_MQTT_PORT: '0', FORECARE_HTTP_PORT: '0', FORECARE_DATA_DIR: dataDir, FORECARE_ADMIN_TOKEN: 'bench-token-0123456789abcdef', FORECARE_CONFIG: join(dataDir, 'none.json'), FORECARE_LOG_LEVEL: 'warn' });
const gw = await startGateway(config, { logger: createLogger({ level: 'warn' }) });
await new UserStore(gw.ctx.store, gw.ctx.clock).add('dana', 'dispatcher', 'dana-password-123');
// The fleet: two urgent tickets under 520 newer ones.
gw.ctx.store.transaction(() => {
  for (let i = 0; i < 522; i++) {
    const now = gw.ctx.clock.now();
    const event: AlarmEvent = {
      transition: 'raised', alarmKey: `hub-b/dev-${i}|bench|c${i % 7}`, ruleId: `c${i % 7}`, ruleVersion: 0, hubId: 'hub-b', applianceId: `dev-${i}`,
      key: `c${i % 7}`, severity: i === 0 ? 'safety' : 'info', raises: ['ticket'], title: `Bench ticket ${i}`, at: now, count: 1, firstSeen: now, lastSeen: now, level: 0,
    };
    gw.ctx.tickets.openOrAttach(event);
  }
});

const browser = await chromium.launchPersistentContext(join(work, 'chromium'), { executablePath: '/usr/bin/chromium', args: FLAGS, viewport: { width: 1280, height: 800 } });

async function measure(dist: string): Promise<{ gzipBytes: number; rawBytes: number; files: number; firstDataMs: number }> {
  const server = await serve(dist, gw.httpPort);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const times: number[] = [];
  let gzipBytes = 0;
  let rawBytes = 0;
  let files = 0;
  for (let run = 0; run < RUNS; run++) {
    const page = await browser.newPage();
    const assets = new Map<string, Buffer>();
    page.on('response', (r) => {
      const type = r.request().resourceType();
      if (type === 'script' || type === 'stylesheet') void r.body().then((b) => assets.set(r.url(), b), () => undefined);
    });
    await page.goto(`${base}/`);
    await page.evaluate('localStorage.clear(); sessionStorage.clear()');
    await page.reload();
    await page.getByLabel('User name').fill('dana');
    await page.getByLabel('Password').fill('dana-password-123');
    const start = performance.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    const firstRow = page.locator('table[aria-label="Tickets"] tbody tr a').first();
    await firstRow.waitFor({ timeout: 30_000 });
    times.push(performance.now() - start);
    if (run === 0) {
      // The rest of a dispatcher's day: a ticket page with its chart.
      await firstRow.click();
      await page.getByTestId('ticket-status').waitFor({ timeout: 30_000 });
      await page.waitForLoadState('networkidle');
      for (const b of assets.values()) {
        gzipBytes += gzipSync(b, { level: 9 }).length;
        rawBytes += b.length;
      }
      files = assets.size;
    }
    await page.close();
  }
  await new Promise((resolve) => server.close(resolve));
  const sorted = [...times].sort((a, b) => a - b);
  return { gzipBytes, rawBytes, files, firstDataMs: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0) };
}

try {
  const baseline = await measure(oldDist);
  const current = await measure(newDist);
  console.log(JSON.stringify({ bench: 'console', baselineCommit: BASELINE, runs: RUNS, budgetBytes: BUDGET, current: { ...current, withinBudget: current.gzipBytes <= BUDGET }, baseline }));
} finally {
  await browser.close();
  await gw.stop();
  rmSync(work, { recursive: true, force: true });
}
