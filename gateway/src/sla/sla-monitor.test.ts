import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlarmEvent } from '@forecare/rules';
import { AlarmStore } from '../alarms/alarm-store.js';
import { ManualClock } from '../clock.js';
import { CustomerRegistry } from '../customers/customer-registry.js';
import { EventBus, type LiveEvent } from '../events/bus.js';
import { createLogger } from '../log.js';
import { Metrics } from '../metrics/metrics.js';
import { openStore } from '../store/db.js';
import { TicketService } from '../tickets/ticket-service.js';
import { SlaMonitor } from './sla-monitor.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 1, 9, 0);

function setup() {
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'sla-')), 'db.sqlite'));
  const clock = new ManualClock(T0);
  const metrics = new Metrics({ defaultMetrics: false });
  const tickets = new TicketService(store, clock, new CustomerRegistry(store, clock), metrics, { reopenWindowMs: 30 * 86_400_000 });
  const alarms = new AlarmStore(store, clock);
  const bus = new EventBus();
  const live: LiveEvent[] = [];
  bus.subscribe((_id, e) => live.push(e));
  const sla = new SlaMonitor(store, tickets, alarms, clock, metrics, createLogger({ level: 'silent' }), bus, { assignWithinMs: 4 * HOUR, fallbackTeam: 'fallback', verifyAfterMs: 2 * HOUR });
  const alarm = (transition: AlarmEvent['transition']): AlarmEvent => ({
    transition,
    alarmKey: 'h1.fridge|fault-code|E-CMP-01',
    ruleId: 'fault-code',
    ruleVersion: 1,
    hubId: 'h1',
    applianceId: 'h1.fridge',
    applianceType: 'refrigerator',
    key: 'E-CMP-01',
    severity: 'critical',
    raises: ['ticket'],
    title: 'Compressor fails to start',
    at: clock.now(),
    count: 1,
    firstSeen: T0,
    // As the engine does: a clear is the alarm's last sighting.
    lastSeen: transition === 'cleared' ? clock.now() : T0,
    level: 0,
    fault: { code: 'E-CMP-01', faultClass: 'compressor' },
  });
  const raised = alarm('raised');
  alarms.record(raised);
  const id = tickets.openOrAttach(raised).ticket.ticketId;
  return { clock, metrics, tickets, alarms, sla, live, alarm, id };
}

describe('service-level clock', () => {
  it('a ticket past its promised time lights red once per promise: in the API, the metrics and the events', async () => {
    const { clock, metrics, tickets, sla, live, id } = setup();
    tickets.transition(id, 'scheduled', 'dispatcher-1', undefined, { assignee: 'tech-7', slotStart: T0 + HOUR, slotEnd: T0 + 2 * HOUR, promisedBy: T0 + 2 * HOUR });
    clock.set(T0 + HOUR);
    expect(sla.check().breached).toEqual([]);
    expect(tickets.get(id).sla.state).toBe('at-risk');
    clock.set(T0 + 3 * HOUR);
    expect(sla.check().breached).toEqual([id]);
    expect(tickets.get(id).sla).toEqual({ state: 'breached', reason: 'past the promised time' });
    expect(tickets.events(id).filter((e) => e.type === 'sla-red')).toHaveLength(1);
    expect(live).toContainEqual({ type: 'ticket', data: expect.objectContaining({ ticketId: id, outcome: 'sla-red' }) });
    expect(sla.check().breached).toEqual([]);
    expect((await metrics.slaBreaches.get()).values).toContainEqual(expect.objectContaining({ labels: { kind: 'promise' }, value: 1 }));
    // A new promise, broken again, lights again.
    tickets.transition(id, 'scheduled', 'dispatcher-1', 'rebooked', { promisedBy: T0 + 5 * HOUR });
    expect(sla.check().breached).toEqual([]);
    clock.set(T0 + 6 * HOUR);
    expect(sla.check().breached).toEqual([id]);
  });

  it('verifies a resolved ticket only when the fault, cleared after the repair, has stayed clear for the whole verification time', () => {
    const { clock, tickets, alarms, sla, alarm, id } = setup();
    tickets.transition(id, 'resolved', 'tech-7', 'replaced the start relay');
    clock.set(T0 + 110 * 60_000);
    alarms.record(alarm('cleared'));
    clock.set(T0 + 2 * HOUR + 60_000);
    expect(sla.check().verified).toEqual([]);
    expect(tickets.get(id).status).toBe('resolved');
    clock.set(T0 + 110 * 60_000 + 2 * HOUR);
    expect(sla.check().verified).toEqual([id]);
    expect(tickets.events(id).at(-1)).toMatchObject({ by: 'telemetry', fromStatus: 'resolved', toStatus: 'verified' });
  });

  it('does not verify while another alarm attached to the ticket (a second code of the fault class) is still raised', () => {
    const { clock, tickets, alarms, sla, alarm, id } = setup();
    alarms.linkTicket('h1.fridge|fault-code|E-CMP-01', id);
    const second = (transition: AlarmEvent['transition']): AlarmEvent => ({ ...alarm(transition), alarmKey: 'h1.fridge|fault-code|E-CMP-02', key: 'E-CMP-02', fault: { code: 'E-CMP-02', faultClass: 'compressor' } });
    alarms.record(second('raised'));
    tickets.openOrAttach(second('raised'));
    alarms.linkTicket('h1.fridge|fault-code|E-CMP-02', id);
    tickets.transition(id, 'resolved', 'tech-7', 'replaced the start relay');
    alarms.record(alarm('cleared'));
    clock.set(T0 + 3 * HOUR);
    expect(sla.check().verified).toEqual([]);
    alarms.record(second('cleared'));
    clock.set(T0 + 4 * HOUR);
    expect(sla.check().verified).toEqual([]);
    clock.set(T0 + 5 * HOUR);
    expect(sla.check().verified).toEqual([id]);
  });

  it('does not verify while the fault is still raised', () => {
    const { clock, tickets, sla, id } = setup();
    tickets.transition(id, 'resolved', 'tech-7');
    clock.set(T0 + 10 * HOUR);
    expect(sla.check().verified).toEqual([]);
  });

  it('a visit booked without a technician escalates like an unassigned ticket, once', () => {
    const { clock, tickets, sla, id } = setup();
    tickets.transition(id, 'scheduled', 'contact-center', 'booked', { slotStart: T0 + 48 * HOUR, slotEnd: T0 + 50 * HOUR, promisedBy: T0 + 50 * HOUR });
    clock.set(T0 + 5 * HOUR);
    expect(tickets.get(id).sla).toEqual({ state: 'breached', reason: 'not assigned in time' });
    expect(sla.check().escalated).toEqual([id]);
    expect(tickets.get(id).team).toBe('fallback');
    expect(sla.check().escalated).toEqual([]);
    tickets.transition(id, 'scheduled', 'dispatcher-1', undefined, { assignee: 'tech-7' });
    expect(tickets.get(id).sla.state).toBe('ok');
  });
});
