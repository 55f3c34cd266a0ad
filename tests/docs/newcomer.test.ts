import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, until } from '../support/gateway.js';
import { kill, spawnGateway, type GatewayProcess } from '../support/process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');

/** Runs an `npm run <script> -- …` line of the README the way a newcomer would, with this test's ports and data dir. */
function npmRun(line: string, env: Record<string, string>): { code: number | null; out: string; err: string } {
  const m = /^npm run (\S+) -- (.*)$/.exec(line.replace(/\\\n\s*/g, ' ').trim());
  if (m === null) throw new Error(`not an npm run line: ${line}`);
  const args = (m[2] ?? '').match(/"[^"]*"|\S+/g) ?? [];
  const r = spawnSync('npm', ['run', '-s', m[1] ?? '', '--', ...args.map((a) => a.replace(/^"|"$/g, ''))], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("a newcomer's path through the README", () => {
  const dataDir = tempDir();
  let gw: GatewayProcess;

  beforeAll(async () => {
    // `npm start`, on free ports (1883 is taken on these machines, as the README warns).
    gw = await spawnGateway(dataDir, { FORECARE_ADMIN_TOKEN: '' });
  }, 30_000);
  afterAll(async () => {
    await kill(gw, 'SIGTERM');
  });

  it('the first start prints where it listens and the admin token, kept in the data directory', async () => {
    expect(gw.output()).toMatch(/forecare gateway listening: MQTT mqtt:\/\/127\.0\.0\.1:\d+ {2}HTTP http:\/\/127\.0\.0\.1:\d+/);
    const token = readFileSync(`${dataDir}/admin-token`, 'utf8').trim();
    await until('the token line', () => (gw.output().includes(`admin token (shown once; kept in ${dataDir}/admin-token): ${token}`) ? true : undefined));
  });

  it("the README's commands bring up a user, feed the gateway from the simulator, and a ticket shows in the console's API", async () => {
    const token = readFileSync(`${dataDir}/admin-token`, 'utf8').trim();
    const env = { FORECARE_DATA_DIR: dataDir, FORECARE_LOG_LEVEL: 'silent' };
    const userLine = /`(npm run forecare -- users add <name> --role admin)`/.exec(readme)?.[1] ?? '';
    const user = npmRun(userLine.replace('<name>', 'newcomer'), env);
    expect(user.out).toMatch(/user newcomer \(admin\) added — password (\S+) \(shown once\)/);
    const password = /password (\S+) \(shown once\)/.exec(user.out)?.[1] ?? '';

    const simBlock = /```sh\n(npm run sim -- run [^`]*?)```/.exec(readme)?.[1] ?? '';
    const simLine = simBlock
      .replace('mqtt://127.0.0.1:1884', `mqtt://127.0.0.1:${gw.mqttPort}`)
      .replace('http://127.0.0.1:8080', `http://127.0.0.1:${gw.httpPort}`)
      .replace('"$(cat data/admin-token)"', token)
      .replace('--hubs 5', '--hubs 2')
      .trim();
    const sim = npmRun(`${simLine} --duration 2 --interval 500`, env);
    expect(sim.code, sim.err).toBe(0);

    const session = await fetch(`http://127.0.0.1:${gw.httpPort}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'newcomer', password }) });
    const { token: sessionToken } = (await session.json()) as { token: string };
    const tickets = await until('a ticket', async () => {
      const r = (await (await fetch(`http://127.0.0.1:${gw.httpPort}/api/v1/tickets`, { headers: { authorization: `Bearer ${sessionToken}` } })).json()) as { items: { faultCode: string }[] };
      return r.items.length > 0 ? r.items : undefined;
    });
    expect(tickets.map((t) => t.faultCode)).toContain('E-CMP-01');
    const page = await (await fetch(`http://127.0.0.1:${gw.httpPort}/`)).text();
    expect(page).toContain('<div id="app">');
  }, 90_000);
});
