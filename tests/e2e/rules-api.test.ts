import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { RunningGateway } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import { parseRules } from '@forecare/rules';
import { api, connectHub, startTestGateway, tempDir, until, type Api } from '../support/gateway.js';

describe('rules through the API: validate, backtest, deploy, diff, roll back', () => {
  let gw: RunningGateway;
  let http: Api;
  let hub: MqttClient;

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    http = api(gw);
    const { password } = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-r' })).body;
    hub = await connectHub(gw, 'hub-r', password);
    for (let i = 1; i <= 20; i++) {
      await hub.publishAsync(topics.telemetry('hub-r', 'hub-r.fridge'), JSON.stringify({ ts: Date.now(), seq: i, type: 'refrigerator', metrics: { fridge_temp_c: 9.5 } }), { qos: 1 });
    }
    await hub.publishAsync(topics.fault('hub-r', 'hub-r.fridge'), JSON.stringify({ ts: Date.now(), seq: 21, type: 'refrigerator', code: 'E-SNS-01', active: true }), { qos: 1 });
    await until('the fault alarm', async () => ((await http.call<{ items: unknown[] }>('GET', '/api/v1/alarms')).body.items.length > 0 ? true : undefined));
  });

  afterAll(async () => {
    hub?.end(true);
    await gw?.stop();
  });

  it('serves the deployed set as YAML that parses back to the same rules', async () => {
    const r = (await http.call<{ version: number; yaml: string; rules: unknown[] }>('GET', '/api/v1/rules')).body;
    expect(r.version).toBe(1);
    expect(parseRules(r.yaml, 'deployed.yaml').rules).toEqual(r.rules);
  });

  it('reports a broken rule with its line, backtests the fix beside the deployed set, deploys, diffs and rolls back', async () => {
    const deployed = (await http.call<{ yaml: string }>('GET', '/api/v1/rules')).body.yaml;
    const broken = `${deployed}- id: fridge-warm-now\n  kind: threshold\n  raises: [ticket]\n  condition: metrics.fridge_temp_c >\n`;
    const bad = (await http.call<{ ok: boolean; issues: { line: number; message: string }[] }>('POST', '/api/v1/rules/validate', { files: [{ name: 'all.yaml', text: broken }] })).body;
    expect(bad.ok).toBe(false);
    expect(bad.issues[0]?.line).toBe(broken.split('\n').length - 1);
    const fixed = `${deployed}- id: fridge-warm-now\n  kind: threshold\n  raises: [ticket]\n  condition: metrics.fridge_temp_c > 9.0\n`;
    expect((await http.call<{ ok: boolean }>('POST', '/api/v1/rules/validate', { files: [{ name: 'all.yaml', text: fixed }] })).body.ok).toBe(true);
    const bt = (await http.call<{ deployed: Record<string, number>; candidate: Record<string, number>; comparison: { added: { ruleId: string }[] }; inputs: number }>('POST', '/api/v1/rules/backtest', { files: [{ name: 'all.yaml', text: fixed }], days: 1 })).body;
    expect(bt.inputs).toBeGreaterThanOrEqual(21);
    expect(bt.candidate['fridge-warm-now']).toBe(1);
    expect(bt.deployed['fridge-warm-now']).toBeUndefined();
    expect(bt.comparison.added.map((a) => a.ruleId)).toEqual(['fridge-warm-now']);

    const dep = await http.call<{ version: number; diff: { added: string[] } }>('POST', '/api/v1/rules/deploy', { files: [{ name: 'all.yaml', text: fixed }], message: 'raise when the fridge is warm', author: 'eng-1' });
    expect(dep.status).toBe(201);
    expect(dep.body).toMatchObject({ version: 2, diff: { added: ['fridge-warm-now'] } });
    // The open alarm of an unchanged rule survived the deploy.
    const alarms = (await http.call<{ items: { ruleId: string; status: string }[] }>('GET', '/api/v1/alarms')).body.items;
    expect(alarms.find((a) => a.ruleId === 'fault-code')?.status).toBe('raised');
    expect((await http.call<{ added: string[] }>('GET', '/api/v1/rules/versions/2/diff')).body.added).toEqual(['fridge-warm-now']);
    const back = await http.call<{ version: number; diff: { removed: string[] } }>('POST', '/api/v1/rules/rollback', { version: 1, author: 'eng-1' });
    expect(back.body).toMatchObject({ version: 3, diff: { removed: ['fridge-warm-now'] } });
    const versions = (await http.call<{ items: { version: number; current: boolean; author: string }[] }>('GET', '/api/v1/rules/versions')).body.items;
    expect(versions.map((v) => [v.version, v.current])).toEqual([[3, true], [2, false], [1, false]]);
    const refused = await http.call<{ code: string }>('POST', '/api/v1/rules/deploy', { files: [{ name: 'x.yaml', text: broken }], message: 'oops' });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('GW_ERR_RULES_INVALID');
  });
});
