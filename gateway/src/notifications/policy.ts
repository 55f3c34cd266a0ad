import type { CustomerRow } from '../customers/customer-registry.js';

export type ContactPurpose = 'repair' | 'food' | 'safety';

export interface ContactDecision {
  readonly send: boolean;
  /** Why not, when send is false (kept on the suppressed task). */
  readonly reason?: string;
  readonly channel: string;
  readonly urgency: 'normal' | 'urgent';
  /** Earliest delivery time (end of quiet hours), epoch ms. */
  readonly notBefore: number;
}

/** Minutes since local midnight of `at` in `timeZone` (IANA); UTC when the zone is unknown. */
export function localMinutes(at: number, timeZone: string): number {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  } catch {
    parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  }
  const h = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const m = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return h * 60 + m;
}

function hhmm(text: string | null): number | null {
  if (text === null) return null;
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m === null ? null : Number(m[1]) * 60 + Number(m[2]);
}

/**
 * When quiet hours [start, end) in the customer's zone cover `at`, the time they end;
 * otherwise `at`. Handles windows across midnight (22:00–07:00).
 */
export function quietUntil(at: number, timeZone: string, start: string | null, end: string | null): number {
  const s = hhmm(start);
  const e = hhmm(end);
  if (s === null || e === null || s === e) return at;
  const now = localMinutes(at, timeZone);
  const inside = s < e ? now >= s && now < e : now >= s || now < e;
  if (!inside) return at;
  const wait = (e - now + 1440) % 1440;
  // Round to the start of the minute the window ends.
  return at + wait * 60_000 - (at % 60_000);
}

/**
 * Whether and how to contact a customer: consent per purpose, preferred channel, quiet
 * hours (safety bypasses them; food reminders never do) and a rolling daily cap (safety
 * contacts are not capped).
 */
export function decideContact(customer: CustomerRow, purpose: ContactPurpose, at: number, sentLast24h: number): ContactDecision {
  const urgency = purpose === 'safety' ? 'urgent' : 'normal';
  const base = { channel: customer.channel, urgency, notBefore: at } as const;
  const consent = purpose === 'food' ? customer.consentFood : customer.consentRepair;
  if (!consent) return { ...base, send: false, reason: `no consent for ${purpose === 'food' ? 'food' : 'repair'} contacts` };
  if (purpose !== 'safety' && sentLast24h >= customer.dailyCap) {
    return { ...base, send: false, reason: `daily contact cap of ${customer.dailyCap} reached` };
  }
  const notBefore = purpose === 'safety' ? at : quietUntil(at, customer.timezone, customer.quietStart, customer.quietEnd);
  return { ...base, send: true, notBefore };
}
