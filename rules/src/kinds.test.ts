import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlarmEvent, EngineInput } from './api.js';
import { APPLIANCE_TYPES } from '@forecare/firmware-contracts';
import { Engine } from './engine.js';
import { RuleIndex } from './rule-index.js';
import { cmpRepeatRule, HOUR, MIN, rules, T0, warmRule } from './test-kit.js';
import { TimingWheel } from './timing-wheel.js';

const THRESHOLD = warmRule(', escalateAfter: 1h, escalateLevels: 2');

let seq = 0;
const temp = (at: number, v: number, extra: Record<string, number> = {}): EngineInput => ({ kind: 'telemetry', hubId: 'h', applianceId: 'f', applianceType: 'refrigerator', seq: ++seq, deviceTs: at, at, metrics: { fridge_temp_c: v, ...extra } });
const hb = (at: number): EngineInput => ({ kind: 'heartbeat', hubId: 'h', seq: ++seq, deviceTs: at, at });
const fault = (at: number, code: string, active = true): EngineInput => ({ kind: 'fault', hubId: 'h', applianceId: 'f', applianceType: 'refrigerator', seq: ++seq, deviceTs: at, at, code, active });
const transitions = (events: readonly AlarmEvent[]): string[] => events.map((e) => `${e.ruleId}:${e.transition}`);

describe('threshold with duration and hysteresis', () => {
  it('raises by timer once the condition has held for its duration, without another message', () => {
    const e = new Engine({ rules: rules(THRESHOLD) });
    e.ingest(temp(T0, 9));
    expect(e.tick(T0 + 29 * MIN)).toEqual([]);
    const fired = e.tick(T0 + 31 * MIN);
    expect(transitions(fired)).toEqual(['warm:raised']);
    expect(fired[0]?.at).toBe(T0 + 30 * MIN);
  });

  it('a value oscillating around the threshold does not flap', () => {
    const e = new Engine({ rules: rules(THRESHOLD) });
    const events: AlarmEvent[] = [];
    for (let i = 0; i < 200; i++) events.push(...e.ingest(temp(T0 + i * 5 * MIN, i % 2 === 0 ? 8.3 : 7.7)));
    expect(events).toEqual([]);
    // Held above: raise; then around 7–8 (above the clear level): stays raised.
    const t1 = T0 + 1000 * MIN;
    for (let i = 0; i < 10; i++) events.push(...e.ingest(temp(t1 + i * 5 * MIN, 9)));
    for (let i = 10; i < 60; i++) events.push(...e.ingest(temp(t1 + i * 5 * MIN, i % 2 === 0 ? 8.2 : 7.1)));
    expect(transitions(events).filter((t) => t !== 'warm:escalated')).toEqual(['warm:raised']);
    // Below the clear level for clearFor: cleared once.
    const t2 = t1 + 60 * 5 * MIN;
    for (let i = 0; i < 5; i++) events.push(...e.ingest(temp(t2 + i * 5 * MIN, 5)));
    expect(transitions(events).filter((t) => t !== 'warm:escalated')).toEqual(['warm:raised', 'warm:cleared']);
  });

  it('a restart from a snapshot mid-duration raises at the original time', () => {
    const r = rules(THRESHOLD);
    const e = new Engine({ rules: r });
    e.ingest(temp(T0, 9));
    e.tick(T0 + 10 * MIN);
    const restored = Engine.restore(e.snapshot(), { rules: r });
    const fired = restored.tick(T0 + 45 * MIN);
    expect(fired.map((x) => [x.transition, x.at])).toEqual([['raised', T0 + 30 * MIN]]);
  });

  it('escalates an unacknowledged alarm level by level; acknowledging stops it', () => {
    const e = new Engine({ rules: rules(THRESHOLD) });
    e.ingest(temp(T0, 9));
    e.tick(T0 + 30 * MIN);
    const esc = e.tick(T0 + 3 * HOUR);
    expect(esc.map((x) => [x.transition, x.level, x.at])).toEqual([
      ['escalated', 1, T0 + 90 * MIN],
      ['escalated', 2, T0 + 150 * MIN],
    ]);
    const other = new Engine({ rules: rules(THRESHOLD) });
    other.ingest(temp(T0, 9));
    const [raised] = other.tick(T0 + 30 * MIN);
    expect(other.acknowledge(raised?.alarmKey ?? '', T0 + 40 * MIN).map((x) => x.transition)).toEqual(['acknowledged']);
    expect(other.tick(T0 + 10 * HOUR)).toEqual([]);
  });
});

describe('repeat, trend, stale, appliance offline, composite', () => {
  it('repeat: N occurrences inside the window raise one alarm', () => {
    const e = new Engine({ rules: rules(cmpRepeatRule(3, '24h')) });
    const out = [fault(T0, 'E-CMP-01'), fault(T0 + HOUR, 'E-CMP-01', false), fault(T0 + 2 * HOUR, 'E-CMP-02'), fault(T0 + 30 * HOUR, 'E-CMP-01'), fault(T0 + 31 * HOUR, 'E-CMP-01'), fault(T0 + 32 * HOUR, 'E-CMP-02')].flatMap((i) => e.ingest(i));
    expect(transitions(out)).toEqual(['cmp-repeat:raised']);
    expect(out[0]?.at).toBe(T0 + 32 * HOUR);
  });

  it('repeat on faults is not woken by telemetry; a repeat over metrics and fault still counts readings', () => {
    const defs = rules(`${cmpRepeatRule(3, '24h')}- id: mode-fault
  kind: repeat
  raises: [ticket]
  condition: state.mode == "fault"
  params: { count: 2, window: 24h }
- id: mixed
  kind: repeat
  raises: [ticket]
  condition: fault.faultClass == "compressor" || metrics.fridge_temp_c > 20
  params: { count: 2, window: 24h }
`);
    const index = new RuleIndex(defs);
    const fridge = index.types[APPLIANCE_TYPES.indexOf('refrigerator')];
    expect(fridge?.repeat.map((r) => r.def.id)).toEqual(['cmp-repeat', 'mode-fault', 'mixed']);
    // Reached by telemetry: every one but the fault-only rule ("fault" inside a string is not the variable).
    const byTelemetry = [...(fridge?.repeatOpaque ?? []), ...[...(fridge?.repeatByMetric.values() ?? [])].flat()].map((r) => r.def.id);
    expect(new Set(byTelemetry)).toEqual(new Set(['mode-fault', 'mixed']));
    const e = new Engine({ rules: defs });
    const out = [temp(T0, 25), temp(T0 + MIN, 25), temp(T0 + 2 * MIN, 25)].flatMap((i) => e.ingest(i));
    expect(transitions(out)).toEqual(['mixed:raised', 'mixed:updated']);
  });

  it('repeat: a whole window without an occurrence clears the alarm, by timer; held while the hub is offline; kept over a restart', () => {
    const defs = rules(cmpRepeatRule(2, '24h'));
    const e = new Engine({ rules: defs });
    const raised = [fault(T0, 'E-CMP-01'), fault(T0 + HOUR, 'E-CMP-01')].flatMap((i) => e.ingest(i));
    expect(transitions(raised)).toEqual(['cmp-repeat:raised']);
    expect(e.tick(T0 + 24 * HOUR + HOUR - 1)).toEqual([]);
    const restored = Engine.restore(e.snapshot(), { rules: defs });
    const cleared = restored.tick(T0 + 26 * HOUR);
    expect(cleared.map((x) => [x.ruleId, x.transition, x.at])).toEqual([['cmp-repeat', 'cleared', T0 + 25 * HOUR]]);
    // Counting starts over: one fault is not two.
    expect(restored.ingest(fault(T0 + 27 * HOUR, 'E-CMP-01'))).toEqual([]);
    expect(transitions(restored.ingest(fault(T0 + 28 * HOUR, 'E-CMP-01')))).toEqual(['cmp-repeat:raised']);

    // The hub goes silent (its last will) while the alarm is open: nobody knows it stayed quiet.
    const away = new Engine({ rules: defs });
    [fault(T0, 'E-CMP-01'), fault(T0 + HOUR, 'E-CMP-01')].forEach((i) => away.ingest(i));
    away.ingest({ kind: 'status', hubId: 'h', state: 'offline', at: T0 + 2 * HOUR });
    expect(away.tick(T0 + 40 * HOUR)).toEqual([]);
    away.ingest(hb(T0 + 41 * HOUR));
    expect(away.tick(T0 + 48 * HOUR).map((x) => x.transition)).toEqual([]);
    expect(away.tick(T0 + 73 * HOUR).map((x) => [x.transition, x.at])).toEqual([['cleared', T0 + 49 * HOUR]]);
  });

  it('trend: a freezer warming 1.5 °C an hour raises before any threshold would', () => {
    const warming = rules(`
- id: freezer-warming
  kind: trend
  raises: [ticket]
  params: { metric: freezer_temp_c, window: 3h, slopeAbove: 1.0, minSamples: 6 }
`);
    const e = new Engine({ rules: warming });
    const out: AlarmEvent[] = [];
    for (let i = 0; i <= 36; i++) out.push(...e.ingest(temp(T0 + i * 10 * MIN, 4, { freezer_temp_c: -19 + (i * 10 * 1.5) / 60 })));
    const raised = out.find((x) => x.transition === 'raised');
    expect(raised?.ruleId).toBe('freezer-warming');
    expect(Number(raised?.facts?.slopePerHour)).toBeGreaterThan(1.3);
    const steady = new Engine({ rules: warming });
    const quiet: AlarmEvent[] = [];
    for (let i = 0; i <= 36; i++) quiet.push(...steady.ingest(temp(T0 + i * 10 * MIN, 4, { freezer_temp_c: -19 + (i % 3) * 0.4 })));
    expect(quiet).toEqual([]);
  });

  it('trend: samples its condition refuses do not count, and a refused sample does not use up the spacing', () => {
    const warming = rules(`
- id: freezer-warming
  kind: trend
  raises: [ticket]
  condition: '!has(state.defrost) || state.defrost == false'
  params: { metric: freezer_temp_c, window: 3h, slopeAbove: 1.0, minSamples: 6 }
`);
    // Steady at -19 °C, but every defrost reading (a warm step) comes 30 s before a normal one, within the spacing (54 s).
    const reading = (at: number, v: number, defrost: boolean): EngineInput => ({ kind: 'telemetry', hubId: 'h', applianceId: 'f', applianceType: 'refrigerator', seq: ++seq, deviceTs: at, at, metrics: { freezer_temp_c: v }, state: { defrost } });
    const e = new Engine({ rules: warming });
    const out: AlarmEvent[] = [];
    for (let i = 0; i <= 36; i++) {
      const at = T0 + i * 10 * MIN;
      out.push(...e.ingest(reading(at, -19 + (i * 10 * 3) / 60, true)));
      out.push(...e.ingest(reading(at + 30_000, -19, false)));
    }
    expect(out).toEqual([]);
    // The same warm readings outside a defrost count: the rule raises.
    const counted = new Engine({ rules: warming });
    const raised: AlarmEvent[] = [];
    for (let i = 0; i <= 36; i++) raised.push(...counted.ingest(reading(T0 + i * 10 * MIN, -19 + (i * 10 * 3) / 60, false)));
    expect(transitions(raised)).toEqual(['freezer-warming:raised']);
  });

  it('trend: slopeBelow raises on a falling metric and clears once the slope is back under half of it', () => {
    const e = new Engine({ rules: rules('id: cooling\nkind: trend\nraises: [ticket]\nparams: { metric: freezer_temp_c, window: 1h, slopeBelow: -2.0, minSamples: 4 }\n') });
    const out: AlarmEvent[] = [];
    // -3 °C an hour for 1.5 h, then flat.
    for (let i = 0; i <= 18; i++) out.push(...e.ingest(temp(T0 + i * 5 * MIN, 4, { freezer_temp_c: -15 - (i * 5 * 3) / 60 })));
    for (let i = 19; i <= 40; i++) out.push(...e.ingest(temp(T0 + i * 5 * MIN, 4, { freezer_temp_c: -15 - (18 * 5 * 3) / 60 })));
    expect(transitions(out)).toEqual(['cooling:raised', 'cooling:cleared']);
    expect(Number(out[0]?.facts?.slopePerHour)).toBeLessThan(-2.5);
  });

  it('stale: a metric not updated for T raises while other metrics keep coming', () => {
    const e = new Engine({ rules: rules(`
- id: stale-temp
  kind: stale
  raises: [fleet]
  params: { metric: fridge_temp_c, after: 1h }
`) });
    e.ingest(temp(T0, 4));
    const out: AlarmEvent[] = [];
    for (let i = 1; i < 12; i++) out.push(...e.ingest({ kind: 'telemetry', hubId: 'h', applianceId: 'f', applianceType: 'refrigerator', seq: ++seq, deviceTs: T0 + i * 10 * MIN, at: T0 + i * 10 * MIN, metrics: { compressor_duty: 0.3 } }));
    expect(out.map((x) => [x.ruleId, x.transition, x.at])).toEqual([['stale-temp', 'raised', T0 + HOUR]]);
    expect(transitions(e.ingest(temp(T0 + 3 * HOUR, 4)))).toEqual(['stale-temp:cleared']);
  });

  it('appliance offline behind a live hub raises; while the hub itself is offline it is held back', () => {
    const set = rules(`
- id: hub-offline
  kind: hub-offline
  raises: [ticket]
  params: { silentFor: 10m }
- id: appliance-silent
  kind: appliance-offline
  raises: [fleet]
  params: { silentFor: 1h }
`);
    const e = new Engine({ rules: set });
    e.ingest(temp(T0, 4));
    const out: AlarmEvent[] = [];
    for (let i = 1; i <= 9; i++) out.push(...e.ingest(hb(T0 + i * 9 * MIN)));
    expect(out.map((x) => [x.ruleId, x.transition, x.at])).toEqual([['appliance-silent', 'raised', T0 + HOUR]]);
    const away = new Engine({ rules: set });
    away.ingest(temp(T0, 4));
    const fired = away.tick(T0 + 5 * HOUR);
    expect(transitions(fired)).toEqual(['hub-offline:raised']);
    expect(fired[0]?.at).toBe(T0 + 10 * MIN);
  });

  it('composite: all of its rules alarmed on the appliance, unless another is', () => {
    const e = new Engine({ rules: rules(`
- id: cmp
  kind: fault-code
  raises: []
- id: warm
  kind: threshold
  raises: []
  condition: metrics.fridge_temp_c > 8.0
- id: failing-cooling
  kind: composite
  raises: [ticket]
  of: [cmp, warm]
`) });
    expect(transitions(e.ingest(fault(T0, 'E-CMP-01')))).toEqual(['cmp:raised']);
    expect(transitions(e.ingest(temp(T0 + MIN, 10)))).toEqual(['warm:raised', 'failing-cooling:raised']);
    expect(transitions(e.ingest(temp(T0 + 2 * MIN, 4)))).toEqual(['warm:cleared', 'failing-cooling:cleared']);
  });
});

describe('timers and versions', () => {
  it('a hub that disconnects and stays away raises at exactly T without any further message', () => {
    const e = new Engine({ rules: rules('id: hub-offline\nkind: hub-offline\nraises: [ticket]\nparams: { silentFor: 7m }\n') });
    e.ingest(hb(T0 + 123));
    expect(e.tick(T0 + 123 + 7 * MIN - 1)).toEqual([]);
    expect(e.tick(T0 + 123 + 7 * MIN).map((x) => x.at)).toEqual([T0 + 123 + 7 * MIN]);
  });

  it('a redeploy with an unrelated change keeps open alarms and running timers', () => {
    const base = rules(THRESHOLD + '\n- id: hub-offline\n  kind: hub-offline\n  raises: [ticket]\n  params: { silentFor: 10m }\n- id: codes\n  kind: fault-code\n  raises: [ticket]\n');
    const e = new Engine({ rules: base });
    e.ingest(fault(T0, 'E-CMP-01'));
    e.ingest(temp(T0 + MIN, 9));
    const changed = [...base, ...rules('id: extra\nkind: fault-code\nappliesTo: [washer]\nraises: [ticket]\n')];
    expect(e.deploy(changed, 2, T0 + 2 * MIN)).toEqual([]);
    expect(e.alarms().map((a) => a.ruleId)).toEqual(['codes']);
    const fired = e.tick(T0 + 40 * MIN);
    expect(fired.map((x) => [x.ruleId, x.at]).sort()).toEqual([['hub-offline', T0 + 11 * MIN], ['warm', T0 + 31 * MIN]].sort());
    expect(fired.every((x) => x.ruleVersion === 2)).toBe(true);
  });

  it('duplicates and redeliveries (same seq) give the same alarms as the clean stream (property)', () => {
    const r = rules(THRESHOLD + '\n- id: codes\n  kind: fault-code\n  raises: [ticket]\n');
    const step = fc.record({ dt: fc.integer({ min: 0, max: 20 * MIN }), v: fc.double({ min: 0, max: 15, noNaN: true }), fault: fc.option(fc.constantFrom('E-CMP-01', 'E-SNS-01'), { nil: undefined }), active: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), fc.array(fc.nat(200), { maxLength: 20 }), (steps, dupIdx) => {
        let t = T0;
        const clean: EngineInput[] = steps.map((s, i) => {
          t += s.dt;
          return s.fault !== undefined
            ? { kind: 'fault', hubId: 'h', applianceId: 'f', applianceType: 'refrigerator', seq: i + 1, deviceTs: t, at: t, code: s.fault, active: s.active }
            : { kind: 'telemetry', hubId: 'h', applianceId: 'f', applianceType: 'refrigerator', seq: i + 1, deviceTs: t, at: t, metrics: { fridge_temp_c: s.v } };
        });
        const noisy: EngineInput[] = [];
        clean.forEach((input, i) => {
          noisy.push(input);
          // A QoS 1 redelivery right after the original, with the same seq.
          if (dupIdx.includes(i)) noisy.push({ ...input, at: input.at });
        });
        const log = (inputs: EngineInput[]): string[] => {
          const e = new Engine({ rules: r });
          return inputs.flatMap((i) => e.ingest(i)).map((x) => `${x.alarmKey} ${x.transition} ${x.at} ${x.count}`);
        };
        expect(log(noisy)).toEqual(log(clean));
      }),
      { numRuns: 200 },
    );
  });
});

describe('timing wheel', () => {
  it('fires each timer once, in due order, across turns of the wheel, and honours re-arming and cancel', () => {
    const w = new TimingWheel(100, 8, 0);
    w.set('a', 250);
    w.set('b', 5000); // several turns away
    w.set('c', 260);
    w.set('a', 900); // re-armed later
    w.set('d', 300);
    w.cancel('d');
    expect(w.advance(299).map((x) => x.key)).toEqual(['c']);
    expect(w.advance(1000).map((x) => [x.key, x.at])).toEqual([['a', 900]]);
    expect(w.advance(4999)).toEqual([]);
    expect(w.advance(100_000).map((x) => x.key)).toEqual(['b']);
    expect(w.size).toBe(0);
  });

  it('matches a sorted list for random timers (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(20), fc.nat(50_000)), { maxLength: 60 }), fc.array(fc.nat(60_000), { maxLength: 10 }), (timers, stops) => {
        const w = new TimingWheel(100, 16, 0);
        const expected = new Map<string, number>();
        for (const [k, at] of timers) {
          w.set(`k${k}`, at);
          expected.set(`k${k}`, at);
        }
        const fired: [string, number][] = [];
        for (const now of [...stops].sort((a, b) => a - b).concat([60_000])) for (const f of w.advance(now)) fired.push([f.key, f.at]);
        expect(fired.sort()).toEqual([...expected.entries()].sort());
      }),
    );
  });
});

describe('conditions', () => {
  it('the direct path for `metrics.x <op> n` agrees with CEL on every value, including missing and non-numeric', async () => {
    const { compileCondition } = await import('./condition.js');
    const { parse } = await import('@marcbachmann/cel-js');
    for (const op of ['>', '>=', '<', '<=', '==', '!=']) {
      const text = `metrics.t ${op} 8.5`;
      const fast = compileCondition(text);
      const cel = parse(`(${text}) == true`) as (ctx: Record<string, unknown>) => unknown;
      if (!fast.ok) throw new Error(fast.error);
      for (const v of [-1, 0, 8, 8.5, 9, 1e9]) expect(fast.condition({ metrics: { t: v } }), `${v} ${op}`).toBe(cel({ metrics: { t: v } }) === true);
      expect(fast.condition({ metrics: {} })).toBe(false);
      expect(fast.condition({ metrics: { t: true } })).toBe(false);
    }
  });
});
