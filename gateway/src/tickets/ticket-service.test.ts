import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlarmEvent } from '@forecare/rules';
import { ManualClock } from '../clock.js';
import { CustomerRegistry } from '../customers/customer-registry.js';
import { Metrics } from '../metrics/metrics.js';
import { openStore } from '../store/db.js';
import { TicketService } from './ticket-service.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1, 9, 0);

function setup(reopenWindowMs = 30 * DAY) {
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'tickets-')), 'db.sqlite'));
  const clock = new ManualClock(T0);
  const customers = new CustomerRegistry(store, clock);
  customers.create({ customerId: 'c1', name: 'Ada Lovelace', phone: '+44 20 7946 0001', address: '12 St James Sq', region: 'london' });
  customers.create({ customerId: 'c2', name: 'Alan Turing', phone: '+44 161 496 0002', address: '1 Wilmslow Rd', region: 'manchester' });
  customers.registerAppliance({ applianceId: 'h1.fridge', hubId: 'h1', customerId: 'c1', type: 'refrigerator', model: 'RF-500', serial: 'SN-1', installedAt: T0 - 400 * DAY, warrantyUntil: T0 + 330 * DAY });
  customers.registerAppliance({ applianceId: 'h2.washer', hubId: 'h2', customerId: 'c2', type: 'washer', model: 'WM-80', serial: 'SN-2', installedAt: T0 - 900 * DAY, warrantyUntil: T0 - 170 * DAY });
  const tickets = new TicketService(store, clock, customers, new Metrics({ defaultMetrics: false }), { reopenWindowMs });
  return { store, clock, customers, tickets };
}

function fault(applianceId: string, code: string, faultClass: string, at: number, patch: Partial<AlarmEvent> = {}): AlarmEvent {
  const type = applianceId.endsWith('fridge') ? 'refrigerator' : 'washer';
  return {
    transition: 'raised',
    alarmKey: `${applianceId}|fault-code|${code}`,
    ruleId: 'fault-code',
    ruleVersion: 1,
    hubId: applianceId.split('.')[0] ?? '',
    applianceId,
    applianceType: type,
    key: code,
    severity: 'critical',
    raises: ['ticket', 'notification'],
    title: `${type} fault ${code}`,
    at,
    count: 1,
    firstSeen: at,
    lastSeen: at,
    level: 0,
    fault: { code, faultClass },
    ...patch,
  };
}

describe('tickets', () => {
  it('auto-fills customer, address, phone, model, serial, install date, warranty, catalog meaning, likely part and a telemetry excerpt', () => {
    const { store, tickets } = setup();
    const insert = store.sqlite.prepare('INSERT INTO telemetry (appliance_id, hub_id, at, device_ts, metrics) VALUES (?, ?, ?, ?, ?)');
    insert.run('h1.fridge', 'h1', T0 - 3 * 3_600_000, T0, JSON.stringify({ fridge_temp_c: 3.9 })); // too early for the excerpt
    insert.run('h1.fridge', 'h1', T0 - 10 * 60_000, T0, JSON.stringify({ fridge_temp_c: 4.2 }));
    insert.run('h1.fridge', 'h1', T0 - 60_000, T0, JSON.stringify({ fridge_temp_c: 6.5, compressor_duty: 0 }));
    insert.run('h2.washer', 'h2', T0 - 60_000, T0, JSON.stringify({ water_level_l: 3 })); // another appliance
    const { ticket, outcome } = tickets.openOrAttach(fault('h1.fridge', 'E-CMP-01', 'compressor', T0));
    expect(outcome).toBe('opened');
    const t = tickets.get(ticket.ticketId);
    expect(t.details.customer).toEqual({ customerId: 'c1', name: 'Ada Lovelace', phone: '+44 20 7946 0001', address: '12 St James Sq', region: 'london', language: 'en' });
    expect(t.details.appliance).toEqual({ applianceId: 'h1.fridge', type: 'refrigerator', model: 'RF-500', serial: 'SN-1', installedAt: T0 - 400 * DAY, warrantyUntil: T0 + 330 * DAY, inWarranty: true });
    expect(t.details.fault).toEqual({ code: 'E-CMP-01', faultClass: 'compressor', meaning: 'Compressor fails to start', severity: 'critical', needsVisit: true, likelyPart: 'compressor start relay' });
    expect(t.details.telemetryExcerpt).toEqual([
      { at: T0 - 10 * 60_000, metrics: { fridge_temp_c: 4.2 } },
      { at: T0 - 60_000, metrics: { fridge_temp_c: 6.5, compressor_duty: 0 } },
    ]);
    const washer = tickets.get(tickets.openOrAttach(fault('h2.washer', 'E-DRN-01', 'drain', T0)).ticket.ticketId);
    expect(washer.details.appliance?.inWarranty).toBe(false);
  });

  it('one open ticket per appliance and fault class: repeats attach, another class opens its own', () => {
    const { clock, tickets } = setup();
    const first = tickets.openOrAttach(fault('h1.fridge', 'E-CMP-01', 'compressor', T0));
    clock.advance(1000);
    const again = tickets.openOrAttach(fault('h1.fridge', 'E-CMP-01', 'compressor', clock.now(), { transition: 'updated', count: 2 }));
    expect(again).toMatchObject({ outcome: 'attached', ticket: { ticketId: first.ticket.ticketId, alarmCount: 2 } });
    expect(tickets.openOrAttach(fault('h1.fridge', 'E-DEF-01', 'defrost', clock.now())).outcome).toBe('opened');
    expect(tickets.list()).toHaveLength(2);
  });

  it('walks the lifecycle, recording who and when; refuses what the lifecycle does not allow with GW_ERR_TICKET_TRANSITION', () => {
    const { clock, tickets } = setup();
    const id = tickets.openOrAttach(fault('h1.fridge', 'E-CMP-01', 'compressor', T0)).ticket.ticketId;
    const refused = (to: Parameters<TicketService['transition']>[1], note?: string): unknown => {
      try {
        tickets.transition(id, to, 'dispatcher-1', note);
      } catch (err) {
        return err;
      }
      return undefined;
    };
    expect(refused('in_progress')).toMatchObject({ code: 'GW_ERR_TICKET_TRANSITION', status: 409 });
    expect(refused('verified')).toMatchObject({ code: 'GW_ERR_TICKET_TRANSITION' });
    expect(refused('closed')).toMatchObject({ code: 'GW_ERR_TICKET_TRANSITION' }); // an unfinished ticket closes only with a reason
    const steps = [
      ['assigned', 'dispatcher-1'],
      ['scheduled', 'dispatcher-1'],
      ['in_progress', 'tech-7'],
      ['resolved', 'tech-7'],
    ] as const;
    for (const [to, by] of steps) {
      clock.advance(60_000);
      expect(tickets.transition(id, to, by).status).toBe(to);
    }
    expect(refused('closed', 'done')).toMatchObject({ code: 'GW_ERR_TICKET_TRANSITION' }); // resolved waits for verification
    expect(refused('verified')).toMatchObject({ code: 'GW_ERR_TICKET_TRANSITION' }); // only telemetry verifies
    clock.advance(60_000);
    expect(tickets.verify(id, 'fault clear').status).toBe('verified');
    clock.advance(60_000);
    expect(tickets.transition(id, 'closed', 'dispatcher-1').status).toBe('closed');
    expect(refused('in_progress')).toMatchObject({ code: 'GW_ERR_TICKET_TRANSITION' });
    const history = tickets.events(id).filter((e) => e.type === 'status' || e.type === 'opened');
    expect(history.map((e) => [e.fromStatus, e.toStatus, e.by, e.at])).toEqual([
      [null, 'open', 'system', T0],
      ['open', 'assigned', 'dispatcher-1', T0 + 60_000],
      ['assigned', 'scheduled', 'dispatcher-1', T0 + 120_000],
      ['scheduled', 'in_progress', 'tech-7', T0 + 180_000],
      ['in_progress', 'resolved', 'tech-7', T0 + 240_000],
      ['resolved', 'verified', 'telemetry', T0 + 300_000],
      ['verified', 'closed', 'dispatcher-1', T0 + 360_000],
    ]);
    expect(tickets.get(id)).toMatchObject({ resolvedAt: T0 + 240_000, closedAt: T0 + 360_000 });
  });

  it('closes an unfinished ticket with a reason (the customer declined)', () => {
    const { tickets } = setup();
    const id = tickets.openOrAttach(fault('h1.fridge', 'E-CMP-01', 'compressor', T0)).ticket.ticketId;
    expect(tickets.transition(id, 'closed', 'contact-center', 'customer declined: will buy a new one').status).toBe('closed');
    expect(tickets.events(id).at(-1)).toMatchObject({ fromStatus: 'open', toStatus: 'closed', note: 'customer declined: will buy a new one' });
  });

  it('a recurrence within the reopen window reopens the ticket as a repeat repair; later, or after a cancel, a new ticket opens', () => {
    const { clock, tickets } = setup();
    const id = tickets.openOrAttach(fault('h1.fridge', 'E-CMP-01', 'compressor', T0)).ticket.ticketId;
    tickets.transition(id, 'resolved', 'tech-7');
    tickets.verify(id, 'fault clear');
    clock.advance(10 * DAY);
    const again = tickets.openOrAttach(fault('h1.fridge', 'E-CMP-01', 'compressor', clock.now()));
    expect(again).toMatchObject({ outcome: 'reopened', ticket: { ticketId: id, status: 'open', reopenCount: 1, resolvedAt: null } });
    expect(tickets.events(id).at(-1)).toMatchObject({ type: 'reopened', fromStatus: 'verified', toStatus: 'open' });
    tickets.transition(id, 'resolved', 'tech-7');
    clock.advance(31 * DAY);
    const later = tickets.openOrAttach(fault('h1.fridge', 'E-CMP-01', 'compressor', clock.now()));
    expect(later.outcome).toBe('opened');
    tickets.transition(later.ticket.ticketId, 'cancelled', 'dispatcher-1', 'false alarm');
    expect(tickets.openOrAttach(fault('h1.fridge', 'E-CMP-01', 'compressor', clock.now() + 1000)).outcome).toBe('opened');
  });

  it('reopens within a configured reopen window (FORECARE_REOPEN_WINDOW) and opens a new ticket just past it', () => {
    const HOUR = 3_600_000;
    const { clock, tickets } = setup(2 * HOUR);
    const id = tickets.openOrAttach(fault('h1.fridge', 'E-CMP-01', 'compressor', T0)).ticket.ticketId;
    tickets.transition(id, 'resolved', 'tech-7');
    clock.advance(2 * HOUR);
    expect(tickets.openOrAttach(fault('h1.fridge', 'E-CMP-01', 'compressor', clock.now()))).toMatchObject({ outcome: 'reopened', ticket: { ticketId: id } });
    tickets.transition(id, 'resolved', 'tech-7');
    clock.advance(2 * HOUR + 1);
    const past = tickets.openOrAttach(fault('h1.fridge', 'E-CMP-01', 'compressor', clock.now()));
    expect(past.outcome).toBe('opened');
    expect(past.ticket.ticketId).not.toBe(id);
  });

  it('searches by status, model, fault code or class, region and age', () => {
    const { clock, tickets } = setup();
    const fridge = tickets.openOrAttach(fault('h1.fridge', 'E-CMP-01', 'compressor', T0)).ticket.ticketId;
    clock.advance(2 * DAY);
    const washer = tickets.openOrAttach(fault('h2.washer', 'E-DRN-01', 'drain', clock.now())).ticket.ticketId;
    tickets.transition(washer, 'assigned', 'dispatcher-1');
    const ids = (f: Parameters<TicketService['list']>[0]): string[] => tickets.list(f).map((t) => t.ticketId);
    expect(ids({ status: ['assigned'] })).toEqual([washer]);
    expect(ids({ status: ['open', 'assigned'] })).toEqual([washer, fridge]);
    expect(ids({ model: 'RF-500' })).toEqual([fridge]);
    expect(ids({ fault: 'E-DRN-01' })).toEqual([washer]);
    expect(ids({ fault: 'compressor' })).toEqual([fridge]);
    expect(ids({ region: 'manchester' })).toEqual([washer]);
    expect(ids({ olderThanMs: DAY })).toEqual([fridge]);
    expect(ids({ newerThanMs: DAY })).toEqual([washer]);
    expect(ids({ region: 'london', status: ['assigned'] })).toEqual([]);
  });
});
