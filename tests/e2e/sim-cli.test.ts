import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '@forecare/gateway';
import { decodeUplink } from '@forecare/firmware-contracts';
import { eventHubs, loadScenario } from '@forecare/device-sim';
import { ADMIN_TOKEN, api, startTestGateway, tempDir, until, type Api } from '../support/gateway.js';

const SIM = fileURLToPath(new URL('../../device-sim/dist/cli/main.js', import.meta.url));

function runSim(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SIM, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('forecare-sim CLI against a running gateway', () => {
  let gw: RunningGateway;
  let http: Api;

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_HUB_OFFLINE_AFTER: '2s' });
    http = api(gw);
  });

  afterAll(async () => {
    await gw?.stop();
  });

  it('provisions 3 hubs, publishes realistic telemetry, injects a compressor fault and expiring food', async () => {
    const r = await runSim([
      'run',
      '--url', `mqtt://127.0.0.1:${gw.mqttPort}`,
      '--api', `http://127.0.0.1:${gw.httpPort}`,
      '--token', ADMIN_TOKEN,
      '--hubs', '3',
      '--prefix', 'cli-hub',
      '--provision',
      '--interval', '200',
      '--duration', '2',
      '--fault', 'E-CMP-01',
      '--food',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { hubs: number; sent: number; rejected: number };
    expect(summary).toMatchObject({ hubs: 3, rejected: 0 });
    expect(summary.sent).toBeGreaterThan(10);
    const tickets = await until('a compressor ticket', async () => {
      const items = (await http.call<{ items: { faultCode: string | null; hubId: string }[] }>('GET', '/api/v1/tickets')).body.items;
      return items.some((t) => t.faultCode === 'E-CMP-01') ? items : undefined;
    });
    expect(tickets.filter((t) => t.faultCode === 'E-CMP-01').map((t) => t.hubId)).toEqual(['cli-hub-1']);
    // The food went in; its digest comes at the household's hour (engine and scored-run tests follow it there).
    const metrics = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
    expect(Number(/forecare_messages_in_total\{kind="inventory"\} (\d+)/.exec(metrics)?.[1] ?? 0)).toBeGreaterThan(0);
    const hubs = (await http.call<{ items: { hubId: string; lastSeenAt: number | null }[] }>('GET', '/api/v1/hubs')).body.items;
    expect(hubs.filter((h) => h.hubId.startsWith('cli-hub-') && h.lastSeenAt !== null)).toHaveLength(3);
  });

  it('a hub told to go silent (no will) raises hub-offline while it stays away', async () => {
    const creds = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'cli-silent' })).body;
    const r = await runSim(['inject', 'silent', '--hub', 'cli-silent', '--password', creds.password, '--url', `mqtt://127.0.0.1:${gw.mqttPort}`, '--without-will']);
    expect(r.code).toBe(0);
    await until(
      'hub-offline alarm',
      async () => {
        const items = (await http.call<{ items: { ruleId: string; hubId: string }[] }>('GET', '/api/v1/alarms')).body.items;
        return items.find((a) => a.ruleId === 'hub-offline' && a.hubId === 'cli-silent');
      },
      8000,
    );
  });

  it('load: many connections as fast as the gateway acknowledges, with a JSON summary', async () => {
    const r = await runSim(['load', '--url', `mqtt://127.0.0.1:${gw.mqttPort}`, '--api', `http://127.0.0.1:${gw.httpPort}`, '--token', ADMIN_TOKEN, '--connections', '4', '--seconds', '2', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as { connections: number; sent: number; perSec: number; errors: number; pubackP99Ms: number };
    expect(out).toMatchObject({ connections: 4, errors: 0 });
    expect(out.perSec).toBeGreaterThan(100);
  });

  it('record writes what the hubs sent, with labels and customers, that the rules CLI and score read back', async () => {
    const dir = tempDir();
    const file = join(dir, 'run.ndjson');
    const r = await runSim(['record', '--out', file, '--scenario', 'mixed-faults']);
    expect(r.code, r.stderr).toBe(0);
    const labels = readFileSync(join(dir, 'run.labels.ndjson'), 'utf8').trim().split('\n');
    const scenario = loadScenario('mixed-faults');
    expect(labels).toHaveLength(scenario.events.reduce((n, e) => n + eventHubs(e).length, 0));
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { topic: string; payload: string; at: number });
    // What a hub sends: topic, the payload as published, the receive time; every one valid against the contract.
    for (const l of lines.slice(0, 2000)) expect(decodeUplink(l.topic, l.payload).ok, l.topic).toBe(true);
    const telemetry = lines.filter((l) => l.topic.endsWith('/telemetry'));
    const steps = scenario.minutes / (scenario.stepMinutes ?? 1);
    expect(telemetry.length).toBeGreaterThan(scenario.hubs * 2 * steps * 0.5);
    expect(new Set(telemetry.map((l) => (JSON.parse(l.payload) as { type: string }).type)).size).toBe(7);
    const customers = JSON.parse(readFileSync(join(dir, 'run.customers.json'), 'utf8')) as { hubs: string[]; appliances: unknown[] }[];
    expect(customers).toHaveLength(scenario.hubs);
    expect(customers[0]?.appliances).toHaveLength(3);
    const alarmsFile = join(dir, 'alarms.json');
    writeFileSync(alarmsFile, JSON.stringify({ items: [] }));
    const scored = await runSim(['score', '--labels', join(dir, 'run.labels.ndjson'), '--alarms', alarmsFile, '--json']);
    expect(JSON.parse(scored.stdout)).toMatchObject({ recall: 0, precision: 1, flaps: 0 });
  }, 60_000);

  it('explains a missing password instead of crashing', async () => {
    const r = await runSim(['run', '--url', `mqtt://127.0.0.1:${gw.mqttPort}`, '--hubs', '1', '--duration', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--password');
  });
});

describe('forecare-sim CLI on its own', () => {
  it('contact-center takes several comma-separated secrets, as FORECARE_CONTACT_CENTER_SECRET does, and accepts a task signed with any of them', async () => {
    const secret = (): string => `whsec_${randomBytes(24).toString('base64')}`;
    const [newest, previous, other] = [secret(), secret(), secret()];
    const child = spawn(process.execPath, [SIM, 'contact-center', '--secret', `${newest}, ${previous}`, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = once(child, 'exit');
    try {
      const url = await until('the simulator listening', async () => /listening: (\S+)/.exec(stdout)?.[1], 10_000);
      const post = async (key: string, n: number): Promise<number> => {
        const body = JSON.stringify({ data: { taskId: `task-${n}` } });
        const ts = Math.floor(Date.now() / 1000);
        const sig = createHmac('sha256', Buffer.from(key.replace(/^whsec_/, ''), 'base64')).update(`msg-${n}.${ts}.${body}`).digest('base64');
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `k-${n}`, 'webhook-id': `msg-${n}`, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${sig}` }, body });
        return res.status;
      };
      expect([await post(newest, 1), await post(previous, 2), await post(other, 3)]).toEqual([202, 202, 401]);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
    expect(stdout).toContain('2 tasks accepted, 3 requests');
  });

  it("score's help names only options that exist: labels come from record --scenario (run has no --scenario)", async () => {
    // commander wraps help at 80 columns
    const help = async (command: string): Promise<string> => (await runSim([command, '--help'])).stdout.replace(/\s+/g, ' ');
    const score = await help('score');
    expect(score).toContain('record --scenario');
    expect(score).not.toContain('run --scenario');
    expect(await help('record')).toContain('--scenario');
    expect(await help('run')).not.toContain('--scenario');
    expect(await help('contact-center')).toContain('several, comma-separated');
  });
});
