import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EngineInput } from './api.js';
import type { AlarmRec } from './alarm-book.js';
import { Engine, type EngineMeta } from './engine.js';
import { defaultRulesDir, parseRules, type RuleDef } from './rule-format.js';

const T0 = Date.UTC(2026, 10, 24, 9, 0);
const DAY = 86_400_000;

function shipped(): RuleDef[] {
  return readdirSync(defaultRulesDir)
    .filter((n) => n.endsWith('.yaml'))
    .flatMap((n) => {
      const { rules, issues } = parseRules(readFileSync(join(defaultRulesDir, n), 'utf8'), n);
      expect(issues).toEqual([]);
      return rules;
    });
}

const engine = () => new Engine({ rules: shipped(), overrides: { 'hub-offline': { silentFor: 60_000 } } });
const fault = (at: number, seq: number, active = true, code = 'E-CMP-01'): EngineInput => ({ kind: 'fault', hubId: 'h1', applianceId: 'f1', applianceType: 'refrigerator', seq, deviceTs: at, at, code, active });
const will = (at: number, hubId = 'h1'): EngineInput => ({ kind: 'status', hubId, state: 'offline', at });
const heartbeat = (at: number, seq: number, hubId = 'h1'): EngineInput => ({ kind: 'heartbeat', hubId, seq, deviceTs: at, at });
const inventory = (at: number, seq: number, items: { itemId: string; name: string; expiresAt: number }[]): EngineInput => ({
  kind: 'inventory',
  hubId: 'h1',
  applianceId: 'f1',
  applianceType: 'refrigerator',
  seq,
  deviceTs: at,
  at,
  items: items.map((i) => ({ ...i, category: 'dairy', storedAt: at - DAY })),
});

describe('fault-code rule', () => {
  it('two identical faults 1 ms apart make exactly one raised alarm', () => {
    const e = engine();
    const a = e.ingest(fault(T0, 1));
    const b = e.ingest(fault(T0 + 1, 2));
    expect(a.filter((x) => x.transition === 'raised')).toHaveLength(1);
    expect(b.map((x) => x.transition)).toEqual(['updated']);
    expect(b[0]).toMatchObject({ count: 2, alarmKey: 'h1/f1|fault-code|E-CMP-01', fault: { code: 'E-CMP-01' } });
    expect(e.alarms()).toHaveLength(1);
    expect(e.alarmCount).toBe(1);
  });

  it('takes severity and fault class from the catalog and clears when the appliance clears it', () => {
    const e = engine();
    const [raised] = e.ingest(fault(T0, 1)).filter((x) => x.ruleId === 'fault-code');
    expect(raised?.severity).not.toBe('info');
    expect(raised?.fault?.faultClass).not.toBe('unknown');
    expect(e.ingest(fault(T0 + 10, 2, false)).map((x) => x.transition)).toEqual(['cleared']);
    expect(e.alarms()).toHaveLength(0);
    expect(e.alarmCount).toBe(0);
    expect(e.ingest(fault(T0 + 20, 3)).map((x) => x.transition)).toEqual(['raised']);
    expect(e.alarmCount).toBe(1);
  });

  it('raises an unknown code as a warning of class unknown', () => {
    const [ev] = engine().ingest(fault(T0, 1, true, 'E-ZZZ-99')).filter((x) => x.ruleId === 'fault-code');
    expect(ev).toMatchObject({ severity: 'warning', fault: { faultClass: 'unknown' } });
  });
});

describe('food-expiry rule (the shipped one; the kind in kinds/food.test.ts)', () => {
  it('an inventory raises nothing by itself: the household is told at its digest hour', () => {
    const e = engine();
    const milk = { itemId: 'm', name: 'Milk', expiresAt: T0 + DAY };
    expect(e.ingest(inventory(T0, 1, [milk])).filter((x) => x.ruleId === 'food-expiry')).toEqual([]);
    const told = e.tick(T0 + DAY).filter((x) => x.ruleId === 'food-expiry');
    expect(told.map((x) => [x.transition, x.key, x.alarmKey, x.items?.map((i) => i.name)])).toEqual([['raised', '2026-11-25', 'h1|food-expiry|2026-11-25', ['Milk']]]);
    expect(told[0]?.raises).toEqual(['notification']);
    expect(told[0]?.applianceId).toBeUndefined();
  });
});

describe('hub-offline rule', () => {
  it('fires from the timer while the hub stays away and clears when it returns', () => {
    const e = engine();
    e.ingest(heartbeat(T0, 1));
    expect(e.tick(T0 + 59_999)).toEqual([]);
    const fired = e.tick(T0 + 120_000);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ transition: 'raised', ruleId: 'hub-offline', hubId: 'h1', at: T0 + 60_000, raises: ['ticket'] });
    expect(fired[0]?.applianceId).toBeUndefined();
    expect(e.tick(T0 + 500_000)).toEqual([]);
    expect(e.ingest(heartbeat(T0 + 600_000, 2)).map((x) => x.transition)).toEqual(['cleared']);
  });

  it('a last will is no incident within the grace period: a hub back in time raises nothing', () => {
    const e = engine();
    e.ingest(heartbeat(T0, 1));
    e.ingest(heartbeat(T0 + 50_000, 2));
    expect(e.tick(T0 + 70_000)).toEqual([]);
    expect(e.ingest(will(T0 + 80_000))).toEqual([]);
    expect(e.tick(T0 + 80_000 + 4 * 60_000)).toEqual([]);
    // Back after 4 min 30 s (a router restart): nothing to clear, nothing raised, then or later.
    expect(e.ingest({ kind: 'status', hubId: 'h1', state: 'online', at: T0 + 350_000 })).toEqual([]);
    expect(e.ingest(heartbeat(T0 + 360_000, 3))).toEqual([]);
    expect(e.tick(T0 + 400_000)).toEqual([]);
    expect(e.alarms()).toEqual([]);
  });

  it('a hub still gone when the grace period ends raises, dated the moment it left; a second will does not move that; its return clears it', () => {
    const e = engine();
    e.ingest(heartbeat(T0, 1));
    e.ingest(will(T0 + 20_000));
    e.ingest(will(T0 + 200_000));
    const raised = e.tick(T0 + 20_000 + 5 * 60_000);
    expect(raised.map((x) => [x.transition, x.at, x.firstSeen, x.title])).toEqual([['raised', T0 + 20_000, T0 + 20_000, 'Hub h1 offline (last will)']]);
    expect(raised[0]?.facts).toMatchObject({ confirmedAtMs: T0 + 20_000 + 5 * 60_000, silentSinceMs: T0 });
    expect(e.tick(T0 + 3_600_000)).toEqual([]);
    expect(e.ingest(heartbeat(T0 + 3_700_000, 2)).map((x) => [x.transition, x.at])).toEqual([['cleared', T0 + 3_700_000]]);
  });

  it('with no grace period (graceFor 0) the will raises at once', () => {
    const e = new Engine({ rules: shipped(), overrides: { 'hub-offline': { silentFor: 60_000, graceFor: 0 } } });
    e.ingest(heartbeat(T0, 1));
    expect(e.ingest(will(T0 + 1000)).map((x) => [x.transition, x.at])).toEqual([['raised', T0 + 1000]]);
  });

  it("while a hub's will is in its grace period its appliances are not called silent; the grace survives a restart", () => {
    const opts = { rules: shipped(), overrides: { 'hub-offline': { silentFor: 60_000, graceFor: 7_200_000 }, 'appliance-silent': { silentFor: 600_000 } } };
    const e = new Engine(opts);
    e.ingest(fault(T0, 1, false));
    e.ingest(will(T0 + 1000));
    const back = Engine.restore(e.snapshot(), opts);
    expect(back.tick(T0 + 3_600_000)).toEqual([]);
    expect(back.tick(T0 + 1000 + 7_200_000).map((x) => [x.ruleId, x.transition, x.at])).toEqual([['hub-offline', 'raised', T0 + 1000]]);
  });

  it('ingest fires timers that fell due before the input', () => {
    const e = engine();
    e.ingest(heartbeat(T0, 1, 'h2'));
    const out = e.ingest(heartbeat(T0 + 90_000, 1, 'h1'));
    expect(out.map((x) => [x.hubId, x.transition, x.at])).toEqual([['h2', 'raised', T0 + 60_000]]);
  });
});

describe('state', () => {
  const input = fc.oneof(
    fc.record({ kind: fc.constant('fault' as const), dt: fc.integer({ min: 0, max: 120_000 }), active: fc.boolean(), code: fc.constantFrom('E-CMP-01', 'E-SNS-01') }),
    fc.record({ kind: fc.constant('heartbeat' as const), dt: fc.integer({ min: 0, max: 120_000 }), hub: fc.constantFrom('h1', 'h2') }),
    fc.record({ kind: fc.constant('will' as const), dt: fc.integer({ min: 0, max: 120_000 }), hub: fc.constantFrom('h1', 'h2') }),
    fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 600_000 }) }),
  );

  type Step = { kind: 'fault'; dt: number; active: boolean; code: string } | { kind: 'heartbeat' | 'will'; dt: number; hub: string } | { kind: 'tick'; dt: number };
  /** Runs the steps through an engine; `before(i, e)` may swap the engine (a restore) before step i. The log of events. */
  const play = (steps: readonly Step[], first: Engine, before: (i: number, e: Engine) => Engine): string[] => {
    let e = first;
    let t = T0;
    const log: string[] = [];
    steps.forEach((s, i) => {
      e = before(i, e);
      t += s.dt;
      const evs = s.kind === 'tick' ? e.tick(t) : s.kind === 'fault' ? e.ingest(fault(t, i, s.active, s.code)) : s.kind === 'will' ? e.ingest(will(t, s.hub)) : e.ingest(heartbeat(t, i, s.hub));
      for (const ev of evs) log.push(`${ev.alarmKey} ${ev.transition} ${ev.at} ${ev.count}`);
    });
    return log;
  };

  it('snapshot → restore → continue equals an uninterrupted run', () => {
    fc.assert(
      fc.property(fc.array(input, { maxLength: 40 }), fc.nat(40), (steps, cut) => {
        const run = (restoreAt: number | null): string[] =>
          play(steps, engine(), (i, e) => (i === restoreAt ? Engine.restore(e.snapshot(), { rules: shipped(), overrides: { 'hub-offline': { silentFor: 60_000 } } }) : e));
        expect(run(Math.min(cut, steps.length))).toEqual(run(null));
      }),
      { numRuns: 200 },
    );
  });

  it('incremental checkpoints (changes applied as rows) restore to the same run as an uninterrupted one', () => {
    const opts = { rules: shipped(), overrides: { 'hub-offline': { silentFor: 60_000 } }, trackChanges: true };
    fc.assert(
      fc.property(fc.array(input, { maxLength: 40 }), fc.array(fc.nat(40), { maxLength: 5 }), fc.nat(40), (steps, checkpointsAt, cut) => {
        const run = (restoreAt: number | null): string[] => {
          const rows = new Map<string, unknown>();
          let meta: EngineMeta = { version: 1, wheel: 0 };
          const checkpoint = (e: Engine): void => {
            const c = e.takeChanges();
            meta = { version: c.version, wheel: c.wheel };
            for (const [kind, list] of [['hub', c.hubs], ['app', c.appliances], ['alarm', c.alarms], ['work', c.work], ['timer', c.timers]] as const) {
              for (const [k, v] of list as [string, unknown][]) {
                if (v === null) rows.delete(`${kind}|${k}`);
                else rows.set(`${kind}|${k}`, structuredClone(v));
              }
            }
          };
          const part = <T,>(kind: string): [string, T][] => [...rows].filter(([k]) => k.startsWith(`${kind}|`)).map(([k, v]) => [k.slice(kind.length + 1), structuredClone(v) as T]);
          return play(steps, new Engine(opts), (i, e) => {
            if (checkpointsAt.includes(i)) checkpoint(e);
            if (i !== restoreAt) return e;
            checkpoint(e);
            return Engine.fromParts({ ...meta, hubs: part('hub'), appliances: part('app'), alarms: part<AlarmRec>('alarm').map(([, v]) => v), work: part('work'), timers: part<number>('timer') }, opts);
          });
        };
        expect(run(Math.min(cut, steps.length))).toEqual(run(null));
      }),
      { numRuns: 200 },
    );
  });

  it('restores a checkpoint written by the previous snapshot format (v2: one object per appliance)', () => {
    const v2 = {
      v: 2,
      version: 4,
      alarms: [],
      hubs: [['h1', { lastSeen: T0, offline: false }]],
      appliances: [['f1', { hubId: 'h1', type: 'refrigerator', lastSeen: T0, lastDeviceTs: T0, seqs: [1, 2], metrics: { fridge_temp_c: 4.5 }, state: { defrost: false }, updated: { fridge_temp_c: T0 } }]],
      work: [],
      timers: [
        ['hub|h1', T0 + 60_000],
        ['app|f1|appliance-silent', T0 + 7_200_000],
      ],
      wheel: T0,
    };
    const e = Engine.restore(JSON.stringify(v2), { rules: shipped(), overrides: { 'hub-offline': { silentFor: 60_000 } } });
    expect(e.ingest(fault(T0 + 1, 2))).toEqual([]); // seq 2 was applied before the checkpoint
    expect(e.tick(T0 + 60_000).map((x) => [x.alarmKey, x.transition, x.at])).toEqual([['h1|hub-offline|hub', 'raised', T0 + 60_000]]);
    expect(JSON.parse(e.snapshot())).toMatchObject({ v: 4, appliances: [['h1/f1', { seqs: [1, 2], metrics: { fridge_temp_c: 4.5 }, state: { defrost: false } }]] });
  });

  it('deploying a new version keeps the alarms of rules that remain and clears removed ones', () => {
    const e = engine();
    e.ingest(fault(T0, 1));
    expect(e.deploy(shipped(), 2, T0 + 1)).toEqual([]);
    expect(e.ingest(fault(T0 + 2, 2))[0]).toMatchObject({ transition: 'updated', ruleVersion: 2 });
    const cleared = e.deploy(shipped().filter((r) => r.id !== 'fault-code'), 3, T0 + 3);
    expect(cleared.map((x) => x.transition)).toEqual(['cleared']);
  });
});

describe('rule format', () => {
  it('reports problems with line and column', () => {
    const { rules, issues } = parseRules('id: x\nkind: no-such-kind\nraises: [ticket]\n', 'bad.yaml');
    expect(rules).toEqual([]);
    expect(issues[0]).toMatchObject({ source: 'bad.yaml', line: 2, path: '/kind' });
    const syntax = parseRules('id: x\nkind: [unclosed\n', 's.yaml');
    expect(syntax.issues[0]?.line).toBeGreaterThan(0);
  });

  it('reads JSON and lists of rules', () => {
    const { rules, issues } = parseRules(JSON.stringify([{ id: 'a', kind: 'fault-code', raises: ['ticket'] }, { id: 'b', kind: 'hub-offline', raises: [], params: { silentFor: '5m' } }]), 'r.json');
    expect(issues).toEqual([]);
    expect(rules.map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('never throws on hostile text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(() => parseRules(text, 'fuzz.yaml')).not.toThrow();
      }),
    );
  });
});
