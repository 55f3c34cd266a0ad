import { describe, expect, it } from 'vitest';
import type { CustomerRow } from '../customers/customer-registry.js';
import { decideContact, localMinutes, quietUntil } from './policy.js';

const customer = (patch: Partial<CustomerRow> = {}): CustomerRow => ({
  customerId: 'c1',
  name: 'Ada',
  phone: '+44 1',
  email: null,
  address: '',
  region: '',
  language: 'en',
  channel: 'sms',
  timezone: 'Europe/London',
  quietStart: '22:00',
  quietEnd: '07:00',
  digestAt: null,
  consentRepair: true,
  consentFood: true,
  consentMarketing: false,
  dailyCap: 3,
  phoneInvalidAt: null,
  phoneTail: '',
  createdAt: 0,
  ...patch,
});

// 2026-01-15 23:30 UTC = 23:30 in London (winter time).
const lateEvening = Date.UTC(2026, 0, 15, 23, 30);
const noon = Date.UTC(2026, 0, 15, 12, 0);

describe('contact policy', () => {
  it('reads local time in the customer zone', () => {
    expect(localMinutes(Date.UTC(2026, 6, 1, 12, 0), 'Asia/Shanghai')).toBe(20 * 60);
    expect(localMinutes(Date.UTC(2026, 6, 1, 12, 0), 'Not/AZone')).toBe(12 * 60);
  });

  it('holds a repair contact until quiet hours end, across midnight', () => {
    expect(quietUntil(lateEvening, 'Europe/London', '22:00', '07:00')).toBe(Date.UTC(2026, 0, 16, 7, 0));
    expect(quietUntil(noon, 'Europe/London', '22:00', '07:00')).toBe(noon);
    const d = decideContact(customer(), 'repair', lateEvening, 0);
    expect(d).toMatchObject({ send: true, channel: 'sms', urgency: 'normal', notBefore: Date.UTC(2026, 0, 16, 7, 0) });
  });

  it('lets safety faults through quiet hours and the cap; food reminders never bypass', () => {
    expect(decideContact(customer(), 'safety', lateEvening, 99)).toMatchObject({ send: true, urgency: 'urgent', notBefore: lateEvening });
    expect(decideContact(customer(), 'food', lateEvening, 0).notBefore).toBe(Date.UTC(2026, 0, 16, 7, 0));
  });

  it('respects consent per purpose and the daily cap', () => {
    expect(decideContact(customer({ consentFood: false }), 'food', noon, 0)).toMatchObject({ send: false, reason: 'no consent for food contacts' });
    expect(decideContact(customer({ consentRepair: false }), 'repair', noon, 0).send).toBe(false);
    expect(decideContact(customer({ dailyCap: 2 }), 'repair', noon, 2)).toMatchObject({ send: false });
    expect(decideContact(customer({ dailyCap: 2 }), 'repair', noon, 1).send).toBe(true);
  });
});
