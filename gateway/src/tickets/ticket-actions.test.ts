import { describe, expect, it } from 'vitest';
import { actionsFor, visitSlot } from './ticket-actions.js';

describe('ticket actions', () => {
  it('follow the state and the role', () => {
    expect(actionsFor('open', 'dispatcher')).toEqual(['assign', 'schedule', 'resolve', 'cancel']);
    expect(actionsFor('in_progress', 'manager')).toEqual(['assign', 'schedule', 'resolve', 'cancel']);
    expect(actionsFor('resolved', 'dispatcher')).toEqual(['reopen']);
    expect(actionsFor('verified', 'admin')).toEqual(['reopen', 'close']);
    expect(actionsFor('open', 'engineer')).toEqual([]);
  });

  it("judge a visit date by the customer's calendar, not the server's", () => {
    // 17:00 UTC on 1 January is already 2 January, 01:00 in Shanghai: the 1st is past there, not in London.
    const now = Date.parse('2026-01-01T17:00:00Z');
    expect(() => visitSlot({ date: '2026-01-01', from: '18:00', to: '19:00' }, 'Asia/Shanghai', now)).toThrow(/in the past for the customer/);
    expect(visitSlot({ date: '2026-01-01', from: '18:00', to: '19:00' }, 'Europe/London', now)).toEqual({ slotStart: Date.parse('2026-01-01T18:00:00Z'), slotEnd: Date.parse('2026-01-01T19:00:00Z') });
    expect(visitSlot({ date: '2026-01-02', from: '09:00', to: '11:30' }, 'Asia/Shanghai', now)).toEqual({ slotStart: Date.parse('2026-01-02T01:00:00Z'), slotEnd: Date.parse('2026-01-02T03:30:00Z') });
    // Wall-clock times across a daylight-saving change (Berlin, 29 March 2026: 02:00 → 03:00).
    expect(visitSlot({ date: '2026-03-29', from: '09:00', to: '10:00' }, 'Europe/Berlin', now).slotStart).toBe(Date.parse('2026-03-29T07:00:00Z'));
    expect(() => visitSlot({ date: '2026-01-03', from: '11:00', to: '10:00' }, 'UTC', now)).toThrow(/before it starts/);
    expect(() => visitSlot({ date: '2026-02-30', from: '09:00', to: '10:00' }, 'UTC', now)).toThrow(/YYYY-MM-DD/);
  });
});
