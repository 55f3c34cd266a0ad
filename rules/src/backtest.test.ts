import { describe, expect, it } from 'vitest';
import type { EngineInput } from './api.js';
import { backtest, compareBacktests, diffRuleSets, lintRules } from './backtest.js';
import { parseRules } from './rule-format.js';

const T0 = Date.UTC(2026, 0, 1);
const warm = (limit: number) => parseRules(`id: warm\nkind: threshold\nraises: [ticket]\ncondition: metrics.fridge_temp_c > ${limit}\nparams: { for: 10m }\n`, 'warm.yaml').rules;
const inputs: EngineInput[] = Array.from({ length: 60 }, (_, i) => ({ kind: 'telemetry', hubId: 'h', applianceId: 'f', applianceType: 'refrigerator', seq: i + 1, deviceTs: T0 + i * 60_000, at: T0 + i * 60_000, metrics: { fridge_temp_c: i < 30 ? 5 : 9 } }));

describe('backtest', () => {
  it('lists what a rule set would have raised, and how a candidate differs from the deployed one', () => {
    const deployed = backtest(warm(10), inputs);
    const candidate = backtest(warm(8), inputs);
    expect(deployed.raisedByRule).toEqual({});
    expect(candidate.raisedByRule).toEqual({ warm: 1 });
    expect(candidate.events.find((e) => e.transition === 'raised')?.at).toBe(T0 + 40 * 60_000);
    const diff = compareBacktests(deployed, candidate);
    expect(diff.added).toHaveLength(1);
    expect(diff.removed).toHaveLength(0);
  });

  it('takes inputs in the order they arrived, as live: a backlog back-dated into an outage does not end it early', () => {
    const hub = parseRules('id: gone\nkind: hub-offline\nraises: [ticket]\nparams: { silentFor: 10m }\n', 'gone.yaml').rules;
    const hb = (at: number, seq: number): EngineInput => ({ kind: 'heartbeat', hubId: 'h', seq, deviceTs: at, at });
    // Silent from 0 to 60 min; on its return it sends what it buffered, dated 20 and 40 min.
    const arrived: EngineInput[] = [hb(T0, 1), hb(T0 + 60 * 60_000, 4), hb(T0 + 20 * 60_000, 2), hb(T0 + 40 * 60_000, 3)];
    const events = backtest(hub, arrived).events.map((e) => [e.transition, e.at]);
    expect(events).toEqual([
      ['raised', T0 + 10 * 60_000],
      ['cleared', T0 + 60 * 60_000],
    ]);
  });

  it('lints a rule set across files', () => {
    const { issues } = lintRules([
      { name: 'a.yaml', text: 'id: a\nkind: fault-code\nraises: []\n' },
      { name: 'b.yaml', text: 'id: a\nkind: fault-code\nraises: [ticket]\n' },
    ]);
    expect(issues.map((i) => i.message).join('\n')).toMatch(/used twice[\s\S]*raises nothing/);
    expect(issues.map((i) => [i.code, i.severity])).toEqual([
      ['RULE_ERR_ID_DUPLICATE', 'error'],
      ['RULE_WARN_RAISES_NOTHING', 'warning'],
    ]);
    expect(diffRuleSets(warm(10), warm(8))).toEqual({ added: [], removed: [], changed: ['warm'] });
  });
});
