import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '@forecare/gateway';
import { api, startTestGateway, tempDir } from '../support/gateway.js';
import { GATEWAY_CLI } from '../support/process.js';

/** Runs the CLI without blocking this process: a gateway in this process must answer it. */
async function forecare(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const r = await promisify(execFile)(process.execPath, [GATEWAY_CLI, ...args], {
    env: { ...process.env, FORECARE_LOG_LEVEL: 'silent', FORECARE_CONFIG: '/nonexistent/forecare.json', FORECARE_ADMIN_TOKEN: '', FORECARE_DEBUG: '', ...env },
    timeout: 30_000,
  }).then(
    (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
  return { code: r.code, out: r.stdout, err: r.stderr };
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const RULES = 'rules/rules-default';
const noStack = /\n\s+at /;

describe('CLI errors, exit codes and machine-readable output', () => {
  let gw: RunningGateway;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    // No FORECARE_ADMIN_TOKEN: the gateway generates one into its data directory, as on a first start.
    dataDir = tempDir();
    gw = await startTestGateway({ FORECARE_DATA_DIR: dataDir, FORECARE_ADMIN_TOKEN: '' });
    env = { FORECARE_DATA_DIR: dataDir, FORECARE_HTTP_PORT: String(gw.httpPort), FORECARE_MQTT_PORT: String(gw.mqttPort) };
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('rules deploy to an unreachable gateway: one line naming the address and the socket error, exit 1, no stack', async () => {
    const port = await closedPort();
    const r = await forecare(['rules', 'deploy', RULES, '-m', 'x', '--url', `http://127.0.0.1:${port}`, '--token', 't']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`forecare: cannot reach the gateway at http://127.0.0.1:${port} (ECONNREFUSED): is it running? --url, or FORECARE_HOST and FORECARE_HTTP_PORT, say where\n`);
    expect(r.out).toBe('');
  });

  it("rules deploy takes the data directory's admin token and the configured port when none is given, and says so in JSON", async () => {
    const r = await forecare(['rules', 'deploy', RULES, '-m', 'from the CLI', '--author', 'cli-test', '--json'], env);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, status: 201, version: expect.any(Number) as number });
    const versions = await api(gw).call<{ items: { author: string }[] }>('GET', '/api/v1/rules/versions', undefined, readFileSync(join(dataDir, 'admin-token'), 'utf8').trim());
    expect(versions.body.items.map((v) => v.author)).toContain('cli-test');
  });

  it('rules deploy with a wrong token: refused with the gateway code, exit 1; its help never shows a token', async () => {
    const r = await forecare(['rules', 'deploy', RULES, '-m', 'x', '--token', 'wrong-token-0123456789'], env);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^forecare: deploy refused \(HTTP 401 GW_ERR_UNAUTHORIZED\)/);
    const help = await forecare(['rules', 'deploy', '--help'], { FORECARE_ADMIN_TOKEN: 'secret-in-env-0123456789' });
    expect(help.out).not.toContain('secret-in-env');
  });

  it('rules deploy with no token anywhere names the three places it looked', async () => {
    const r = await forecare(['rules', 'deploy', RULES, '-m', 'x'], { FORECARE_DATA_DIR: tempDir() });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^forecare: no admin token: give --token, set FORECARE_ADMIN_TOKEN, or run where the gateway's data directory is/);
  });

  it('tickets list --status with an unknown or empty status is a usage error (exit 2) listing the statuses', async () => {
    for (const status of ['bogus', 'open,bogus', ',']) {
      const r = await forecare(['tickets', 'list', '--status', status], { FORECARE_DATA_DIR: tempDir() });
      expect(r.code, status).toBe(2);
      expect(r.err, status).toMatch(/one or more of open, assigned, scheduled, in_progress, resolved, verified, closed, cancelled/);
      expect(r.out).toBe('');
    }
    expect((await forecare(['tickets', 'list', '--status', 'open,assigned', '--json'], { FORECARE_DATA_DIR: tempDir() })).out).toBe('[]\n');
    expect((await forecare(['tickets', 'list', '--bogus'])).code).toBe(2);
  });

  it('doctor: an unset contact-center URL is a warning (exit 0); a duration without unit fails; its own running gateway is recognised', async () => {
    const quiet = await forecare(['doctor', '--json'], { FORECARE_DATA_DIR: tempDir(), FORECARE_HTTP_PORT: '0', FORECARE_MQTT_PORT: '0' });
    const report = JSON.parse(quiet.out) as { ok: boolean; warnings: number; checks: { name: string; status: string }[] };
    expect(quiet.code).toBe(0);
    expect(report).toMatchObject({ ok: true, warnings: 1 });
    expect(report.checks.find((c) => c.name === 'contact-center URL')?.status).toBe('warn');
    const sevenMs = await forecare(['doctor'], { FORECARE_DATA_DIR: tempDir(), FORECARE_RETENTION: '7' });
    expect(sevenMs.code).toBe(1);
    expect(sevenMs.out).toContain('FAIL configuration: FORECARE_RETENTION: "7" has no unit');
    const busy = await forecare(['doctor'], env);
    expect(busy.code).toBe(1);
    expect(busy.out).toContain(`FAIL FORECARE_HTTP_PORT 127.0.0.1:${gw.httpPort}: in use by a forecare gateway already running (http://127.0.0.1:${gw.httpPort})`);
    expect(busy.out).toContain(`FAIL FORECARE_MQTT_PORT 127.0.0.1:${gw.mqttPort}: in use by a forecare gateway already running`);
    expect(busy.out).not.toContain('another program');
  });

  it('--json where a script wants it: hubs add, mqtt-clients add and rotate, users add', async () => {
    const dir = { FORECARE_DATA_DIR: tempDir() };
    expect(JSON.parse((await forecare(['hubs', 'add', 'json-hub', '--json'], dir)).out)).toMatchObject({ hubId: 'json-hub', username: 'json-hub', password: expect.any(String) as string });
    expect(JSON.parse((await forecare(['mqtt-clients', 'add', 'nr', '--role', 'service', '--json'], dir)).out)).toMatchObject({ username: 'service:nr', password: expect.any(String) as string });
    expect(JSON.parse((await forecare(['mqtt-clients', 'rotate', 'nr', '--json'], dir)).out)).toMatchObject({ username: 'service:nr' });
    expect(JSON.parse((await forecare(['users', 'add', 'ada', '--role', 'engineer', '--json'], dir)).out)).toMatchObject({ username: 'ada', role: 'engineer', password: expect.any(String) as string });
    const badRole = await forecare(['users', 'add', 'bob', '--role', 'boss'], dir);
    expect(badRole.code).toBe(2);
    expect(badRole.err).toContain('Allowed choices are dispatcher, engineer, manager, admin');
  });

  it('an unexpected error is one line and a hint, its stack only with FORECARE_DEBUG=1', async () => {
    // A data directory that is a file: the store cannot open; forecare words it, no stack.
    const file = join(tempDir(), 'not-a-dir');
    writeFileSync(file, 'x');
    const r = await forecare(['hubs', 'list'], { FORECARE_DATA_DIR: file });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^forecare: /);
    expect(r.err).not.toMatch(noStack);
    const debug = await forecare(['hubs', 'list'], { FORECARE_DATA_DIR: file, FORECARE_DEBUG: '1' });
    expect(debug.code).toBe(1);
    expect(debug.err).toMatch(noStack);
  });

  it('rules lint help shows its default once; shell completion scripts and suggestions come from the command tree', async () => {
    const help = await forecare(['rules', 'lint', '--help']);
    expect(/^ +path +(.*)$/m.exec(help.out)?.[1]?.match(/default/g)).toHaveLength(1);
    for (const shell of ['bash', 'zsh', 'fish']) {
      const script = await forecare(['complete', shell]);
      expect(script.code, shell).toBe(0);
      expect(script.out, shell).toContain('forecare');
    }
    const subcommands = await forecare(['complete', '--', 'rules', '']);
    expect(subcommands.out.split('\n').map((l) => l.split('\t')[0])).toEqual(expect.arrayContaining(['lint', 'test', 'backtest', 'deploy']));
    const statuses = await forecare(['complete', '--', 'mqtt-clients', 'add', 'x', '--role', '']);
    expect(statuses.out.split('\n').map((l) => l.split('\t')[0])).toEqual(expect.arrayContaining(['service', 'admin']));
  });
});
