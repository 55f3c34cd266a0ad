import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, type RunningGateway } from '@forecare/gateway';
import { driveScenario, eventHubs, fetchScoredAlarms, loadScenario, scenarioHubOptions, score, scoreTable, SimHub } from '@forecare/device-sim';
import { ADMIN_TOKEN, api, startTestGateway, tempDir, type Api } from '../support/gateway.js';

const REPORTS = fileURLToPath(new URL('../../device-sim/reports/', import.meta.url));
const MINUTE = 60_000;

/**
 * A scored run in accelerated time: the simulator's clock and the gateway's are the same
 * injected clock, moved one scenario step at a time, so two days of a few hundred appliances
 * take well under a minute.
 */
describe('scored run: the shipped rules against the simulator ground truth', () => {
  const scenario = loadScenario('mixed-faults');
  const stepMs = (scenario.stepMinutes ?? 1) * MINUTE;
  const T0 = Math.floor(Date.now() / stepMs) * stepMs - scenario.minutes * MINUTE;
  const clock = new ManualClock(T0);
  let gw: RunningGateway;
  let http: Api;
  const fleet: SimHub[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_TICK_MS: String(stepMs) }, { clock });
    http = api(gw);
    // Provisioned ten hubs at a time: a few hundred appliances through the real API.
    const provision = async (i: number): Promise<SimHub> => {
      const hubId = `score-${String(i).padStart(3, '0')}`;
      const { password } = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId })).body;
      const options = scenarioHubOptions(scenario, hubId, i, 1000);
      for (const a of options.appliances ?? []) {
        const res = await http.call('POST', '/api/v1/appliances', { applianceId: a.id, hubId, type: a.type, model: scenario.models?.[a.type] ?? `SIM-${a.type}` });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
      }
      const hub = new SimHub({ url: `mqtt://127.0.0.1:${gw.mqttPort}`, hubId, password, clock: { now: () => clock.now(), realDelay: () => 1 }, ...options });
      await hub.connect();
      return hub;
    };
    for (let i = 0; i < scenario.hubs; i += 10) fleet.push(...(await Promise.all(Array.from({ length: Math.min(10, scenario.hubs - i) }, (_, k) => provision(i + k)))));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(fleet.map((h) => h.stop()));
    await gw?.stop();
  });

  it('every scenario kind in a mixed fleet: recall and precision at least 0.95, no flaps', async () => {
    const labels = await driveScenario(scenario, fleet, { start: T0, setTime: (at) => clock.set(at), afterStep: () => gw.ctx.runner.tick() });
    await new Promise((r) => setTimeout(r, 300)); // wills of dropped hubs
    // Answered after every batch handed to the engine before it: all alarm events are applied.
    await gw.ctx.runner.tick();
    const alarms = await fetchScoredAlarms(`http://127.0.0.1:${gw.httpPort}`, ADMIN_TOKEN);
    const result = score(labels, alarms);
    const appliances = fleet.reduce((n, h) => n + h.appliances.length, 0);
    mkdirSync(REPORTS, { recursive: true });
    // Times in the report count from the run's start, so a re-run that behaves the same writes the same report.
    const detections = result.detections.map(({ label, byRule }) => ({ ...label, start: undefined, startMinute: (label.start - T0) / MINUTE, minutesToDetect: Object.fromEntries(Object.entries(byRule).map(([rule, ms]) => [rule, ms / MINUTE])) }));
    const missed = result.missed.map((l) => ({ ...l, start: undefined, startMinute: (l.start - T0) / MINUTE }));
    const report = { scenario: scenario.name, hubs: scenario.hubs, appliances, simulatedMinutes: scenario.minutes, stepMinutes: scenario.stepMinutes ?? 1, messages: fleet.reduce((n, h) => n + h.sent.length, 0), labels: labels.length, alarms: alarms.length, ...result, missed, detections };
    writeFileSync(`${REPORTS}${scenario.name}.json`, JSON.stringify(report, null, 2) + '\n');
    writeFileSync(`${REPORTS}${scenario.name}.txt`, `${scenario.name}: ${scenario.hubs} hubs, ${appliances} appliances, ${scenario.minutes / 60} simulated hours in ${scenario.stepMinutes ?? 1}-minute steps, ${labels.length} labels, ${alarms.length} alarms\n${scoreTable(result)}\n`);

    // The fleet really is a mixed one, and every kind of trouble a scenario can inject is in it.
    expect(appliances).toBeGreaterThanOrEqual(200);
    expect(new Set(fleet.flatMap((h) => h.appliances.map((a) => a.type))).size).toBe(7);
    expect(new Set(labels.map((l) => l.kind))).toEqual(new Set(['sudden-fault', 'compressor-degradation', 'sensor-dropout', 'sensor-stuck', 'hub-unplugged', 'appliance-unplugged', 'firmware-bug']));
    expect(labels.length).toBe(scenario.events.reduce((n, e) => n + eventHubs(e).length, 0));
    expect(result.recall, scoreTable(result)).toBeGreaterThanOrEqual(0.95);
    expect(result.byKind.filter((k) => k.detected === 0).map((k) => k.kind), 'kinds never detected').toEqual([]);
    expect(result.precision, `false positives: ${result.falsePositives.join(', ')}`).toBeGreaterThanOrEqual(0.95);
    expect(result.flaps, alarms.filter((a) => a.raisedCount > 1).map((a) => a.alarmKey).join(', ')).toBe(0);
    const fleetAlerts = (await http.call<{ items: { model: string; faultCode: string }[] }>('GET', '/api/v1/fleet/alerts')).body.items;
    expect(fleetAlerts).toEqual([expect.objectContaining({ model: 'RF-500', faultCode: 'E-FAN-01' })]);
    expect(fleet.reduce((n, h) => n + h.reconnects, 0)).toBeGreaterThan(0);
  }, 240_000);
});
