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
    expect(scoreTable(s)).toContain('compressor-degradation f1: fridge-too-warm 20.0 h, freezer-warming 30.0 h');
  });

  it('does not credit an alarm raised long before the trouble began', () => {
    expect(score([label('sudden-fault', 'f1', 'E-CMP-01', 1_000_000)], [alarm('fault-code', 'f1', 'E-CMP-01', 0)]).recall).toBe(0);
  });
});
