import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, type RunningGateway } from '@forecare/gateway';
import { applyDue, loadScenario, score, scoreTable, SimHub, type Label, type ScoredAlarm } from '@forecare/device-sim';
import { api, startTestGateway, tempDir, type Api } from '../support/gateway.js';

const REPORTS = fileURLToPath(new URL('../../device-sim/reports/', import.meta.url));

/**
 * A scored run in accelerated time: the simulator's clock and the gateway's are the same
 * injected clock, moved a simulated minute at a time, so ten hours of a fleet take seconds.
 */
describe('scored run: the shipped rules against the simulator ground truth', () => {
  const scenario = loadScenario('mixed-faults');
  const T0 = Math.floor(Date.now() / 60_000) * 60_000 - scenario.minutes * 60_000;
  const clock = new ManualClock(T0);
  let gw: RunningGateway;
  let http: Api;
  const fleet: SimHub[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_TICK_MS: '60000' }, { clock });
    http = api(gw);
    for (let i = 0; i < scenario.hubs; i++) {
      const hubId = `score-${String(i).padStart(2, '0')}`;
      const { password } = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId })).body;
      await http.call('POST', '/api/v1/appliances', { applianceId: `${hubId}.fridge`, hubId, type: 'refrigerator', model: 'RF-500' });
      await http.call('POST', '/api/v1/appliances', { applianceId: `${hubId}.washer`, hubId, type: 'washer', model: 'WM-80' });
      const hub = new SimHub({
        url: `mqtt://127.0.0.1:${gw.mqttPort}`,
        hubId,
        password,
        seed: 1000 + i,
        clock: { now: () => clock.now(), realDelay: () => 1 },
        intervalMs: 60_000,
        heartbeatMs: 60_000,
        // Real hubs: clocks off by up to ±3 min, redeliveries, reordering, Wi-Fi drops, some batching.
        network: { skewMs: ((i % 7) - 3) * 60_000, duplicateRate: 0.05, reorderRate: 0.05, reconnectRate: 0.003, batch: i % 4 === 0 ? 2 : 1 },
      });
      await hub.connect();
      fleet.push(hub);
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(fleet.map((h) => h.stop()));
    await gw?.stop();
  });

  it('recall and precision at least 0.95, no flaps', async () => {
    const labels: Label[] = [];
    for (let minute = 0; minute <= scenario.minutes; minute++) {
      clock.set(T0 + minute * 60_000);
      labels.push(...(await applyDue(scenario, fleet, minute, clock.now())));
      await Promise.all(fleet.map((h) => h.tick()));
      gw.ctx.runner.tick();
    }
    await new Promise((r) => setTimeout(r, 300)); // wills of dropped hubs
    gw.ctx.runner.tick();
    const listed = (await http.call<{ items: { alarmKey: string; ruleId: string; hubId: string; applianceId: string | null; key: string; firstSeen: number }[] }>('GET', '/api/v1/alarms?all=true&limit=5000')).body.items;
    const alarms: ScoredAlarm[] = [];
    for (const a of listed) {
      const history = (await http.call<{ history: { transition: string; at: number }[] }>('GET', `/api/v1/alarms/${encodeURIComponent(a.alarmKey)}`)).body.history;
      const raised = history.filter((h) => h.transition === 'raised');
      alarms.push({ alarmKey: a.alarmKey, ruleId: a.ruleId, hubId: a.hubId, applianceId: a.applianceId, key: a.key, raisedAt: Math.min(...raised.map((h) => h.at)), raisedCount: raised.length });
    }
    const result = score(labels, alarms);
    mkdirSync(REPORTS, { recursive: true });
    writeFileSync(`${REPORTS}${scenario.name}.json`, JSON.stringify({ scenario: scenario.name, hubs: scenario.hubs, simulatedMinutes: scenario.minutes, labels: labels.length, alarms: alarms.length, ...result }, null, 2) + '\n');
    writeFileSync(`${REPORTS}${scenario.name}.txt`, scoreTable(result) + '\n');
    expect(labels.length).toBe(12);
    expect(result.missed, scoreTable(result)).toEqual([]);
    expect(result.recall).toBeGreaterThanOrEqual(0.95);
    expect(result.precision, `false positives: ${result.falsePositives.join(', ')}`).toBeGreaterThanOrEqual(0.95);
    expect(result.flaps).toBe(0);
    const fleetAlerts = (await http.call<{ items: { model: string; faultCode: string }[] }>('GET', '/api/v1/fleet/alerts')).body.items;
    expect(fleetAlerts).toEqual([expect.objectContaining({ model: 'RF-500', faultCode: 'E-FAN-01' })]);
    expect(fleet.reduce((n, h) => n + h.reconnects, 0)).toBeGreaterThan(0);
  }, 120_000);
});
