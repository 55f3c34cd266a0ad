import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHubs, loadScenario, scoreTable } from '@forecare/device-sim';
import { startScoredRun, writeReport, type RunningScenario, type ScoredRun } from '../support/scored-run.js';

/**
 * A scored run in accelerated time: the simulator's clock and the gateway's are the same
 * injected clock, moved one scenario step at a time, so two days of a few hundred appliances
 * take well under a minute. (The adversarial fleet's run is in tests/detection/.)
 */
describe('scored run: the shipped rules against the simulator ground truth', () => {
  const scenario = loadScenario('mixed-faults');
  let running: RunningScenario;
  let run: ScoredRun;

  beforeAll(async () => {
    running = await startScoredRun(scenario, 'score', 1000);
    run = await running.run();
    writeReport(scenario, run);
  }, 300_000);

  afterAll(async () => {
    await running?.stop();
  });

  it('every scenario kind in a mixed fleet: recall and precision at least 0.99, every kind at least 0.97, no flaps', () => {
    const { result, labels } = run;
    const table = scoreTable(result);
    // The fleet really is a mixed one, and every kind of trouble a scenario can inject is in it.
    expect(run.appliances).toBeGreaterThanOrEqual(200);
    expect(new Set(run.fleet.flatMap((h) => h.appliances.map((a) => a.type))).size).toBe(7);
    expect(new Set(labels.map((l) => l.kind))).toEqual(new Set(['sudden-fault', 'compressor-degradation', 'sensor-dropout', 'sensor-stuck', 'hub-unplugged', 'appliance-unplugged', 'firmware-bug']));
    expect(labels.length).toBe(scenario.events.reduce((n, e) => n + eventHubs(e).length, 0));
    expect(result.recall, table).toBeGreaterThanOrEqual(0.99);
    expect(result.precision, `false positives: ${result.falsePositives.join(', ')}`).toBeGreaterThanOrEqual(0.99);
    for (const k of result.byKind) {
      expect(k.recall, `${k.kind}\n${table}`).toBeGreaterThanOrEqual(0.97);
      expect(k.precision, `${k.kind}\n${table}`).toBeGreaterThanOrEqual(0.97);
    }
    expect(result.flaps, table).toBe(0);
    expect(run.fleetAlerts).toEqual([expect.objectContaining({ model: 'RF-500', faultCode: 'E-FAN-01' })]);
    expect(run.fleet.reduce((n, h) => n + h.reconnects, 0)).toBeGreaterThan(0);
  });
});
