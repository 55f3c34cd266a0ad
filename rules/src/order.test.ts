/**
 * Duplicates and reorderings. A hub delivers an appliance's messages in batches (after a
 * Wi-Fi reconnect, QoS 1 redeliveries interleaved): inside one delivery they may come in any
 * order and twice. The engine takes the newest reading by device time as the current value;
 * older ones arriving late still break running durations and stuck periods. These properties
 * pin what that guarantees.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlarmEvent, EngineInput } from './api.js';
import { Engine } from './engine.js';
import type { RuleDef } from './rule-format.js';
import { cmpRepeatRule, DAY, MIN, rules, T0, warmRule } from './test-kit.js';

/** Rules whose every decision waits for a duration or a timer: their whole event log is order-proof. */
const TIMED_RULES = `${warmRule(', escalateAfter: 1h')}${cmpRepeatRule(3, '2h')}- id: temp-stale
  kind: stale
  raises: [fleet]
  params: { metric: fridge_temp_c, after: 40m }
- id: silent
  kind: appliance-offline
  raises: [fleet]
  params: { silentFor: 50m }
- id: hub-offline
  kind: hub-offline
  raises: [ticket]
  params: { silentFor: 45m }
`;
const TIMED = rules(TIMED_RULES);

/** Rules that act on the message itself: a late reading may hide a flicker, but the alarms left open are the same. */
const IMMEDIATE_RULES = `
- id: codes
  kind: fault-code
  raises: [ticket]
- id: hot
  kind: threshold
  raises: [ticket]
  condition: metrics.fridge_temp_c > 9.5
- id: stuck
  kind: stuck
  raises: [fleet]
  params: { metric: fridge_temp_c, unchangedFor: 40m }
- id: warm-and-faulty
  kind: composite
  raises: [ticket]
  of: [codes, warm]
`;

const message = fc.record({
  dt: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 4 * MIN }), weight: 5 }, { arbitrary: fc.integer({ min: 1, max: 60 * MIN }), weight: 1 }),
  v: fc.constantFrom(4, 5, 7, 9, 10),
  fault: fc.option(fc.constantFrom('E-CMP-01', 'E-CMP-02'), { nil: undefined }),
  active: fc.boolean(),
});
/** One delivery: a few messages, the order they arrive in (random sort keys), and which are delivered twice. */
const delivery = fc.record({
  messages: fc.array(message, { minLength: 1, maxLength: 6 }),
  keys: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
  twice: fc.array(fc.nat(5), { maxLength: 3 }),
  lag: fc.integer({ min: 0, max: 3 * MIN }),
});

type Delivery = { messages: { dt: number; v: number; fault: string | undefined; active: boolean }[]; keys: number[]; twice: number[]; lag: number };

/** The stream in device-time order and the same stream as delivered: each delivery shuffled, some messages twice. */
function streams(deliveries: readonly Delivery[]): { ordered: EngineInput[]; delivered: EngineInput[] } {
  const ordered: EngineInput[] = [];
  const delivered: EngineInput[] = [];
  let t = T0;
  let seq = 0;
  let at = T0;
  for (const d of deliveries) {
    const inputs: EngineInput[] = d.messages.map((m) => {
      t += m.dt;
      seq++;
      const base = { hubId: 'h', applianceId: 'f', applianceType: 'refrigerator' as const, seq, deviceTs: t };
      return m.fault !== undefined ? { ...base, kind: 'fault', at: 0, code: m.fault, active: m.active } : { ...base, kind: 'telemetry', at: 0, metrics: { fridge_temp_c: m.v } };
    });
    // Everything in one delivery arrives at once, after the newest message was sent.
    at = Math.max(at, t + d.lag);
    const timed = inputs.map((i) => ({ ...i, at }));
    ordered.push(...timed);
    const shuffled = timed.map((input, i) => ({ input, key: d.keys[i] ?? 0, i })).sort((a, b) => a.key - b.key || a.i - b.i);
    for (const { input, i } of shuffled) {
      delivered.push(input);
      if (d.twice.includes(i)) delivered.push({ ...input });
    }
  }
  return { ordered, delivered };
}

const run = (set: readonly RuleDef[], inputs: readonly EngineInput[]): { log: string[]; open: string[] } => {
  const e = new Engine({ rules: set });
  const events: AlarmEvent[] = inputs.flatMap((i) => e.ingest(i));
  events.push(...e.tick((inputs.at(-1)?.at ?? T0) + DAY));
  return {
    // Events of different alarms at one instant may come in either order; each alarm's own events keep theirs (a stable sort).
    log: [...events].sort((a, b) => a.at - b.at || (a.alarmKey < b.alarmKey ? -1 : a.alarmKey > b.alarmKey ? 1 : 0)).map((x) => `${x.alarmKey} ${x.transition} ${x.at} ${x.count} ${x.level}`),
    open: e
      .alarms()
      .map((a) => `${a.alarmKey} ${a.status}`)
      .sort(),
  };
};

describe('duplicates and reorderings within one delivery (property)', () => {
  it('timed rules (threshold with durations and hysteresis, repeat, stale, appliance and hub offline): the same alarm events, at the same times, as the ordered stream', () => {
    fc.assert(
      fc.property(fc.array(delivery, { maxLength: 25 }), (deliveries) => {
        const { ordered, delivered } = streams(deliveries);
        expect(run(TIMED, delivered).log).toEqual(run(TIMED, ordered).log);
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it('every kind together (fault code, threshold without duration, stuck, composite too): the same alarms open, with the same status, as the ordered stream', () => {
    const all = rules(TIMED_RULES + IMMEDIATE_RULES);
    fc.assert(
      fc.property(fc.array(delivery, { maxLength: 25 }), (deliveries) => {
        const { ordered, delivered } = streams(deliveries);
        expect(run(all, delivered).open).toEqual(run(all, ordered).open);
      }),
      { numRuns: 300 },
    );
  }, 30_000);
});

describe('late readings', () => {
  const fridge = (seq: number, deviceTs: number, at: number, v: number): EngineInput => ({ kind: 'telemetry', hubId: 'h', applianceId: 'f', applianceType: 'refrigerator', seq, deviceTs, at, metrics: { fridge_temp_c: v } });
  const fault = (seq: number, deviceTs: number, at: number, active: boolean): EngineInput => ({ kind: 'fault', hubId: 'h', applianceId: 'f', applianceType: 'refrigerator', seq, deviceTs, at, code: 'E-CMP-01', active });

  it('a fault cleared, then its older "active" arriving late, leaves no alarm open', () => {
    const e = new Engine({ rules: rules('id: codes\nkind: fault-code\nraises: [ticket]\n') });
    e.ingest(fault(1, T0, T0, true));
    expect(e.ingest(fault(3, T0 + 2 * MIN, T0 + 2 * MIN, false)).map((x) => x.transition)).toEqual(['cleared']);
    expect(e.ingest(fault(2, T0 + MIN, T0 + 3 * MIN, true))).toEqual([]);
    expect(e.alarms()).toEqual([]);
    // The same pair the other way round: the late "cleared" does not end the newer fault.
    e.ingest(fault(4, T0 + 10 * MIN, T0 + 10 * MIN, true));
    expect(e.ingest(fault(5, T0 + 9 * MIN, T0 + 11 * MIN, false))).toEqual([]);
    expect(e.alarms().map((a) => a.status)).toEqual(['raised']);
  });

  it('a late reading below the threshold restarts a running duration; one older than the duration\'s start does not', () => {
    const e = new Engine({ rules: TIMED.filter((r) => r.id === 'warm') });
    e.ingest(fridge(1, T0, T0, 9));
    e.ingest(fridge(3, T0 + 20 * MIN, T0 + 20 * MIN, 9));
    e.ingest(fridge(2, T0 + 10 * MIN, T0 + 20 * MIN, 5)); // the fridge was cool at 10 min: warm only since 20
    expect(e.tick(T0 + 45 * MIN)).toEqual([]);
    expect(e.tick(T0 + 50 * MIN).map((x) => [x.transition, x.at])).toEqual([['raised', T0 + 50 * MIN]]);
    const f = new Engine({ rules: TIMED.filter((r) => r.id === 'warm') });
    f.ingest(fridge(2, T0 + 10 * MIN, T0 + 10 * MIN, 9));
    f.ingest(fridge(1, T0, T0 + 11 * MIN, 5)); // cool before the warm spell began: no break
    expect(f.tick(T0 + 40 * MIN).map((x) => [x.transition, x.at])).toEqual([['raised', T0 + 40 * MIN]]);
  });
});
