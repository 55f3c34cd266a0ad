/**
 * Food expiry: items expiring within `withinDays` (their own date, or stored time plus the
 * category's shelf life) or already expired make one digest per household (hub) per UTC day;
 * news the same day updates it, and the first inventory of a later day ends the old one.
 */
import { itemExpiresAt } from '@forecare/firmware-contracts';
import type { AlarmEvent } from '../api.js';
import type { EngineState, InventoryInput } from '../engine-state.js';
import { paramNumber } from '../rule-format.js';

const DAY_MS = 86_400_000;

export function onInventory(s: EngineState, input: InventoryInput, app: number, out: AlarmEvent[]): void {
  const day = new Date(input.at).toISOString().slice(0, 10);
  for (const r of s.typeRules(app).foodExpiry) {
    // Yesterday's digest has been sent: it ends with the household's next inventory instead of staying open for ever.
    const open = s.book.openOn(input.applianceId, r.def.id);
    if (open !== undefined) for (const k of [...open]) if (!k.endsWith(`|${day}`)) s.book.clear(k, input.at, out);
    const within = paramNumber(r.params.withinDays, 2) * DAY_MS;
    const items = input.items
      .map((i) => ({ itemId: i.itemId, name: i.name, expiresAt: itemExpiresAt(i) }))
      .filter((i) => i.expiresAt - input.at <= within)
      .map((i) => ({ ...i, expired: i.expiresAt <= input.at }));
    if (items.length === 0) continue;
    const existing = s.book.byKey.get(`${input.hubId}|${r.def.id}|${day}`);
    // One digest per household per day: only news (an item not yet in today's digest) updates it.
    let digest = items;
    if (existing !== undefined) {
      const known = new Set((existing.items ?? []).map((i) => i.itemId));
      const fresh = items.filter((i) => !known.has(i.itemId));
      if (fresh.length === 0) continue;
      digest = [...(existing.items ?? []), ...fresh];
    }
    const title = `${digest.length} food item${digest.length === 1 ? '' : 's'} expiring`;
    s.book.raise(r, { ...s.subjectOf(app), key: day, at: input.at, title, items: digest, subject: input.hubId }, out);
  }
}
