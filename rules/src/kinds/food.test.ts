import { describe, expect, it } from 'vitest';
import type { AlarmEvent, EngineInput } from '../api.js';
import { Engine } from '../engine.js';
import { DAY, HOUR, MIN, rules } from '../test-kit.js';

/** Tuesday 2026-11-24, 00:00 UTC. */
const T0 = Date.UTC(2026, 10, 24);

const FOOD = `
- id: food
  kind: food-expiry
  appliesTo: [refrigerator]
  severity: info
  raises: [notification]
  params: { withinDays: 2, digestAt: "08:00" }
- id: hub-offline
  kind: hub-offline
  raises: [ticket]
  params: { silentFor: 10m }
`;

interface Item {
  itemId: string;
  name: string;
  expiresAt: number;
}

const item = (itemId: string, expiresAt: number): Item => ({ itemId, name: itemId, expiresAt });
const inventory = (at: number, seq: number, items: Item[], o: { hubId?: string; applianceId?: string; deviceTs?: number } = {}): EngineInput => ({
  kind: 'inventory',
  hubId: o.hubId ?? 'h1',
  applianceId: o.applianceId ?? 'fridge-1',
  applianceType: 'refrigerator',
  seq,
  deviceTs: o.deviceTs ?? at,
  at,
  items: items.map((i) => ({ ...i, category: 'dairy', storedAt: at - DAY })),
});

/** Every digest event up to `until`, as [transition, hub, local day, item ids]. */
function digests(events: readonly AlarmEvent[]): [string, string, string, string[]][] {
  return events.filter((e) => e.ruleId === 'food').map((e) => [e.transition, e.hubId, e.key, (e.items ?? []).map((i) => i.itemId)]);
}

describe('food-expiry: one digest per household at its local hour, every item told once', () => {
  it('an inventory raises nothing; the digest comes at the hour, with what expires within N days; told items are not told again', () => {
    const e = new Engine({ rules: rules(FOOD) });
    expect(e.ingest(inventory(T0 + 1 * HOUR, 1, [item('milk', T0 + 30 * HOUR), item('rice', T0 + 30 * DAY), item('ham', T0 + 3 * DAY)]))).toEqual([]);
    const day1 = e.tick(T0 + 8 * HOUR).filter((x) => x.ruleId === 'food');
    expect(digests(day1)).toEqual([['raised', 'h1', '2026-11-24', ['milk']]]);
    expect(day1[0]?.at).toBe(T0 + 8 * HOUR);
    expect(day1[0]?.items?.[0]).toMatchObject({ expired: false, name: 'milk' });
    // Day 2: milk (now expired) was told; ham now expires within two days. Yesterday's digest ends.
    expect(digests(e.tick(T0 + DAY + 8 * HOUR))).toEqual([
      ['cleared', 'h1', '2026-11-24', ['milk']],
      ['raised', 'h1', '2026-11-25', ['ham']],
    ]);
    // Day 3: nothing new; the digest of day 2 still ends.
    expect(digests(e.tick(T0 + 2 * DAY + 8 * HOUR))).toEqual([['cleared', 'h1', '2026-11-25', ['ham']]]);
    expect(e.alarms().filter((a) => a.ruleId === 'food')).toEqual([]);
  });

  it('a quiet household (one inventory, then nothing for days) is told each day what has come due', () => {
    const e = new Engine({ rules: rules(FOOD) });
    e.ingest(inventory(T0, 1, [item('a', T0 + 2 * DAY), item('b', T0 + 3 * DAY + HOUR), item('c', T0 + 5 * DAY)]));
    const events = e.tick(T0 + 6 * DAY).filter((x) => x.ruleId === 'food');
    const told = digests(events).filter(([t]) => t === 'raised');
    expect(told).toEqual([
      ['raised', 'h1', '2026-11-24', ['a']],
      ['raised', 'h1', '2026-11-25', ['b']],
      ['raised', 'h1', '2026-11-27', ['c']],
    ]);
  });

  it("at the hour in the household's own time zone, keyed by its own day; an unknown zone or hour falls back to the rule's", () => {
    const e = new Engine({ rules: rules(FOOD) });
    e.ingest({ kind: 'household', hubId: 'h1', timeZone: 'Asia/Shanghai', digestAt: '19:30', at: T0 });
    e.ingest({ kind: 'household', hubId: 'h2', timeZone: 'Mars/Olympus', digestAt: '25:00', at: T0 });
    e.ingest(inventory(T0, 1, [item('milk', T0 + DAY)]));
    e.ingest(inventory(T0, 1, [item('milk', T0 + DAY)], { hubId: 'h2' }));
    const out = e.tick(T0 + DAY);
    expect(out.filter((x) => x.ruleId === 'food').map((x) => [x.hubId, x.key, x.at])).toEqual([
      ['h2', '2026-11-24', T0 + 8 * HOUR],
      // 19:30 in Shanghai (UTC+8) is 11:30 UTC, on its 24 November.
      ['h1', '2026-11-24', T0 + 11 * HOUR + 30 * MIN],
    ]);
  });

  it('a new digest hour set in the afternoon applies from the next time the clock shows it', () => {
    const e = new Engine({ rules: rules(FOOD) });
    e.ingest(inventory(T0, 1, [item('milk', T0 + DAY)]));
    e.ingest({ kind: 'household', hubId: 'h1', digestAt: '07:00', at: T0 + 7 * HOUR + 30 * MIN });
    expect(digests(e.tick(T0 + DAY))).toEqual([]);
    expect(e.tick(T0 + DAY + 7 * HOUR).filter((x) => x.ruleId === 'food').map((x) => x.at)).toEqual([T0 + DAY + 7 * HOUR]);
  });

  it('a household setting is not the hub speaking: it neither marks the hub alive nor clears its offline alarm', () => {
    const e = new Engine({ rules: rules(FOOD) });
    e.ingest({ kind: 'heartbeat', hubId: 'h1', seq: 1, deviceTs: T0, at: T0 });
    expect(e.tick(T0 + 10 * MIN).map((x) => x.transition)).toEqual(['raised']);
    expect(e.ingest({ kind: 'household', hubId: 'h1', timeZone: 'UTC', at: T0 + 20 * MIN })).toEqual([]);
    expect(e.alarms().map((a) => a.ruleId)).toEqual(['hub-offline']);
  });

  it('an old snapshot delivered late (buffered through an outage) never overrides a newer one; a rebooted hub (seq reset, newer clock) does', () => {
    const e = new Engine({ rules: rules(FOOD) });
    // The newer snapshot (seq 9, 06:00): the cheese was taken out.
    e.ingest(inventory(T0 + 6 * HOUR, 9, [item('milk', T0 + DAY)], { deviceTs: T0 + 6 * HOUR }));
    // The older one (seq 8, 05:00), with the cheese, arrives after it.
    e.ingest(inventory(T0 + 7 * HOUR, 8, [item('milk', T0 + DAY), item('cheese', T0 + DAY)], { deviceTs: T0 + 5 * HOUR }));
    expect(digests(e.tick(T0 + 8 * HOUR))).toEqual([['raised', 'h1', '2026-11-24', ['milk']]]);
    // The hub reboots: its counter starts again at 1, its clock moves on. That is news.
    e.ingest(inventory(T0 + 9 * HOUR, 1, [item('milk', T0 + DAY), item('soup', T0 + DAY)], { deviceTs: T0 + 9 * HOUR }));
    expect(digests(e.tick(T0 + DAY + 8 * HOUR)).filter(([t]) => t === 'raised')).toEqual([['raised', 'h1', '2026-11-25', ['soup']]]);
  });

  it('two homes with the same fridge id are two households: each is told its own food', () => {
    const e = new Engine({ rules: rules(FOOD) });
    e.ingest(inventory(T0, 1, [item('milk-a', T0 + DAY)], { hubId: 'home-a' }));
    e.ingest(inventory(T0, 1, [item('milk-b', T0 + DAY)], { hubId: 'home-b' }));
    e.ingest(inventory(T0 + MIN, 2, [item('milk-a', T0 + DAY), item('egg-a', T0 + DAY)], { hubId: 'home-a' }));
    expect(digests(e.tick(T0 + 8 * HOUR))).toEqual([
      ['raised', 'home-a', '2026-11-24', ['egg-a', 'milk-a']],
      ['raised', 'home-b', '2026-11-24', ['milk-b']],
    ]);
  });

  it('an item in two fridges of one household is told once; an item taken out and bought again is news', () => {
    const e = new Engine({ rules: rules(FOOD) });
    e.ingest(inventory(T0, 1, [item('milk', T0 + DAY)]));
    e.ingest(inventory(T0, 1, [item('milk', T0 + DAY)], { applianceId: 'fridge-2' }));
    expect(digests(e.tick(T0 + 8 * HOUR))).toEqual([['raised', 'h1', '2026-11-24', ['milk']]]);
    e.ingest(inventory(T0 + 9 * HOUR, 2, []));
    e.ingest(inventory(T0 + 9 * HOUR, 2, [], { applianceId: 'fridge-2' }));
    e.tick(T0 + DAY + 8 * HOUR);
    e.ingest(inventory(T0 + DAY + 9 * HOUR, 3, [item('milk', T0 + 2 * DAY)]));
    expect(digests(e.tick(T0 + 2 * DAY + 8 * HOUR)).filter(([t]) => t === 'raised')).toEqual([['raised', 'h1', '2026-11-26', ['milk']]]);
  });

  it('a restart (whole snapshot or incremental parts) keeps the schedule and what was told', () => {
    const r = rules(FOOD);
    const straight = new Engine({ rules: r, trackChanges: true });
    straight.ingest(inventory(T0, 1, [item('milk', T0 + DAY), item('ham', T0 + 3 * DAY)]));
    straight.tick(T0 + 9 * HOUR);
    // As a store would keep them: copies, not the engine's own objects.
    const c = structuredClone(straight.takeChanges());
    const fromSnapshot = Engine.restore(straight.snapshot(), { rules: r });
    const fromParts = Engine.fromParts({ version: c.version, wheel: c.wheel, keys: 2, hubs: c.hubs, appliances: c.appliances, alarms: c.alarms.flatMap(([, a]) => (a === null ? [] : [a])), work: c.work.flatMap(([k, w]) => (w === null ? [] : [[k, w] as [string, typeof w]])), timers: c.timers.flatMap(([k, t]) => (t === null ? [] : [[k, t] as [string, number]])) }, { rules: r });
    const next = (e: Engine): [string, string, string, string[]][] => digests(e.tick(T0 + DAY + 8 * HOUR));
    const expected = [
      ['cleared', 'h1', '2026-11-24', ['milk']],
      ['raised', 'h1', '2026-11-25', ['ham']],
    ];
    expect(next(straight)).toEqual(expected);
    expect(next(fromSnapshot)).toEqual(expected);
    expect(next(fromParts)).toEqual(expected);
  });
});
