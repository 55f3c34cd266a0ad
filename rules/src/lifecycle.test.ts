import { describe, expect, it } from 'vitest';
import type { AlarmEvent, EngineInput } from './api.js';
import type { AlarmRec } from './alarm-book.js';
import { Engine, type EngineChanges, type EngineOptions } from './engine.js';
import { HOUR, MIN, rules, T0, warmRule } from './test-kit.js';

let seq = 0;
const temp = (at: number, v: number, applianceId = 'f'): EngineInput => ({ kind: 'telemetry', hubId: 'h', applianceId, applianceType: 'refrigerator', seq: ++seq, deviceTs: at, at, metrics: { fridge_temp_c: v } });
const door = (at: number, open: boolean): EngineInput => ({ kind: 'telemetry', hubId: 'h', applianceId: 'f', applianceType: 'refrigerator', seq: ++seq, deviceTs: at, at, metrics: { door_open: open } });
const fault = (at: number, code: string, active = true): EngineInput => ({ kind: 'fault', hubId: 'h', applianceId: 'f', applianceType: 'refrigerator', seq: ++seq, deviceTs: at, at, code, active });
const hb = (at: number): EngineInput => ({ kind: 'heartbeat', hubId: 'h', seq: ++seq, deviceTs: at, at });
const log = (events: readonly AlarmEvent[]): [string, string, number][] => events.map((e) => [e.ruleId, e.transition, e.at]);

const WARM = warmRule();
const CODES = `
- id: cmp
  kind: fault-code
  raises: [ticket]
`;

describe('alarm lifecycle', () => {
  it('raised → acknowledged → cleared, with counts and first/last seen; acknowledging twice or an unknown alarm does nothing', () => {
    const e = new Engine({ rules: rules(CODES) });
    const [raised] = e.ingest(fault(T0, 'E-CMP-01'));
    expect(raised).toMatchObject({ transition: 'raised', count: 1, firstSeen: T0, lastSeen: T0, level: 0 });
    expect(e.ingest(fault(T0 + 1, 'E-CMP-01'))[0]).toMatchObject({ transition: 'updated', count: 2, firstSeen: T0, lastSeen: T0 + 1 });
    const key = raised?.alarmKey ?? '';
    expect(e.acknowledge(key, T0 + 5 * MIN)[0]).toMatchObject({ transition: 'acknowledged', count: 2 });
    expect(e.acknowledge(key, T0 + 6 * MIN)).toEqual([]);
    expect(e.acknowledge('nope|cmp|x', T0 + 6 * MIN)).toEqual([]);
    // A repeat while acknowledged counts, and the alarm stays acknowledged.
    expect(e.ingest(fault(T0 + 10 * MIN, 'E-CMP-01'))[0]).toMatchObject({ transition: 'updated', count: 3 });
    expect(e.alarms()).toMatchObject([{ alarmKey: key, status: 'acknowledged', count: 3, firstSeen: T0, lastSeen: T0 + 10 * MIN }]);
    expect(e.ingest(fault(T0 + 20 * MIN, 'E-CMP-01', false))[0]).toMatchObject({ transition: 'cleared', count: 3, firstSeen: T0, lastSeen: T0 + 20 * MIN });
    expect(e.alarms()).toEqual([]);
  });

  it('escalation: a restart from a snapshot mid-escalation escalates at the original times', () => {
    const set = rules(CODES.replace('raises: [ticket]', 'raises: [ticket]\n  params: { escalateAfter: 1h, escalateLevels: 3 }'));
    const e = new Engine({ rules: set });
    e.ingest(fault(T0, 'E-CMP-01'));
    expect(log(e.tick(T0 + 90 * MIN))).toEqual([['cmp', 'escalated', T0 + HOUR]]);
    const back = Engine.restore(e.snapshot(), { rules: set });
    expect(back.tick(T0 + 10 * HOUR).map((x) => [x.transition, x.level, x.at])).toEqual([
      ['escalated', 2, T0 + 2 * HOUR],
      ['escalated', 3, T0 + 3 * HOUR],
    ]);
  });
});

describe('composite', () => {
  it('is judged again when one of its rules raises or clears by timer: no further message needed', () => {
    const e = new Engine({ rules: rules(`${CODES}${WARM}
- id: failing-cooling
  kind: composite
  raises: [ticket]
  of: [cmp, warm]
`) });
    e.ingest(fault(T0, 'E-CMP-01'));
    e.ingest(temp(T0 + MIN, 10));
    expect(log(e.tick(T0 + 40 * MIN))).toEqual([
      ['warm', 'raised', T0 + 31 * MIN],
      ['failing-cooling', 'raised', T0 + 31 * MIN],
    ]);
    e.ingest(temp(T0 + 50 * MIN, 5));
    expect(log(e.tick(T0 + 70 * MIN))).toEqual([
      ['warm', 'cleared', T0 + 60 * MIN],
      ['failing-cooling', 'cleared', T0 + 60 * MIN],
    ]);
  });

  it('any of its rules, and not while an `unless` rule is alarmed', () => {
    const e = new Engine({ rules: rules(`${CODES}
- id: hot
  kind: threshold
  raises: []
  condition: metrics.fridge_temp_c > 8.0
- id: door
  kind: threshold
  raises: []
  condition: metrics.door_open == true
- id: trouble
  kind: composite
  raises: [ticket]
  of: [cmp, hot]
  unless: [door]
  params: { op: any }
`) });
    expect(log(e.ingest(temp(T0, 10)))).toEqual([
      ['hot', 'raised', T0],
      ['trouble', 'raised', T0],
    ]);
    // The door is open: the warmth is explained, the composite ends while it stays open.
    expect(log(e.ingest(door(T0 + MIN, true)))).toEqual([
      ['door', 'raised', T0 + MIN],
      ['trouble', 'cleared', T0 + MIN],
    ]);
    expect(log(e.ingest(door(T0 + 2 * MIN, false)))).toEqual([
      ['door', 'cleared', T0 + 2 * MIN],
      ['trouble', 'raised', T0 + 2 * MIN],
    ]);
    expect(log(e.ingest(temp(T0 + 3 * MIN, 4)))).toEqual([
      ['hot', 'cleared', T0 + 3 * MIN],
      ['trouble', 'cleared', T0 + 3 * MIN],
    ]);
    expect(log(e.ingest(fault(T0 + 4 * MIN, 'E-CMP-01')))).toEqual([
      ['cmp', 'raised', T0 + 4 * MIN],
      ['trouble', 'raised', T0 + 4 * MIN],
    ]);
  });
});

describe('appliance offline behind a live hub', () => {
  const SET = `
- id: hub-offline
  kind: hub-offline
  raises: [ticket]
  params: { silentFor: 10m }
- id: silent
  kind: appliance-offline
  raises: [fleet]
  params: { silentFor: 1h }
`;
  it('clears when the appliance is heard again', () => {
    const e = new Engine({ rules: rules(SET) });
    e.ingest(temp(T0, 4));
    for (let i = 1; i <= 8; i++) e.ingest(hb(T0 + i * 9 * MIN));
    expect(e.alarms().map((a) => a.ruleId)).toEqual(['silent']);
    expect(log(e.ingest(temp(T0 + 80 * MIN, 4)))).toEqual([['silent', 'cleared', T0 + 80 * MIN]]);
  });

  it('while the hub is offline nothing is raised for its appliances; once it is back, an appliance still silent raises silentFor later', () => {
    const e = new Engine({ rules: rules(SET) });
    e.ingest(temp(T0, 4));
    e.ingest({ kind: 'status', hubId: 'h', state: 'offline', at: T0 + MIN });
    expect(log(e.tick(T0 + 5 * HOUR))).toEqual([]);
    expect(log(e.ingest(hb(T0 + 5 * HOUR)))).toEqual([['hub-offline', 'cleared', T0 + 5 * HOUR]]);
    const out: AlarmEvent[] = [];
    for (let i = 1; i <= 7; i++) out.push(...e.ingest(hb(T0 + 5 * HOUR + i * 9 * MIN)));
    expect(log(out)).toEqual([['silent', 'raised', T0 + 6 * HOUR]]);
  });
});

describe('deploy of a changed rule', () => {
  it('keeps its open alarm, judged by the new condition on the next message; its running duration restarts', () => {
    const e = new Engine({ rules: rules(WARM) });
    e.ingest(temp(T0, 10));
    e.tick(T0 + 30 * MIN);
    e.ingest(temp(T0 + 40 * MIN, 5)); // clearing for 10 min
    const changed = rules(WARM.replace('metrics.fridge_temp_c < 6.0', 'metrics.fridge_temp_c < 4.0'));
    expect(e.deploy(changed, 2, T0 + 45 * MIN)).toEqual([]);
    expect(e.alarms().map((a) => [a.ruleId, a.status])).toEqual([['warm', 'raised']]);
    // The old clearing does not complete: 5 °C no longer clears under the new rule.
    e.ingest(temp(T0 + 46 * MIN, 5));
    expect(e.tick(T0 + 2 * HOUR)).toEqual([]);
    e.ingest(temp(T0 + 2 * HOUR, 3));
    expect(log(e.tick(T0 + 3 * HOUR)).map(([r, t, at]) => [r, t, at])).toEqual([['warm', 'cleared', T0 + 2 * HOUR + 10 * MIN]]);
  });
});

describe('incremental checkpoints', () => {
  it('after a threshold fired by its timer, parts restore to the same engine (a stale pending duration would block the next raise)', () => {
    const opts: EngineOptions = { rules: rules(WARM), trackChanges: true };
    const rows = new Map<string, unknown>();
    const save = (c: EngineChanges): void => {
      for (const [kind, list] of [['hub', c.hubs], ['app', c.appliances], ['alarm', c.alarms], ['work', c.work], ['timer', c.timers]] as const) {
        for (const [k, v] of list as [string, unknown][]) {
          if (v === null) rows.delete(`${kind}|${k}`);
          else rows.set(`${kind}|${k}`, structuredClone(v));
        }
      }
    };
    const part = <T,>(kind: string): [string, T][] => [...rows].filter(([k]) => k.startsWith(`${kind}|`)).map(([k, v]) => [k.slice(kind.length + 1), structuredClone(v) as T]);
    const live = new Engine(opts);
    live.ingest(temp(T0, 10));
    save(live.takeChanges());
    live.tick(T0 + 30 * MIN);
    const c = live.takeChanges();
    save(c);
    const back = Engine.fromParts({ version: c.version, wheel: c.wheel, hubs: part('hub'), appliances: part('app'), alarms: part<AlarmRec>('alarm').map(([, a]) => a), work: part('work'), timers: part<number>('timer') }, opts);
    const rest = (e: Engine): [string, string, number][] => {
      const out = [...e.ingest(temp(T0 + 40 * MIN, 5))];
      out.push(...e.tick(T0 + 55 * MIN));
      out.push(...e.ingest(temp(T0 + 60 * MIN, 10)));
      out.push(...e.tick(T0 + 2 * HOUR));
      return log(out);
    };
    const expected = rest(live);
    expect(expected).toEqual([
      ['warm', 'cleared', T0 + 50 * MIN],
      ['warm', 'raised', T0 + 90 * MIN],
    ]);
    expect(rest(back)).toEqual(expected);
  });
});

describe('one alarm however fast messages arrive', () => {
  it('two identical telemetry messages 1 ms apart (and a redelivery of the same seq) make one alarm', () => {
    const e = new Engine({ rules: rules('id: hot\nkind: threshold\nraises: [ticket]\ncondition: metrics.fridge_temp_c > 8.0\n') });
    const first = temp(T0, 10);
    const events = [...e.ingest(first), ...e.ingest({ ...first }), ...e.ingest(temp(T0 + 1, 10))];
    expect(log(events)).toEqual([['hot', 'raised', T0]]);
    expect(e.alarms()).toHaveLength(1);
  });

  it('repeat by fault code (params.code): N occurrences in the window raise one alarm, the next updates it', () => {
    const e = new Engine({ rules: rules('id: e12\nkind: repeat\nraises: [ticket]\nparams: { code: E-CMP-01, count: 2, window: 1h }\n') });
    const out = [fault(T0, 'E-CMP-01'), fault(T0 + 1, 'E-CMP-02'), fault(T0 + 2 * HOUR, 'E-CMP-01'), fault(T0 + 2 * HOUR + 1, 'E-CMP-01'), fault(T0 + 2 * HOUR + 2, 'E-CMP-01')].flatMap((i) => e.ingest(i));
    expect(out.map((x) => [x.transition, x.count, x.at])).toEqual([
      ['raised', 1, T0 + 2 * HOUR + 1],
      ['updated', 2, T0 + 2 * HOUR + 2],
    ]);
  });
});
