import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, scoreTable } from '@forecare/device-sim';
import { startScoredRun, writeReport, type RunningScenario, type ScoredRun } from '../support/scored-run.js';

/**
 * The adversarial fleet (device-sim/scenarios/adversarial.json) — written to break the rules:
 * ids repeated across homes, older firmware, quiet households, vacations and super-freeze,
 * Wi-Fi drops and reboots, late buffered snapshots, skewed clocks, redeliveries — through a
 * real gateway, scored against its ground truth. The same targets as for every fleet.
 */
describe('scored run: the shipped rules against the adversarial fleet', () => {
  const scenario = loadScenario('adversarial');
  let running: RunningScenario;
  let run: ScoredRun;

  beforeAll(async () => {
    running = await startScoredRun(scenario, 'adv', 1000);
    run = await running.run();
    writeReport(scenario, run);
  }, 300_000);

  afterAll(async () => {
    await running?.stop();
  });

  it('recall and precision at least 0.99 overall and 0.97 for every kind, no flaps', () => {
    const { result } = run;
    const table = scoreTable(result);
    expect(new Set(run.labels.map((l) => l.kind)).size, 'every kind of trouble is in the run').toBe(9);
    expect(result.recall, table).toBeGreaterThanOrEqual(0.99);
    expect(result.precision, `${table}\nfalse positives: ${result.falsePositives.join(', ')}`).toBeGreaterThanOrEqual(0.99);
    for (const k of result.byKind) {
      expect(k.recall, `${k.kind}\n${table}`).toBeGreaterThanOrEqual(0.97);
      expect(k.precision, `${k.kind}\n${table}`).toBeGreaterThanOrEqual(0.97);
    }
    expect(result.flaps, table).toBe(0);
  });

  it('a door left open is told within its rule duration and one reading; a fault code at once', () => {
    const byKind = new Map(run.result.byKind.map((k) => [k.kind, k]));
    expect(byKind.get('door-left-open')?.maxTimeToDetectMs).toBeLessThanOrEqual((10 + (scenario.stepMinutes ?? 1)) * 60_000);
    expect(byKind.get('sudden-fault')?.maxTimeToDetectMs).toBe(0);
    expect(byKind.get('hub-unplugged')?.maxTimeToDetectMs, 'the alarm carries the moment the hub left').toBe(0);
  });

  it('every expiring food item reaches its own household exactly once, quiet households included', () => {
    const { food } = run;
    expect(food.expected).toBeGreaterThan(50);
    expect(food.missing, 'never told').toEqual([]);
    expect(food.repeated, 'told twice').toEqual([]);
    expect(food.unexpected, 'told though not due, or to another household').toEqual([]);
  });

  it('the firmware bug across homes is one fleet alert, not a dozen lonely tickets', () => {
    expect(run.fleetAlerts).toEqual([expect.objectContaining({ model: 'RF-700', faultCode: 'E-FAN-01' })]);
    expect(run.fleet.reduce((n, h) => n + h.drops, 0), 'hubs dropped off and came back').toBeGreaterThan(40);
  });
});
