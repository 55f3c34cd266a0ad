import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/gateway.js';
import { GATEWAY_CLI } from '../support/process.js';

function forecare(args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [GATEWAY_CLI, ...args], { env: { ...process.env, FORECARE_LOG_LEVEL: 'silent', FORECARE_CONFIG: '/nonexistent/forecare.json', ...env }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('the forecare CLI', () => {
  it('has help for every command', () => {
    const top = forecare(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of ['start', 'migrate', 'doctor', 'hubs', 'mqtt-clients', 'users', 'rules', 'tickets']) expect(top.out).toContain(cmd);
    for (const sub of [['start'], ['migrate'], ['doctor'], ['users', 'add'], ['hubs', 'add'], ['hubs', 'list'], ['hubs', 'revoke'], ['mqtt-clients', 'add'], ['mqtt-clients', 'list'], ['mqtt-clients', 'rotate'], ['mqtt-clients', 'revoke'], ['rules', 'lint'], ['rules', 'test'], ['rules', 'backtest'], ['rules', 'deploy'], ['tickets', 'list']]) {
      const r = forecare([...sub, '--help']);
      expect(r.code, sub.join(' ')).toBe(0);
      expect(r.out, sub.join(' ')).toMatch(/Usage: forecare/);
    }
    expect(forecare(['start', '--help']).out).toContain('FORECARE_MQTT_PORT');
    // Eighteen CLI starts one after another: past the default 30 s on a loaded two-core machine.
  }, 120_000);

  it('migrates, provisions, lists and revokes hubs in a data directory, and lists tickets', () => {
    const env = { FORECARE_DATA_DIR: tempDir() };
    expect(forecare(['migrate'], env).out).toContain('migrated');
    const add = forecare(['hubs', 'add', 'cli-hub-1'], env);
    expect(add.out).toMatch(/hub cli-hub-1 provisioned — username cli-hub-1 password \S{20,}/);
    const list = JSON.parse(forecare(['hubs', 'list', '--json'], env).out) as { hubId: string; revokedAt: number | null }[];
    expect(list.map((h) => h.hubId)).toEqual(['cli-hub-1']);
    expect(forecare(['hubs', 'revoke', 'cli-hub-1'], env).code).toBe(0);
    expect((JSON.parse(forecare(['hubs', 'list', '--json'], env).out) as { revokedAt: number | null }[])[0]?.revokedAt).not.toBeNull();
    const unknown = forecare(['hubs', 'revoke', 'nobody'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^forecare: hub nobody is not provisioned\n$/);
    expect(JSON.parse(forecare(['tickets', 'list', '--json'], env).out)).toEqual([]);
  });

  it('provisions, lists, rotates and revokes service/admin MQTT accounts in a data directory, each password shown once', () => {
    const env = { FORECARE_DATA_DIR: tempDir() };
    const passwordOf = (out: string): string => /password (\S{20,}) \(shown once\)/.exec(out)?.[1] ?? '';
    const add = forecare(['mqtt-clients', 'add', 'node-red', '--role', 'service'], env);
    expect(add.code).toBe(0);
    expect(add.out).toMatch(/^MQTT service account node-red provisioned — username service:node-red password \S{20,} \(shown once\)\n$/);
    expect(forecare(['mqtt-clients', 'add', 'ops', '--role', 'admin'], env).out).toContain('username admin:ops');
    const badRole = forecare(['mqtt-clients', 'add', 'x', '--role', 'hub'], env);
    expect(badRole.code).toBe(2);
    expect(badRole.err).toContain('Allowed choices are service, admin');
    expect(forecare(['mqtt-clients', 'add', 'node-red', '--role', 'admin'], env).err).toMatch(/^forecare: MQTT client node-red is already provisioned\n$/);
    const rotated = forecare(['mqtt-clients', 'rotate', 'node-red'], env);
    expect(rotated.out).toContain('MQTT service account node-red rotated — username service:node-red password');
    expect(passwordOf(rotated.out)).not.toBe(passwordOf(add.out));
    expect(forecare(['mqtt-clients', 'revoke', 'ops'], env).out).toContain('MQTT admin account ops revoked');
    const list = JSON.parse(forecare(['mqtt-clients', 'list', '--json'], env).out) as { name: string; username: string; rotatedAt: number | null; revokedAt: number | null }[];
    expect(list.map((a) => [a.username, a.rotatedAt !== null, a.revokedAt !== null])).toEqual([['service:node-red', true, false], ['admin:ops', false, true]]);
    expect(JSON.stringify(list)).not.toContain(passwordOf(rotated.out));
    expect(forecare(['mqtt-clients', 'list'], env).out).toMatch(/^service:node-red +active .*\nadmin:ops +revoked /);
    const unknown = forecare(['mqtt-clients', 'revoke', 'nobody'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^forecare: MQTT client nobody is not provisioned\n$/);
  });

  it('lints rules with file and line, and tests them on an NDJSON recording', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, 'rules', 'warm.yaml'), 'id: warm\nkind: threshold\nraises: [ticket]\ncondition: metrics.fridge_temp_c > 8\n');
    expect(forecare(['rules', 'lint', join(dir, 'rules')]).out).toContain('1 rules, no problems');
    writeFileSync(join(dir, 'rules', 'bad.yaml'), 'id: bad\nkind: threshold\nraises: [ticket]\ncondition: metrics.x >\n');
    const bad = forecare(['rules', 'lint', join(dir, 'rules')]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/bad\.yaml:4:\d+ condition:/);
    // A recording is what hubs sent: {topic, payload, at}, the payload as JSON text or base64 bytes.
    const recording = join(dir, 'rec.ndjson');
    const T0 = Date.UTC(2026, 0, 1);
    const reading = (v: number, i: number): string => JSON.stringify({ ts: T0 + i, seq: i + 1, type: 'refrigerator', metrics: { fridge_temp_c: v } });
    const topic = 'forecare/v1/h/appliances/f/telemetry';
    writeFileSync(
      recording,
      [
        JSON.stringify({ topic, payload: reading(5, 0), at: T0 }),
        JSON.stringify({ topic, payload: Buffer.from(reading(9, 1)).toString('base64'), at: T0 + 1000 }),
        'not json',
        JSON.stringify({ topic, payload: '{"ts":"yesterday"}', at: T0 + 1500 }),
        JSON.stringify({ topic, payload: reading(9, 2), at: T0 + 2000 }),
      ].join('\n'),
    );
    const test = forecare(['rules', 'test', join(dir, 'rules', 'warm.yaml'), '--recording', recording, '--json']);
    expect(test.code, test.err).toBe(0);
    const lines = test.out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; transition?: string; ruleId?: string; hubId?: string; applianceId?: string; kind?: string; at?: number });
    expect(lines.filter((l) => l.type === 'alarm').map((l) => [l.transition, l.ruleId, l.hubId, l.applianceId, l.kind, l.at])).toEqual([['raised', 'warm', 'h', 'f', 'threshold', T0 + 1000]]);
    expect(lines.filter((l) => l.type === 'skipped')).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', messages: 4, skippedLines: 1, rejected: 1, raisedByRule: { warm: 1 } });
    // rules backtest takes the same recording, rules from a folder.
    const backtest = forecare(['rules', 'backtest', '--recording', recording, '--rules', join(dir, 'rules'), '--json'], { FORECARE_DATA_DIR: tempDir() });
    expect(backtest.code, backtest.err).toBe(1); // bad.yaml still has its syntax error
    expect(backtest.out).toMatch(/bad\.yaml:4:\d+ condition:/);
    const human = forecare(['rules', 'test', join(dir, 'rules', 'warm.yaml'), '--recording', recording]);
    expect(human.out).toMatch(/raised +warning +h\/f\|warm\|warm/);
    expect(human.out).toContain('4 recorded messages (1 refused by the contract, 0 redeliveries, 1 lines skipped): 1 alarm(s) raised');
  });

  it('doctor names the setting to change for a taken port', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const r = forecare(['doctor'], { FORECARE_DATA_DIR: tempDir(), FORECARE_MQTT_PORT: String(port), FORECARE_HTTP_PORT: '0' });
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    expect(r.out).toContain(`FAIL FORECARE_MQTT_PORT 127.0.0.1:${port}: in use by another program — stop it, or set FORECARE_MQTT_PORT`);
    expect(r.out).toMatch(/ok {3}store .*: opens and is migrated/);
    expect(r.code).toBe(1);
  });
});
