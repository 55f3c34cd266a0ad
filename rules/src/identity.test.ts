import { describe, expect, it } from 'vitest';
import type { AlarmEvent, EngineInput } from './api.js';
import { Engine } from './engine.js';
import { upgradeAlarmKey } from './persistence.js';
import { HOUR, MIN, rules, T0, warmRule } from './test-kit.js';

const RULES = `
- id: codes
  kind: fault-code
  raises: [ticket]
${warmRule()}
- id: silent
  kind: appliance-offline
  raises: [fleet]
  params: { silentFor: 1h }
- id: gone
  kind: hub-offline
  raises: [ticket]
  params: { silentFor: 2h }
`;

let seq = 0;
const fault = (hubId: string, applianceId: string, at: number, code = 'E-FAN-01', s = ++seq): EngineInput => ({ kind: 'fault', hubId, applianceId, applianceType: 'refrigerator', seq: s, deviceTs: at, at, code, active: true });
const temp = (hubId: string, applianceId: string, at: number, v: number, s = ++seq, deviceTs = at): EngineInput => ({ kind: 'telemetry', hubId, applianceId, applianceType: 'refrigerator', seq: s, deviceTs, at, metrics: { fridge_temp_c: v } });
const keys = (events: readonly AlarmEvent[]): string[] => events.map((e) => `${e.transition} ${e.alarmKey}`);

describe('an appliance is (hub, appliance): two homes may both have fridge-1', () => {
  it('the same fault on two homes\' fridge-1 is two alarms, each with its hub', () => {
    const e = new Engine({ rules: rules(RULES) });
    expect(keys(e.ingest(fault('home-a', 'fridge-1', T0)))).toEqual(['raised home-a/fridge-1|codes|E-FAN-01']);
    const b = e.ingest(fault('home-b', 'fridge-1', T0 + 1));
    expect(keys(b)).toEqual(['raised home-b/fridge-1|codes|E-FAN-01']);
    expect(b[0]).toMatchObject({ hubId: 'home-b', applianceId: 'fridge-1', count: 1 });
    expect(e.alarms().map((a) => [a.hubId, a.applianceId, a.count])).toEqual([
      ['home-a', 'fridge-1', 1],
      ['home-b', 'fridge-1', 1],
    ]);
  });

  it("one home's readings neither feed nor break the other's: a warm fridge-1 raises while the other home's fridge-1 is cold", () => {
    const e = new Engine({ rules: rules(RULES) });
    const out: AlarmEvent[] = [];
    for (let m = 0; m <= 40; m += 5) {
      out.push(...e.ingest(temp('home-a', 'fridge-1', T0 + m * MIN, 9.5)));
      out.push(...e.ingest(temp('home-b', 'fridge-1', T0 + m * MIN + 1, 4.0)));
    }
    expect(keys(out)).toEqual(['raised home-a/fridge-1|warm|warm']);
  });

  it("a hub gone offline holds back only its own appliances' silence, not another home's appliance of the same id", () => {
    const e = new Engine({ rules: rules(RULES) });
    e.ingest(temp('home-a', 'fridge-1', T0, 4));
    e.ingest(temp('home-b', 'fridge-1', T0, 4));
    e.ingest({ kind: 'status', hubId: 'home-a', state: 'offline', at: T0 + MIN });
    // home-b keeps talking through its heartbeat; its fridge-1 is silent.
    const out: AlarmEvent[] = [];
    for (let m = 10; m <= 70; m += 10) out.push(...e.ingest({ kind: 'heartbeat', hubId: 'home-b', seq: ++seq, deviceTs: T0 + m * MIN, at: T0 + m * MIN }));
    out.push(...e.tick(T0 + 70 * MIN));
    expect(keys(out)).toEqual(['raised home-b/fridge-1|silent|silent']);
  });

  it('a hub with many appliances (ids that are prefixes of each other) finds each one', () => {
    const e = new Engine({ rules: rules(RULES) });
    const ids = Array.from({ length: 40 }, (_, i) => `f${'1'.repeat(i % 7)}-${i}`);
    for (const id of ids) e.ingest(fault('big', id, T0));
    for (const id of ids) expect(e.ingest(fault('big', id, T0 + 1))[0]).toMatchObject({ transition: 'updated', applianceId: id, count: 2 });
    expect(e.alarms()).toHaveLength(40);
  });

  it('restores a checkpoint keyed by appliance id alone: keys upgraded, alarms clear, durations and timers run on', () => {
    const old = {
      v: 3,
      version: 1,
      wheel: T0,
      alarms: [
        { alarmKey: 'fridge-1|codes|E-FAN-01', ruleId: 'codes', hubId: 'home-a', applianceId: 'fridge-1', applianceType: 'refrigerator', key: 'E-FAN-01', status: 'raised', severity: 'warning', raises: ['ticket'], title: 'x', count: 1, firstSeen: T0, lastSeen: T0, level: 0 },
        { alarmKey: 'home-a|food|2026-11-24', ruleId: 'food', hubId: 'home-a', applianceId: 'fridge-1', applianceType: 'refrigerator', key: '2026-11-24', status: 'raised', severity: 'info', raises: ['notification'], title: 'x', count: 1, firstSeen: T0, lastSeen: T0, level: 0 },
      ],
      hubs: [['home-a', { lastSeen: T0, offline: false }]],
      appliances: [['fridge-1', { hubId: 'home-a', type: 'refrigerator', lastSeen: T0, lastDeviceTs: T0, seqs: [7], metrics: { fridge_temp_c: 9 }, state: {} }]],
      work: [['fridge-1|warm', { pendingSince: T0, pendingTs: T0 }]],
      timers: [
        ['thr|fridge-1|warm', T0 + 30 * MIN],
        ['app|fridge-1|silent', T0 + HOUR],
        ['esc|fridge-1|codes|E-FAN-01', T0 + 5 * HOUR],
      ],
    };
    const e = Engine.restore(JSON.stringify(old), { rules: rules(RULES) });
    const snap = JSON.parse(e.snapshot()) as { v: number; appliances: [string][]; work: [string][]; timers: [string, number][]; alarms: { alarmKey: string; applianceId?: string }[] };
    expect(snap.v).toBe(4);
    expect(snap.appliances.map(([k]) => k)).toEqual(['home-a/fridge-1']);
    expect(snap.work.map(([k]) => k)).toEqual(['home-a/fridge-1|warm']);
    expect(snap.alarms.map((a) => [a.alarmKey, a.applianceId])).toEqual([
      ['home-a/fridge-1|codes|E-FAN-01', 'fridge-1'],
      ['home-a|food|2026-11-24', undefined],
    ]);
    expect(snap.timers.map(([k]) => k).sort()).toEqual(['app|home-a/fridge-1|silent', 'esc|home-a/fridge-1|codes|E-FAN-01', 'thr|home-a/fridge-1|warm']);
    // seq 7 was applied before the checkpoint: a redelivery of it is still a duplicate.
    expect(e.ingest(temp('home-a', 'fridge-1', T0 + MIN, 9, 7))).toEqual([]);
    expect(keys(e.tick(T0 + 30 * MIN))).toEqual(['raised home-a/fridge-1|warm|warm']);
    expect(keys(e.ingest({ kind: 'fault', hubId: 'home-a', applianceId: 'fridge-1', applianceType: 'refrigerator', seq: 8, deviceTs: T0 + 31 * MIN, at: T0 + 31 * MIN, code: 'E-FAN-01', active: false }))).toEqual(['cleared home-a/fridge-1|codes|E-FAN-01']);
  });

  it('upgradeAlarmKey: appliance alarms take their hub, hub alarms and household digests stay, an upgraded key stays', () => {
    expect(upgradeAlarmKey('fridge-1|codes|E-1', 'home-a', 'fridge-1')).toBe('home-a/fridge-1|codes|E-1');
    expect(upgradeAlarmKey('home-a|gone|hub', 'home-a', null)).toBe('home-a|gone|hub');
    expect(upgradeAlarmKey('home-a|food|2026-11-24', 'home-a', 'fridge-1')).toBe('home-a|food|2026-11-24');
    expect(upgradeAlarmKey('home-a/fridge-1|codes|E-1', 'home-a', 'fridge-1')).toBe('home-a/fridge-1|codes|E-1');
  });
});

describe('redeliveries and reboots', () => {
  it("a rebooted hub's first messages are news (its counter starts again, its clock moves on); a redelivery is not", () => {
    const e = new Engine({ rules: rules(RULES) });
    for (let s = 1; s <= 30; s++) e.ingest(temp('h', 'fridge-1', T0 + s * MIN, 4, s));
    // A QoS 1 redelivery of seq 30: the same message again.
    expect(e.ingest(temp('h', 'fridge-1', T0 + 31 * MIN, 4, 30, T0 + 30 * MIN))).toEqual([]);
    // Reboot: seq 1…5 again, with new times. The fault at seq 5 raises.
    for (let s = 1; s <= 4; s++) e.ingest(temp('h', 'fridge-1', T0 + (40 + s) * MIN, 4, s));
    expect(keys(e.ingest(fault('h', 'fridge-1', T0 + 45 * MIN, 'E-CMP-01', 5)))).toEqual(['raised h/fridge-1|codes|E-CMP-01']);
    // …and its redelivery is a duplicate.
    expect(e.ingest(fault('h', 'fridge-1', T0 + 45 * MIN, 'E-CMP-01', 5))).toEqual([]);
  });
});
