import { describe, expect, it } from 'vitest';
import { score, scoreTable, type ScoredAlarm } from './score.js';
import type { Label } from './scenarios.js';

const label = (kind: Label['kind'], applianceId: string | null, fault: string, start: number, hubId = 'h1'): Label => ({ hubId, applianceId, kind, fault, start });
const alarm = (ruleId: string, applianceId: string | null, key: string, raisedAt: number, raisedCount = 1, hubId = 'h1'): ScoredAlarm => ({ alarmKey: `${applianceId ?? hubId}|${ruleId}|${key}`, ruleId, hubId, applianceId, key, raisedAt, raisedCount });

describe('scoring against ground truth', () => {
  it('counts recall, precision, time to detect and flaps on a hand-made set', () => {
    const labels = [label('sudden-fault', 'f1', 'E-CMP-01', 1000), label('hub-unplugged', null, 'hub unplugged', 5000, 'h2'), label('sensor-dropout', 'f3', 'fridge_temp_c sensor', 9000)];
    const alarms = [
      alarm('fault-code', 'f1', 'E-CMP-01', 1500),
      alarm('hub-offline', null, 'hub', 65_000, 2, 'h2'),
      alarm('fault-code', 'f9', 'E-SNS-01', 3000),
      alarm('fault-code', 'f1', 'E-DEF-01', -100_000),
    ];
    const s = score(labels, alarms);
    expect(s.recall).toBeCloseTo(2 / 3);
    expect(s.precision).toBeCloseTo(2 / 4);
    expect(s.flaps).toBe(1);
    expect(s.missed.map((m) => m.kind)).toEqual(['sensor-dropout']);
    expect(s.byKind.find((k) => k.kind === 'hub-unplugged')?.meanTimeToDetectMs).toBe(60_000);
    expect(scoreTable(s)).toMatch(/recall 0\.667 {2}precision 0\.500 {2}flaps 1/);
  });

  it('a slow trouble lists how long each rule that caught it took', () => {
    const H = 3_600_000;
    const s = score([label('compressor-degradation', 'f1', 'compressor efficiency loss', 0)], [alarm('freezer-warming', 'f1', 'freezer_temp_c', 30 * H), alarm('fridge-too-warm', 'f1', 'fridge-too-warm', 20 * H), alarm('fridge-too-warm', 'f1', 'x', 25 * H)]);
    expect(s.detections).toEqual([{ label: expect.objectContaining({ applianceId: 'f1' }), byRule: { 'fridge-too-warm': 20 * H, 'freezer-warming': 30 * H } }]);
    expect(scoreTable(s)).toContain('compressor-degradation h1/f1: fridge-too-warm 20.0 h, freezer-warming 30.0 h');
  });

  it('does not credit an alarm raised long before the trouble began', () => {
    expect(score([label('sudden-fault', 'f1', 'E-CMP-01', 1_000_000)], [alarm('fault-code', 'f1', 'E-CMP-01', 0)]).recall).toBe(0);
  });

  it('two homes with the same appliance id are two subjects: one home\'s alarm neither detects nor excuses the other\'s', () => {
    const s = score([label('sudden-fault', 'fridge-1', 'E-FAN-01', 1000, 'home-a')], [alarm('fault-code', 'fridge-1', 'E-FAN-01', 1500, 1, 'home-b')]);
    expect(s.recall).toBe(0);
    expect(s.precision).toBe(0);
  });

  it('a repeated fault may raise its alarm once per occurrence (no flap); a third raise of a twice-occurring one is a flap', () => {
    const repeated = { ...label('repeated-fault', 'w1', 'E-DRN-01', 0), occurrences: 3 };
    const ok = score([repeated], [alarm('fault-code', 'w1', 'E-DRN-01', 10, 3), alarm('faults-repeat', 'w1', 'faults-repeat', 100)]);
    expect(ok).toMatchObject({ recall: 1, precision: 1, flaps: 0 });
    expect(score([{ ...repeated, occurrences: 2 }], [alarm('fault-code', 'w1', 'E-DRN-01', 10, 3), alarm('faults-repeat', 'w1', 'faults-repeat', 100)]).flaps).toBe(1);
  });

  it('precision per kind counts the alarms of its rules; consequences end some hours after a trouble that ended', () => {
    const H = 3_600_000;
    const door = { ...label('door-left-open', 'f1', 'door left open', 0), end: H };
    const s = score([door], [alarm('fridge-door-open', 'f1', 'fridge-door-open', 10 * 60_000), alarm('fridge-too-warm', 'f1', 'fridge-too-warm', 2 * H), alarm('fridge-door-open', 'f2', 'fridge-door-open', H), alarm('fridge-sensor-stuck', 'f1', 'fridge_temp_c', 10 * H)]);
    expect(s.byKind).toEqual([expect.objectContaining({ kind: 'door-left-open', recall: 1, precision: 0.5, falsePositives: 1 })]);
    expect(s.falsePositives).toEqual(['f2|fridge-door-open|fridge-door-open', 'f1|fridge-sensor-stuck|fridge_temp_c']);
  });

  it('a newer firmware\'s own code detects the trouble it names: W-DOOR-01 a door left open', () => {
    expect(score([label('door-left-open', 'f1', 'door left open', 0)], [alarm('fault-code', 'f1', 'W-DOOR-01', 5 * 60_000)]).recall).toBe(1);
    expect(score([label('door-left-open', 'f1', 'door left open', 0)], [alarm('fault-code', 'f1', 'E-FAN-01', 5 * 60_000)]).recall).toBe(0);
  });
});
