import { describe, expect, it } from 'vitest';
import type { AlarmEvent, EngineInput } from '../api.js';
import type { AlarmRec } from '../alarm-book.js';
import { Engine, type EngineMeta } from '../engine.js';
import { parseRules } from '../rule-format.js';
import { HOUR, MIN, rules, T0 } from '../test-kit.js';

const STUCK = `
id: fridge-sensor-stuck
kind: stuck
description: Fridge temperature sensor stuck
appliesTo: [refrigerator]
raises: [fleet]
params: { metric: fridge_temp_c, unchangedFor: 2h, tolerance: 0.05 }
`;

let seq = 0;
const reading = (at: number, v: number, applianceId = 'f', applianceType: 'refrigerator' | 'washer' = 'refrigerator'): EngineInput => ({
  kind: 'telemetry',
  hubId: 'h',
  applianceId,
  applianceType,
  seq: ++seq,
  deviceTs: at,
  at,
  metrics: { fridge_temp_c: v, compressor_duty: 0.3 },
});
const log = (events: readonly AlarmEvent[]): [string, string, number][] => events.map((e) => [e.ruleId, e.transition, e.at]);
/** A reading every 10 minutes from `from` for `count` readings, the value from `value(i)`. */
const feed = (e: Engine, from: number, count: number, value: (i: number) => number): AlarmEvent[] =>
  Array.from({ length: count }, (_, i) => e.ingest(reading(from + i * 10 * MIN, value(i)))).flat();

describe('stuck rule', () => {
  it('raises on the first reading at or after unchangedFor of the same value while readings keep coming, and clears when it changes', () => {
    const e = new Engine({ rules: rules(STUCK) });
    const out = feed(e, T0, 12, () => 4.2); // 0 … 110 min: not yet 2 h
    expect(out).toEqual([]);
    const raised = e.ingest(reading(T0 + 2 * HOUR, 4.2));
    expect(log(raised)).toEqual([['fridge-sensor-stuck', 'raised', T0 + 2 * HOUR]]);
    expect(raised[0]).toMatchObject({ alarmKey: 'h/f|fridge-sensor-stuck|fridge_temp_c', key: 'fridge_temp_c', title: 'Fridge temperature sensor stuck', facts: { metric: 'fridge_temp_c', value: 4.2, unchangedSinceMs: T0 } });
    // Still stuck: one alarm, no stream of updates.
    expect(feed(e, T0 + 2 * HOUR + 10 * MIN, 6, () => 4.2)).toEqual([]);
    expect(log(e.ingest(reading(T0 + 4 * HOUR, 4.6)))).toEqual([['fridge-sensor-stuck', 'cleared', T0 + 4 * HOUR]]);
    expect(e.alarms()).toEqual([]);
  });

  it('jitter within the tolerance is still stuck; a move beyond it restarts the period', () => {
    const e = new Engine({ rules: rules(STUCK) });
    // ±0.05 around 4.2 for 1h50, then a real move to 4.3 (0.1 away): the period starts again there.
    expect(feed(e, T0, 12, (i) => 4.2 + (i % 2 === 0 ? 0.05 : -0.05))).toEqual([]);
    expect(e.ingest(reading(T0 + 2 * HOUR - 1, 4.3))).toEqual([]);
    expect(feed(e, T0 + 2 * HOUR, 12, () => 4.3)).toEqual([]);
    expect(log(e.ingest(reading(T0 + 4 * HOUR, 4.31)))).toEqual([['fridge-sensor-stuck', 'raised', T0 + 4 * HOUR]]);
    // Drift inside the tolerance cannot creep: it is measured from the value the metric changed to.
    const creep = new Engine({ rules: rules(STUCK) });
    expect(feed(creep, T0, 13, (i) => 4.2 + i * 0.01).map((x) => x.transition)).toEqual([]);
  });

  it('a sensor that stops reporting is not stuck: no alarm from the clock, and no timer armed', () => {
    const e = new Engine({ rules: rules(STUCK) });
    e.ingest(reading(T0, 4.2));
    expect(e.timerCount).toBe(0);
    expect(e.tick(T0 + 10 * HOUR)).toEqual([]);
    // The silence was no stuck time: one reading after it with the same value is no evidence.
    expect(e.ingest(reading(T0 + 10 * HOUR, 4.2))).toEqual([]);
  });

  it('only time while readings arrive counts: a sensor resuming after an outage with its old value is not called stuck, and is once readings show it', () => {
    const e = new Engine({ rules: rules(STUCK) });
    // 100 minutes of readings, the hub offline for three hours, then readings again, the value unchanged.
    expect(feed(e, T0, 11, () => 4.2)).toEqual([]);
    expect(e.ingest(reading(T0 + 280 * MIN, 4.2))).toEqual([]);
    // 100 min before the outage, 15 min of it (a reading gap), 10 after: two hours of readings.
    expect(log(e.ingest(reading(T0 + 290 * MIN, 4.2)))).toEqual([['fridge-sensor-stuck', 'raised', T0 + 290 * MIN]]);
    expect(e.alarms()[0]).toMatchObject({ ruleId: 'fridge-sensor-stuck' });
    // A gap within readingGap is ordinary reporting: it counts whole.
    const f = new Engine({ rules: rules(STUCK.replace('tolerance: 0.05', 'tolerance: 0.05, readingGap: 30m')) });
    const sparse = Array.from({ length: 5 }, (_, i) => f.ingest(reading(T0 + i * 30 * MIN, 4.2))).flat();
    expect(log(sparse)).toEqual([['fridge-sensor-stuck', 'raised', T0 + 2 * HOUR]]);
  });

  it('ignores other appliance types and readings without the metric; an appliance without the rule keeps no stuck state', () => {
    const e = new Engine({ rules: rules(STUCK) });
    const washer = Array.from({ length: 20 }, (_, i) => e.ingest(reading(T0 + i * 10 * MIN, 4.2, 'w', 'washer'))).flat();
    expect(washer).toEqual([]);
    const other = Array.from({ length: 20 }, (_, i) => e.ingest({ kind: 'telemetry', hubId: 'h', applianceId: 'f', applianceType: 'refrigerator', seq: ++seq, deviceTs: T0 + i * 10 * MIN, at: T0 + i * 10 * MIN, metrics: { compressor_duty: 0.3 } })).flat();
    expect(other).toEqual([]);
    const snap = JSON.parse(e.snapshot()) as { appliances: [string, Record<string, unknown>][] };
    expect(snap.appliances.map(([id, a]) => [id, 'stuck' in a])).toEqual([
      ['h/w', false],
      ['h/f', false],
    ]);
  });

  it('a restart from a snapshot mid-period raises at the same reading as an uninterrupted run', () => {
    const r = rules(STUCK);
    const straight = new Engine({ rules: r });
    const first = feed(straight, T0, 20, () => 4.2);
    const cut = new Engine({ rules: r });
    feed(cut, T0, 7, () => 4.2);
    const restored = Engine.restore(cut.snapshot(), { rules: r });
    const second = feed(restored, T0 + 70 * MIN, 13, () => 4.2);
    expect(log(first)).toEqual([['fridge-sensor-stuck', 'raised', T0 + 2 * HOUR]]);
    expect(log(second)).toEqual(log(first));
  });

  it('incremental checkpoints carry the stuck reference (fromParts resumes the period)', () => {
    const opts = { rules: rules(STUCK), trackChanges: true };
    const e = new Engine(opts);
    feed(e, T0, 7, () => 4.2);
    const c = e.takeChanges();
    const meta: EngineMeta = { version: c.version, wheel: c.wheel };
    const back = Engine.fromParts(
      { ...meta, hubs: c.hubs, appliances: JSON.parse(JSON.stringify(c.appliances)) as typeof c.appliances, alarms: c.alarms.map(([, a]) => a).filter((a): a is AlarmRec => a !== null), work: [], timers: [] },
      opts,
    );
    expect(log(feed(back, T0 + 70 * MIN, 6, () => 4.2))).toEqual([['fridge-sensor-stuck', 'raised', T0 + 2 * HOUR]]);
  });

  it('a redeploy keeps an unchanged stuck rule running and restarts a changed one', () => {
    const r = rules(STUCK);
    const e = new Engine({ rules: r });
    feed(e, T0, 7, () => 4.2);
    expect(e.deploy([...r, ...rules('id: codes\nkind: fault-code\nraises: [ticket]\n')], 2, T0 + 65 * MIN)).toEqual([]);
    expect(log(feed(e, T0 + 70 * MIN, 6, () => 4.2))).toEqual([['fridge-sensor-stuck', 'raised', T0 + 2 * HOUR]]);
    const f = new Engine({ rules: r });
    feed(f, T0, 7, () => 4.2);
    f.deploy(rules(STUCK.replace('tolerance: 0.05', 'tolerance: 0.1')), 2, T0 + 65 * MIN);
    expect(log(feed(f, T0 + 70 * MIN, 13, () => 4.2))).toEqual([['fridge-sensor-stuck', 'raised', T0 + 70 * MIN + 2 * HOUR]]);
  });

  it('a late older reading that moved (after the period began) restarts the period; one from before it does not', () => {
    const e = new Engine({ rules: rules(STUCK) });
    const at = (deviceTs: number, arrival: number, v: number): EngineInput => ({ ...reading(deviceTs, v), at: arrival });
    e.ingest(at(T0, T0, 4.2));
    e.ingest(at(T0 + 70 * MIN, T0 + 70 * MIN, 4.2));
    e.ingest(at(T0 + 60 * MIN, T0 + 71 * MIN, 5.0)); // late: the sensor did move at 60 min
    expect(feed(e, T0 + 80 * MIN, 12, () => 4.2)).toEqual([]); // up to 3 h 10: not 2 h since 71 min
    expect(log(e.ingest(reading(T0 + 71 * MIN + 2 * HOUR, 4.2)))).toEqual([['fridge-sensor-stuck', 'raised', T0 + 71 * MIN + 2 * HOUR]]);
    const f = new Engine({ rules: rules(STUCK) });
    f.ingest(at(T0 + 10 * MIN, T0 + 10 * MIN, 4.2));
    f.ingest(at(T0, T0 + 11 * MIN, 5.0)); // older than the reading the period began with: no news
    expect(log(feed(f, T0 + 20 * MIN, 12, () => 4.2))).toEqual([['fridge-sensor-stuck', 'raised', T0 + 130 * MIN]]);
  });

  it('rule format: unchangedFor and metric are required, tolerance is a number ≥ 0, with the line of the problem', () => {
    const missing = parseRules('id: s\nkind: stuck\nraises: [fleet]\nparams:\n  metric: fridge_temp_c\n', 's.yaml');
    expect(missing.issues.map((i) => [i.line, i.path])).toEqual([[5, '/params/unchangedFor']]);
    const bad = parseRules('id: s\nkind: stuck\nraises: [fleet]\nparams:\n  metric: fridge_temp_c\n  unchangedFor: 2h\n  tolerance: -1\n', 's.yaml');
    expect(bad.issues.map((i) => [i.line, i.path])).toEqual([[7, '/params/tolerance']]);
  });
});
