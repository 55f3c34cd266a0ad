/**
 * The food a customer must be told about, from what their fridges really reported: at each
 * of the household's digest hours (08:00 local, the shipped rule's), the newest inventory of
 * each fridge delivered before then (newest by the hub's own clock and counter, not by arrival)
 * and the items in it that expire within two days or have expired. Every such item must reach
 * the customer exactly once; nothing else may (another household's food, a removed item).
 */
import { itemExpiresAt, type FoodItem } from '@forecare/firmware-contracts';
import { nextLocalTime } from '@forecare/rules';
import type { SentMessage } from '@forecare/device-sim';

const DAY = 86_400_000;
const DIGEST_MINUTE = 8 * 60;
const WITHIN = 2 * DAY;

export interface Household {
  readonly hubId: string;
  readonly timeZone: string;
  readonly sent: readonly SentMessage[];
}

/** Item ids each household must be told about (by hub), for digests due in [from, to]. */
export function expectedFood(households: readonly Household[], from: number, to: number): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const h of households) {
    const inventories = h.sent.filter((m) => m.topic.endsWith('/inventory')).map((m) => ({ fridge: m.topic.split('/')[4] ?? '', at: m.at, ts: m.payload.ts as number, seq: m.payload.seq as number, items: m.payload.items as FoodItem[] }));
    const expected = new Set<string>();
    out.set(h.hubId, expected);
    if (inventories.length === 0) continue;
    const first = inventories.reduce((t, i) => Math.min(t, i.at), Infinity);
    // The digest timer is armed by the first inventory heard.
    for (let d = nextLocalTime(first, h.timeZone, DIGEST_MINUTE); d <= to; d = nextLocalTime(d, h.timeZone, DIGEST_MINUTE)) {
      if (d < from) continue;
      const newest = new Map<string, (typeof inventories)[number]>();
      for (const inv of inventories) {
        // The digest is judged as its hour comes, before anything received at that very time.
        if (inv.at >= d) continue;
        const kept = newest.get(inv.fridge);
        if (kept === undefined || inv.ts > kept.ts || (inv.ts === kept.ts && inv.seq > kept.seq)) newest.set(inv.fridge, inv);
      }
      for (const inv of newest.values()) for (const item of inv.items) if (itemExpiresAt(item) - d <= WITHIN) expected.add(item.itemId);
    }
  }
  return out;
}

export interface FoodCheck {
  /** Items expected, over all households. */
  readonly expected: number;
  /** Expected items told exactly once. */
  readonly toldOnce: number;
  /** Expected items never told, told twice or more, and items told that were not expected (hub/item). */
  readonly missing: readonly string[];
  readonly repeated: readonly string[];
  readonly unexpected: readonly string[];
}

/** Compares the food contacts made (hub and the item ids each one told) with what was expected. */
export function checkFood(expected: ReadonlyMap<string, ReadonlySet<string>>, told: readonly { hubId: string; items: readonly string[] }[]): FoodCheck {
  const count = new Map<string, number>();
  for (const t of told) for (const id of t.items) count.set(`${t.hubId}/${id}`, (count.get(`${t.hubId}/${id}`) ?? 0) + 1);
  const missing: string[] = [];
  const repeated: string[] = [];
  let total = 0;
  for (const [hubId, items] of expected) {
    for (const id of items) {
      total++;
      const n = count.get(`${hubId}/${id}`) ?? 0;
      if (n === 0) missing.push(`${hubId}/${id}`);
      if (n > 1) repeated.push(`${hubId}/${id}`);
    }
  }
  const unexpected = [...count.keys()].filter((k) => {
    const [hubId = '', ...rest] = k.split('/');
    return expected.get(hubId)?.has(rest.join('/')) !== true;
  });
  return { expected: total, toldOnce: total - missing.length - repeated.length, missing, repeated, unexpected };
}
