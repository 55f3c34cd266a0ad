import { describe, expect, it } from 'vitest';
import { applianceCatalog } from '@forecare/firmware-contracts';
import { generateHistory } from './history.js';
import { DEFAULT_CLIMATES, faultRate } from './seasons.js';

const east = DEFAULT_CLIMATES.filter((c) => c.region === 'East');

describe('simulated history', () => {
  it('is the same for the same seed, different for another', () => {
    const a = generateHistory({ start: '2025-06-01', days: 30, seed: 3, appliancesPerRegion: 3000, climates: east });
    const b = generateHistory({ start: '2025-06-01', days: 30, seed: 3, appliancesPerRegion: 3000, climates: east });
    const c = generateHistory({ start: '2025-06-01', days: 30, seed: 4, appliancesPerRegion: 3000, climates: east });
    expect(b.tickets).toEqual(a.tickets);
    expect(c.tickets).not.toEqual(a.tickets);
  });

  it('makes air conditioners fail more in a heat wave, as the documented rates say', () => {
    const heat = { kind: 'heat_wave' as const, region: 'East', firstDay: 20, days: 10, deltaC: 10 };
    const h = generateHistory({ start: '2025-07-01', days: 40, seed: 1, appliancesPerRegion: 20_000, climates: east, events: [heat] });
    const ac = (from: number, to: number) => h.expected.filter((e) => e.type === 'air_conditioner' && e.day >= from && e.day < to);
    const during = ac(20, 30);
    const extra = during.reduce((s, e) => s + e.expected - e.expectedWithoutEvent, 0);
    // +10 °C above a hinge at 24 °C: +0.14 per degree, i.e. +1.4 of the base rate per day.
    expect(extra / during.reduce((s, e) => s + e.expectedWithoutEvent, 0)).toBeGreaterThan(0.5);
    const counted = h.tickets.filter((t) => t.type === 'air_conditioner' && t.openedAt >= Date.parse('2025-07-21T00:00:00+08:00') && t.openedAt < Date.parse('2025-07-31T00:00:00+08:00')).length;
    const before = h.tickets.filter((t) => t.type === 'air_conditioner' && t.openedAt >= Date.parse('2025-07-11T00:00:00+08:00') && t.openedAt < Date.parse('2025-07-21T00:00:00+08:00')).length;
    expect(counted).toBeGreaterThan(1.3 * before);
    expect(faultRate('air_conditioner', 34, false, false) / faultRate('air_conditioner', 24, false, false)).toBeCloseTo(2.4, 6);
    expect(faultRate('water_heater', -2, false, false) / faultRate('water_heater', 8, false, false)).toBeCloseTo(1.9, 6);
  });

  it('writes rows the gateway keeps: tickets with catalog faults, contacts with outcomes and follow-ups, in local hours', () => {
    const h = generateHistory({ start: '2025-06-01', days: 14, seed: 2, appliancesPerRegion: 5000, climates: east, utcOffsetHours: 8 });
    for (const t of h.tickets) expect(applianceCatalog[t.type].faults.find((f) => f.code === t.faultCode)?.needsVisit).toBe(t.needsVisit);
    expect(new Set(h.contacts.map((c) => c.outcome))).toEqual(new Set(['reached', 'booked', 'declined', 'no-answer']));
    // Non-urgent contacts wait out the quiet hours (21:00–08:00 local).
    const urgent = new Set(h.tickets.filter((t) => t.severity === 'safety').map((t) => t.ticketId));
    for (const c of h.contacts.filter((x) => !urgent.has(x.ticketId))) {
      const hour = new Date(c.createdAt + 8 * 3_600_000).getUTCHours();
      expect(hour >= 8 && hour < 21, `${c.taskId} at local hour ${hour}`).toBe(true);
    }
    // A no-answer brings a follow-up on the next channel.
    const byTicket = new Map<string, typeof h.contacts[number][]>();
    for (const c of h.contacts) byTicket.set(c.ticketId, [...(byTicket.get(c.ticketId) ?? []), c]);
    const followed = [...byTicket.values()].find((cs) => cs.length > 1);
    expect(followed?.[0]?.outcome).toBe('no-answer');
    expect(followed?.[1]?.channel).not.toBe(followed?.[0]?.channel);
    // Two homes may both have fridge-1: appliances are keyed by hub too.
    expect(new Set(h.appliances.map((a) => `${a.hubId}/${a.applianceId}`)).size).toBe(h.appliances.length);
  });
});
