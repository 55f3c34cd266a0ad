import { describe, expect, it } from 'vitest';
import type { AlarmEvent, EngineInput } from './api.js';
import { Engine } from './engine.js';
import { cmpRepeatRule, HOUR, MIN, rules, T0, warmRule } from './test-kit.js';

let seq = 0;
const temp = (at: number, v: number): EngineInput => ({ kind: 'telemetry', hubId: 'h', applianceId: 'f', applianceType: 'refrigerator', seq: ++seq, deviceTs: at, at, metrics: { fridge_temp_c: v } });
const fault = (at: number, code: string, active = true): EngineInput => ({ kind: 'fault', hubId: 'h', applianceId: 'f', applianceType: 'refrigerator', seq: ++seq, deviceTs: at, at, code, active });
const log = (events: readonly AlarmEvent[]): [string, string, number][] => events.map((e) => [e.ruleId, e.transition, e.at]);
const CODES = '- id: cmp\n  kind: fault-code\n  raises: [ticket]\n  params: { escalateAfter: 1h, escalateLevels: 2 }\n';
const WARM_KEY = 'h/f|warm|warm';

describe('clearing an alarm by hand', () => {
  it('emits one cleared event with reason manual and who; a second clear, an unknown key and another alarm\'s firstSeen do nothing', () => {
    const e = new Engine({ rules: rules(CODES) });
    const [raised] = e.ingest(fault(T0, 'E-CMP-01'));
    const key = raised?.alarmKey ?? '';
    expect(e.clearManually({ alarmKey: key, at: T0 + MIN, by: 'erik', firstSeen: T0 + 1 })).toEqual([]);
    const out = e.clearManually({ alarmKey: key, at: T0 + MIN, by: 'erik', firstSeen: T0 });
    expect(out).toMatchObject([{ transition: 'cleared', alarmKey: key, reason: 'manual', by: 'erik', at: T0 + MIN, count: 1, firstSeen: T0 }]);
    expect(e.alarms()).toEqual([]);
    expect(e.clearManually({ alarmKey: key, at: T0 + 2 * MIN, by: 'ada' })).toEqual([]);
    expect(e.clearManually({ alarmKey: 'h/nope|cmp|x', at: T0 + 2 * MIN, by: 'ada' })).toEqual([]);
    // Its escalation went with it.
    expect(e.tick(T0 + 5 * HOUR)).toEqual([]);
    // The fault reported again is a new alarm, raised afresh (count 1, a new first-seen).
    expect(e.ingest(fault(T0 + 6 * HOUR, 'E-CMP-01'))).toMatchObject([{ transition: 'raised', count: 1, firstSeen: T0 + 6 * HOUR }]);
    // An old clear applied again (a replay) leaves the new alarm alone.
    expect(e.clearManually({ alarmKey: key, at: T0 + 7 * HOUR, by: 'erik', firstSeen: T0 })).toEqual([]);
    expect(e.alarms()).toHaveLength(1);
  });

  it('a threshold still holding raises again only after its full duration; its pending clear is dropped', () => {
    const e = new Engine({ rules: rules(warmRule()) });
    e.ingest(temp(T0, 10));
    expect(log(e.tick(T0 + 30 * MIN))).toEqual([['warm', 'raised', T0 + 30 * MIN]]);
    // Clearing has begun (5 °C) when a person clears it: that pending clear must not fire later.
    e.ingest(temp(T0 + 40 * MIN, 5));
    expect(e.clearManually({ alarmKey: WARM_KEY, at: T0 + 41 * MIN, by: 'erik' })).toMatchObject([{ transition: 'cleared', reason: 'manual' }]);
    // Warm again at once: the rule judges from scratch (a new alarm its full 30 min later), and the
    // clear that was pending when the alarm went (due at 50 min) must not cut that new period short.
    expect(e.ingest(temp(T0 + 45 * MIN, 10))).toEqual([]);
    expect(e.tick(T0 + 74 * MIN)).toEqual([]);
    expect(log(e.tick(T0 + 75 * MIN))).toEqual([['warm', 'raised', T0 + 75 * MIN]]);
  });

  it('a threshold raising at once: the clear that was pending on the old alarm never ends the new one', () => {
    const e = new Engine({ rules: rules(warmRule().replace('for: 30m', 'for: 0m')) });
    expect(log(e.ingest(temp(T0, 10)))).toEqual([['warm', 'raised', T0]]);
    e.ingest(temp(T0 + MIN, 5));
    expect(e.clearManually({ alarmKey: WARM_KEY, at: T0 + 2 * MIN, by: 'erik' })).toHaveLength(1);
    expect(log(e.ingest(temp(T0 + 3 * MIN, 10)))).toEqual([['warm', 'raised', T0 + 3 * MIN]]);
    // The old pending clear was due at 11 min.
    expect(e.tick(T0 + 20 * MIN)).toEqual([]);
    expect(e.alarms()).toMatchObject([{ alarmKey: WARM_KEY, status: 'raised', firstSeen: T0 + 3 * MIN }]);
  });

  it('a repeat counts new occurrences after the clear, not the ones that raised it', () => {
    const e = new Engine({ rules: rules(cmpRepeatRule(2, '1h')) });
    const raised = [fault(T0, 'E-CMP-01'), fault(T0 + MIN, 'E-CMP-01', false), fault(T0 + 2 * MIN, 'E-CMP-01')].flatMap((i) => e.ingest(i));
    expect(raised.filter((x) => x.transition === 'raised')).toHaveLength(1);
    const key = raised[0]?.alarmKey ?? '';
    expect(e.clearManually({ alarmKey: key, at: T0 + 3 * MIN, by: 'erik' })).toHaveLength(1);
    // One more onset inside the window is not yet two since the clear.
    expect(e.ingest(fault(T0 + 4 * MIN, 'E-CMP-01', false))).toEqual([]);
    expect(e.ingest(fault(T0 + 5 * MIN, 'E-CMP-01'))).toEqual([]);
    e.ingest(fault(T0 + 6 * MIN, 'E-CMP-01', false));
    expect(e.ingest(fault(T0 + 7 * MIN, 'E-CMP-01'))).toMatchObject([{ transition: 'raised', count: 1 }]);
  });

  it('stays cleared in a snapshot and in incremental checkpoint parts', () => {
    const opts = { rules: rules(CODES), trackChanges: true };
    const e = new Engine(opts);
    const [raised] = e.ingest(fault(T0, 'E-CMP-01'));
    const before = e.takeChanges();
    expect(before.alarms.map(([k]) => k)).toEqual([raised?.alarmKey]);
    e.clearManually({ alarmKey: raised?.alarmKey ?? '', at: T0 + MIN, by: 'erik' });
    const after = e.takeChanges();
    // The checkpoint deletes the alarm's row.
    expect(after.alarms).toEqual([[raised?.alarmKey, null]]);
    const back = Engine.restore(e.snapshot(), opts);
    expect(back.alarms()).toEqual([]);
    expect(back.tick(T0 + 5 * HOUR)).toEqual([]);
  });
});
