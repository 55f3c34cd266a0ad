/**
 * Food expiry, judged per household (hub) on a timer at the local hour the customer chose
 * (`digestAt` in `timeZone`, from the household's settings or the rule's params), not when
 * an inventory happens to arrive: a household that sends none for a day is told all the
 * same. Each fridge's latest inventory is kept, ordered by the hub's own clock and counter —
 * a snapshot buffered through an outage and delivered late never overrides a newer one.
 * At the digest hour the items expiring within `withinDays` (or expired) that the household
 * has not been told about make one digest (key: the local day); every item is told once,
 * and the event's `items` are what that event tells. The previous day's digest clears.
 */
import { itemExpiresAt } from '@forecare/firmware-contracts';
import type { AlarmEvent, EngineInput } from '../api.js';
import type { EngineState, FoodState, InventoryInput, RuleWork } from '../engine-state.js';
import { knownTimeZone, localDay, minuteOfDay, nextLocalTime } from '../local-time.js';
import { paramNumber } from '../rule-format.js';
import type { CompiledRule } from '../rule-index.js';

const DAY_MS = 86_400_000;
const DEFAULT_DIGEST_AT = '08:00';

type HouseholdInput = Extract<EngineInput, { kind: 'household' }>;

/** The `food|<hub>|<rule>` digest timer's name. */
const timerOf = (hubId: string, r: CompiledRule): string => `food|${hubId}|${r.def.id}`;

const sameSchedule = (a: { timeZone: string; minute: number }, b: { timeZone: string; minute: number }): boolean => a.timeZone === b.timeZone && a.minute === b.minute;

/** The household's time zone and digest minute: its own settings when valid, else the rule's. */
function schedule(r: CompiledRule, f: Pick<FoodState, 'timeZone' | 'digestAt'>): { timeZone: string; minute: number } {
  const ruleZone = typeof r.params.timeZone === 'string' && knownTimeZone(r.params.timeZone) ? r.params.timeZone : 'UTC';
  const timeZone = f.timeZone !== undefined && knownTimeZone(f.timeZone) ? f.timeZone : ruleZone;
  const minute = minuteOfDay(f.digestAt ?? '') ?? minuteOfDay(typeof r.params.digestAt === 'string' ? r.params.digestAt : '') ?? (minuteOfDay(DEFAULT_DIGEST_AT) as number);
  return { timeZone, minute };
}

function foodOf(s: EngineState, hubId: string, r: CompiledRule): { wkey: string; w: RuleWork; f: FoodState } {
  const wkey = `${hubId}|${r.def.id}`;
  const w = s.work.get(wkey) ?? {};
  w.food ??= { fridges: {}, told: {} };
  return { wkey, w, f: w.food };
}

/** Arms the household's next digest after `at` (kept when one is already armed and the schedule did not change). */
function arm(s: EngineState, hubId: string, r: CompiledRule, f: FoodState, at: number, reschedule: boolean): void {
  const name = timerOf(hubId, r);
  if (!reschedule && s.timers.dueOf(name) !== undefined) return;
  const { timeZone, minute } = schedule(r, f);
  s.setNamed(name, nextLocalTime(at, timeZone, minute));
}

/** A fridge's inventory: kept when it is newer, by the hub's clock and counter, than the one kept. */
export function onInventory(s: EngineState, input: InventoryInput, app: number, _out: AlarmEvent[]): void {
  for (const r of s.typeRules(app).foodExpiry) {
    const { wkey, w, f } = foodOf(s, input.hubId, r);
    const kept = f.fridges[input.applianceId];
    if (kept !== undefined && (input.deviceTs < kept.ts || (input.deviceTs === kept.ts && input.seq <= kept.seq))) continue;
    f.fridges[input.applianceId] = { ts: input.deviceTs, seq: input.seq, items: input.items.map((i) => ({ itemId: i.itemId, name: i.name, expiresAt: itemExpiresAt(i) })) };
    s.setWork(wkey, w);
    arm(s, input.hubId, r, f, input.at, false);
  }
}

/** The household's settings changed (time zone, digest hour): its next digest follows them. */
export function onHousehold(s: EngineState, input: HouseholdInput): void {
  for (const r of s.index.foodExpiry) {
    // A household the rule knows nothing of yet, on the rule's own schedule: nothing to keep (a million of them cost nothing).
    if (!s.work.has(`${input.hubId}|${r.def.id}`) && sameSchedule(schedule(r, input), schedule(r, {}))) continue;
    const { wkey, w, f } = foodOf(s, input.hubId, r);
    if (f.timeZone === input.timeZone && f.digestAt === input.digestAt) continue;
    f.timeZone = input.timeZone;
    f.digestAt = input.digestAt;
    s.setWork(wkey, w);
    // A household without a fridge heard yet has nothing to tell: armed by its first inventory.
    if (Object.keys(f.fridges).length > 0) arm(s, input.hubId, r, f, input.at, true);
  }
}

/** The `food|<hub>|<rule>` timer: the household's digest hour. */
export function onDigestTimer(s: EngineState, hubId: string, ruleId: string, at: number, out: AlarmEvent[]): void {
  const r = s.index.byId.get(ruleId);
  if (r?.def.kind !== 'food-expiry') return;
  const { wkey, w, f } = foodOf(s, hubId, r);
  const { timeZone } = schedule(r, f);
  const day = localDay(at, timeZone);
  const alarmKey = `${hubId}|${r.def.id}|${day}`;
  // Yesterday's digest has been told: it ends now, not with some later message.
  if (f.digest !== undefined && f.digest !== alarmKey) s.book.clear(f.digest, at, out);
  f.digest = s.book.byKey.has(alarmKey) ? alarmKey : undefined;
  const within = paramNumber(r.params.withinDays, 2) * DAY_MS;
  const present = new Set<string>();
  const fresh = new Map<string, { itemId: string; name: string; expiresAt: number; expired: boolean }>();
  for (const fridge of Object.values(f.fridges)) {
    for (const i of fridge.items) {
      present.add(i.itemId);
      if (i.expiresAt - at > within || f.told[i.itemId] !== undefined || fresh.has(i.itemId)) continue;
      fresh.set(i.itemId, { ...i, expired: i.expiresAt <= at });
    }
  }
  // Told once: an item taken out and gone from every fridge is forgotten.
  for (const id of Object.keys(f.told)) if (!present.has(id)) delete f.told[id];
  if (fresh.size > 0) {
    const items = [...fresh.values()].sort((a, b) => a.expiresAt - b.expiresAt || (a.itemId < b.itemId ? -1 : 1));
    for (const i of items) f.told[i.itemId] = i.expiresAt;
    const title = `${items.length} food item${items.length === 1 ? '' : 's'} expiring`;
    s.book.raise(r, { hubId, key: day, at, title, items, facts: { timeZone } }, out);
    f.digest = alarmKey;
  }
  s.setWork(wkey, w);
  arm(s, hubId, r, f, at, true);
}
