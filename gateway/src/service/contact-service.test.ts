import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import type { CustomerRow } from '../customers/customer-registry.js';
import { createLogger } from '../log.js';
import { Metrics } from '../metrics/metrics.js';
import { Outbox, taskIdOf } from '../outbox/outbox.js';
import { openStore } from '../store/db.js';
import { ContactService } from './contact-service.js';

const T0 = Date.UTC(2026, 4, 4, 12, 0);

function setup() {
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'contacts-')), 'db.sqlite'));
  const outbox = new Outbox(store, new ManualClock(T0), new Metrics({ defaultMetrics: false }));
  return { outbox, contacts: new ContactService(outbox, createLogger({ level: 'silent' })) };
}

const customer = (patch: Partial<CustomerRow> = {}): CustomerRow => ({
  customerId: 'c1', name: 'Ada', phone: '+44 1', email: null, address: '', region: '', language: 'en', channel: 'voice', timezone: 'UTC',
  quietStart: null, quietEnd: null, digestAt: null, consentRepair: true, consentFood: true, consentMarketing: false, dailyCap: 1, phoneInvalidAt: null, phoneTail: '1', createdAt: T0, ...patch,
});
const task = (cause: string) => ({ cause, purpose: 'repair' as const, hubId: 'h1', applianceId: 'f1', ticketId: null, customerId: 'c1', payload: { message: 'hi' } });

describe('ContactService: one path from "contact them" to the outbox', () => {
  it('sends once per cause: the same request again writes nothing', () => {
    const { contacts, outbox } = setup();
    expect(contacts.request({ task: task('a'), customer: customer({ dailyCap: 3 }), at: T0 })).toMatchObject({ send: true, written: true, channel: 'voice' });
    expect(contacts.request({ task: task('a'), customer: customer({ dailyCap: 3 }), at: T0 })).toMatchObject({ send: true, written: false });
    expect(outbox.list().map((t) => t.status)).toEqual(['pending']);
  });

  it('records every contact it will not make, with the reason a dispatcher reads', () => {
    const { contacts, outbox } = setup();
    contacts.request({ task: task('no-customer'), customer: undefined, at: T0 });
    contacts.request({ task: task('bad-phone'), customer: customer({ phoneInvalidAt: T0 - 1 }), at: T0 });
    contacts.request({ task: task('first'), customer: customer(), at: T0 });
    expect(contacts.request({ task: task('capped'), customer: customer(), at: T0 })).toMatchObject({ send: false, written: true, reason: 'daily contact cap of 1 reached' });
    const reasons = Object.fromEntries(outbox.list().map((t) => [t.taskId, [t.status, t.lastError]]));
    expect(reasons[taskIdOf('no-customer')]).toEqual(['suppressed', 'no customer linked to this hub or appliance']);
    expect(reasons[taskIdOf('bad-phone')]).toEqual(['suppressed', 'phone number reported wrong by the contact center']);
    expect(reasons[taskIdOf('capped')]).toEqual(['suppressed', 'daily contact cap of 1 reached']);
  });

  it('a follow-up goes out on its own channel, uncapped by its own chain; one that may not go leaves no row', () => {
    const { contacts, outbox } = setup();
    contacts.request({ task: task('first'), customer: customer(), at: T0 });
    const followUp = { taskId: 'X~1', channel: 'sms', urgency: 'normal' as const };
    expect(contacts.request({ task: task('X~1'), customer: customer(), at: T0, followUp })).toMatchObject({ send: true, written: true, channel: 'sms' });
    expect(outbox.get('X~1')?.channel).toBe('sms');
    expect(contacts.request({ task: task('X~2'), customer: customer({ consentRepair: false }), at: T0, followUp: { ...followUp, taskId: 'X~2' } })).toMatchObject({ send: false, written: false });
    expect(outbox.get('X~2')).toBeUndefined();
  });
});
