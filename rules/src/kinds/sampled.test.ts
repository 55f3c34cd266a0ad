import { describe, expect, it } from 'vitest';
import type { AlarmEvent, EngineInput } from '../api.js';
import { Engine } from '../engine.js';
import { MIN, rules, T0 } from '../test-kit.js';

const DOOR = `
id: door
kind: threshold
appliesTo: [refrigerator]
raises: [notification]
condition: metrics.door_open == true
params: { for: 10m, confirmByReading: true }
`;

let seq = 0;
/** A reading taken at device time `ts` (minutes from T0), delivered at `arrival` (default: when taken). */
const door = (ts: number, open: boolean | number, arrival = ts): EngineInput => ({ kind: 'telemetry', hubId: 'h', applianceId: 'fridge-1', applianceType: 'refrigerator', seq: ++seq, deviceTs: T0 + ts * MIN, at: T0 + arrival * MIN, metrics: { door_open: open } });
const log = (events: readonly AlarmEvent[]): [string, number][] => events.map((e) => [e.transition, (e.at - T0) / MIN]);
const feed = (e: Engine, inputs: readonly EngineInput[]): [string, number][] => log(inputs.flatMap((i) => e.ingest(i)));

describe('threshold confirmed by readings (a door left open)', () => {
  it('raises on the reading that shows it open `for` after the first did, and the next reading with it shut clears', () => {
    const e = new Engine({ rules: rules(DOOR) });
    expect(feed(e, [door(0, true), door(5, true), door(10, true), door(15, false)])).toEqual([
      ['raised', 10],
      ['cleared', 15],
    ]);
  });

  it('two readings that each caught an ordinary opening are not a door open all the while: no alarm, by the clock or by them', () => {
    const e = new Engine({ rules: rules(DOOR) });
    expect(feed(e, [door(0, false), door(5, true), door(10, true), door(15, false), door(20, true), door(25, false)])).toEqual([]);
    expect(e.tick(T0 + 60 * MIN)).toEqual([]);
  });

  it('a reading delivered late from inside the gap before the one that shut the door still completes the period (judged as taken)', () => {
    const e = new Engine({ rules: rules(DOOR) });
    // Taken at 0, 5, 10 (open) and 15 (shut); the one of 10 held back and delivered after the one of 15.
    expect(feed(e, [door(0, true), door(5, true), door(15, false), door(10, true, 16)])).toEqual([['raised', 16]]);
    expect(feed(e, [door(20, false)])).toEqual([['cleared', 20]]);
  });

  it('a late reading showing it shut inside a period breaks it — when it comes before a late open one could complete the period', () => {
    const e = new Engine({ rules: rules(DOOR) });
    // Open at 0, shut at 5 and 15, open at 10 — the readings of 5 and 10 late: never 10 minutes open.
    expect(feed(e, [door(0, true), door(15, false), door(5, false, 16), door(10, true, 16)])).toEqual([]);
    const f = new Engine({ rules: rules(DOOR) });
    expect(feed(f, [door(0, true), door(15, false), door(10, true, 16), door(5, false, 16)])).toEqual([['raised', 16]]);
    // A running period a late shut reading cuts starts again from the newest open one.
    const g = new Engine({ rules: rules(DOOR) });
    expect(feed(g, [door(0, true), door(5, true), door(3, false, 6), door(10, true), door(15, true)])).toEqual([['raised', 15]]);
  });

  it('a late reading from before the period began, or long after a period ended, does not raise', () => {
    const e = new Engine({ rules: rules(DOOR) });
    expect(feed(e, [door(10, true), door(15, true), door(20, false), door(5, true, 21)])).toEqual([]);
    const f = new Engine({ rules: rules(DOOR) });
    expect(feed(f, [door(0, true), door(5, true), door(8, false), door(40, false), door(6, true, 41)])).toEqual([]);
  });

  it("the appliance's clock decides, not the delivery: a backlog of readings delivered at once counts as they were taken", () => {
    const e = new Engine({ rules: rules(DOOR) });
    expect(feed(e, [door(0, true, 30), door(5, true, 30), door(10, true, 30)])).toEqual([['raised', 30]]);
    const f = new Engine({ rules: rules(DOOR) });
    expect(feed(f, [door(0, true, 0), door(5, true, 9), door(8, true, 11)])).toEqual([]);
  });

  it('readings further apart than readingGap do not show it held between them: a period starts again', () => {
    const gap = rules(DOOR.replace('confirmByReading: true', 'confirmByReading: true, readingGap: 7m'));
    const e = new Engine({ rules: gap });
    // Open at 5, the readings of 10 and 15 (shut) held back in the network, open again at 20 — then the late ones.
    expect(feed(e, [door(0, false), door(5, true), door(20, true), door(10, false, 21), door(15, false, 21)])).toEqual([]);
    expect(feed(e, [door(25, true), door(30, true)])).toEqual([['raised', 30]]);
  });

  it('a door reported as 1 / 0 (the contract allows a boolean metric as a number) counts as open / shut', () => {
    const e = new Engine({ rules: rules(DOOR) });
    expect(feed(e, [door(0, 1), door(5, 1), door(10, 1), door(15, 0)])).toEqual([
      ['raised', 10],
      ['cleared', 15],
    ]);
  });

  it('a restart mid-period (snapshot) raises at the same reading', () => {
    const r = rules(DOOR);
    const e = new Engine({ rules: r });
    e.ingest(door(0, true));
    e.ingest(door(5, true));
    const back = Engine.restore(e.snapshot(), { rules: r });
    expect(feed(back, [door(10, true)])).toEqual([['raised', 10]]);
  });
});
