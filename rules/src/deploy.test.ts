import { describe, expect, it } from 'vitest';
import type { AlarmEvent, EngineInput } from './api.js';
import { Engine } from './engine.js';
import { HOUR, MIN, rules, T0, warmRule } from './test-kit.js';

let seq = 0;
const temp = (at: number, v: number): EngineInput => ({ kind: 'telemetry', hubId: 'h', applianceId: 'f', applianceType: 'refrigerator', seq: ++seq, deviceTs: at, at, metrics: { fridge_temp_c: v } });
const fault = (at: number): EngineInput => ({ kind: 'fault', hubId: 'h', applianceId: 'f', applianceType: 'refrigerator', seq: ++seq, deviceTs: at, at, code: 'E-CMP-01', active: true });
const log = (events: readonly AlarmEvent[]): [string, string, number][] => events.map((e) => [e.ruleId, e.transition, e.at]);

/** A warm spell from T0, then a deploy of `next` at 10 min: what the timer does afterwards. */
const warmThenDeploy = (next: string): [string, string, number][] => {
  const e = new Engine({ rules: rules(warmRule()) });
  e.ingest(temp(T0, 10));
  expect(e.deploy(rules(next), 2, T0 + 10 * MIN)).toEqual([]);
  return log(e.tick(T0 + 2 * HOUR));
};

describe('deploy of a changed rule keeps the state of its unchanged conditions', () => {
  it('threshold: a new description, severity or clear condition leaves the running raise duration alone', () => {
    const next = warmRule().replace('raises: [ticket]', 'raises: [ticket, notification]\n  description: Too warm\n  severity: critical').replace('< 6.0', '< 5.0');
    expect(warmThenDeploy(next)).toEqual([['warm', 'raised', T0 + 30 * MIN]]);
  });

  it('threshold: a new `for` counts from when the condition began to hold', () => {
    expect(warmThenDeploy(warmRule().replace('for: 30m', 'for: 20m'))).toEqual([['warm', 'raised', T0 + 20 * MIN]]);
    // Already held longer than the new duration: raised at once, not back-dated before the deploy.
    expect(warmThenDeploy(warmRule().replace('for: 30m', 'for: 5m'))).toEqual([['warm', 'raised', T0 + 10 * MIN]]);
  });

  it('threshold: a changed condition restarts its duration (judged afresh on the next reading)', () => {
    expect(warmThenDeploy(warmRule().replace('> 8.0', '> 9.0'))).toEqual([]);
  });

  it('threshold: no longer applying to the appliance type drops its running duration', () => {
    expect(warmThenDeploy(warmRule().replace('appliesTo: [refrigerator]', 'appliesTo: [oven]'))).toEqual([]);
  });

  it('repeat: a new count keeps the occurrences already seen', () => {
    const before = 'id: cmp\nkind: repeat\nraises: [ticket]\ncondition: fault.faultClass == "compressor"\nparams: { count: 4, window: 24h }\n';
    const e = new Engine({ rules: rules(before) });
    e.ingest(fault(T0));
    e.ingest(fault(T0 + HOUR));
    e.deploy(rules(before.replace('count: 4', 'count: 3')), 2, T0 + 2 * HOUR);
    expect(log(e.ingest(fault(T0 + 3 * HOUR)))).toEqual([['cmp', 'raised', T0 + 3 * HOUR]]);
    // What it counts changed: the window starts empty.
    const f = new Engine({ rules: rules(before) });
    f.ingest(fault(T0));
    f.ingest(fault(T0 + HOUR));
    f.deploy(rules(before.replace('count: 4', 'count: 3').replace('"compressor"', '"compressor" || fault.faultClass == "sensor"')), 2, T0 + 2 * HOUR);
    expect(f.ingest(fault(T0 + 3 * HOUR))).toEqual([]);
  });

  it('repeat: an open alarm still clears after a quiet window — the old one for an untouched rule, the new one counted from the deploy', () => {
    const before = 'id: cmp\nkind: repeat\nraises: [ticket]\ncondition: fault.faultClass == "compressor"\nparams: { count: 2, window: 24h }\n';
    const other = '- id: other\n  kind: repeat\n  raises: [ticket]\n  condition: fault.faultClass == "sensor"\n  params: { count: 2, window: 1h }\n';
    const raisedAt = (e: Engine): void => {
      e.ingest(fault(T0));
      e.ingest(fault(T0 + HOUR));
    };
    const kept = new Engine({ rules: rules(before) });
    raisedAt(kept);
    kept.deploy(rules(`- ${before.trim().replace(/\n/g, '\n  ')}\n${other}`), 2, T0 + 2 * HOUR);
    expect(log(kept.tick(T0 + 30 * HOUR))).toEqual([['cmp', 'cleared', T0 + 25 * HOUR]]);
    const longer = new Engine({ rules: rules(before) });
    raisedAt(longer);
    longer.deploy(rules(before.replace('window: 24h', 'window: 48h')), 2, T0 + 2 * HOUR);
    expect(longer.tick(T0 + 49 * HOUR)).toEqual([]);
    expect(log(longer.tick(T0 + 60 * HOUR))).toEqual([['cmp', 'cleared', T0 + 50 * HOUR]]);
  });
});
