import { describe, expect, it } from 'vitest';
import { ManualClock } from '@forecare/gateway';
import { ContactCenterStandIn } from '../support/contact-center.js';
import { sleep, until } from '../support/gateway.js';
import { contactFor, fault, gatewaysAgainst, report, setup, SECRET, type Setup } from './harness.js';

interface TicketView {
  ticketId: string;
  status: string;
  events: { type: string; by: string; at: number; fromStatus: string | null; toStatus: string | null; note: string | null }[];
}

const firstTicket = async (s: Setup): Promise<string> =>
  until('a ticket', async () => (await s.http.call<{ items: { ticketId: string }[] }>('GET', '/api/v1/tickets')).body.items[0]?.ticketId);

describe('a ticket through its life, on a real gateway', () => {
  const cc = new ContactCenterStandIn(SECRET);
  const open = gatewaysAgainst(cc);

  it('open → assigned → scheduled → in progress → resolved → verified (by telemetry) → closed, each move with who and when; illegal moves get a coded 409', async () => {
    const clock = new ManualClock(Date.now());
    const s = await setup(cc, 'life-full', {}, { FORECARE_VERIFY_AFTER: '2h', FORECARE_HUB_OFFLINE_AFTER: '2d' }, clock);
    open.push(s);
    await fault(s, 'life-full', 'E-CMP-01');
    const id = await firstTicket(s);
    const move = (to: string, by: string, extra: Record<string, unknown> = {}) => s.http.call<{ status: string; code: string; title: string; detail: string }>('POST', `/api/v1/tickets/${id}/transition`, { to, by, ...extra });
    for (const illegal of ['in_progress', 'verified', 'closed']) {
      const refused = await move(illegal, 'disp-1');
      expect(refused.status, illegal).toBe(409);
      expect(refused.body).toMatchObject({ code: 'GW_ERR_TICKET_TRANSITION', status: 409, title: 'Ticket cannot move to that status' });
    }
    const T = clock.now();
    const steps: [string, string, Record<string, unknown>][] = [
      ['assigned', 'disp-1', { assignee: 'tech-7' }],
      ['scheduled', 'disp-1', { slotStart: T + 86_400_000, slotEnd: T + 93_600_000, promisedBy: T + 93_600_000 }],
      ['in_progress', 'tech-7', {}],
      ['resolved', 'tech-7', { note: 'replaced the start relay' }],
    ];
    for (const [to, by, extra] of steps) {
      clock.advance(60_000);
      expect((await move(to, by, extra)).body.status).toBe(to);
    }
    expect((await move('verified', 'tech-7')).status).toBe(409); // a person cannot verify: the telemetry does
    await fault(s, 'life-full', 'E-CMP-01', 'fridge', false);
    await until('the fault cleared', async () => ((await s.http.call<{ items: unknown[] }>('GET', '/api/v1/alarms?status=cleared')).body.items.length > 0 ? true : undefined));
    clock.advance(60 * 60_000);
    expect(s.gw.ctx.sla.check().verified).toEqual([]); // clear for an hour of the two
    clock.advance(61 * 60_000);
    expect(s.gw.ctx.sla.check().verified).toEqual([id]);
    clock.advance(60_000);
    expect((await move('closed', 'disp-1')).body.status).toBe('closed');
    expect((await move('in_progress', 'tech-7')).status).toBe(409);
    const ticket = (await s.http.call<TicketView>('GET', `/api/v1/tickets/${id}`)).body;
    const moves = ticket.events.filter((e) => e.toStatus !== null && e.fromStatus !== e.toStatus).map((e) => [e.fromStatus, e.toStatus, e.by]);
    expect(moves).toEqual([
      [null, 'open', 'system'],
      ['open', 'assigned', 'disp-1'],
      ['assigned', 'scheduled', 'disp-1'],
      ['scheduled', 'in_progress', 'tech-7'],
      ['in_progress', 'resolved', 'tech-7'],
      ['resolved', 'verified', 'telemetry'],
      ['verified', 'closed', 'disp-1'],
    ]);
    const at = ticket.events.filter((e) => e.type === 'status').map((e) => e.at);
    expect(at).toEqual([T + 60_000, T + 120_000, T + 180_000, T + 240_000, T + 240_000 + 121 * 60_000, T + 240_000 + 122 * 60_000]);
  });

  it('a signed-in dispatcher is recorded as themselves, whatever `by` says; only the admin token may name who it acts for', async () => {
    const s = await setup(cc, 'life-who');
    open.push(s);
    await fault(s, 'life-who', 'E-CMP-01');
    const id = await firstTicket(s);
    expect((await s.http.call('POST', '/api/v1/users', { username: 'disp-real', role: 'dispatcher', password: 'disp-real-password-123' })).status).toBe(201);
    const session = (await s.http.call<{ token: string }>('POST', '/api/v1/session', { username: 'disp-real', password: 'disp-real-password-123' }, null)).body.token;
    const moved = await s.http.call<{ status: string }>('POST', `/api/v1/tickets/${id}/transition`, { to: 'assigned', by: 'someone-else', assignee: 'tech-1' }, session);
    expect(moved.body.status).toBe('assigned');
    await s.http.call('POST', `/api/v1/tickets/${id}/transition`, { to: 'scheduled', by: 'flow-operator', slotStart: Date.now() + 3_600_000, slotEnd: Date.now() + 7_200_000 });
    const events = (await s.http.call<TicketView>('GET', `/api/v1/tickets/${id}`)).body.events.filter((e) => e.toStatus === 'assigned' || e.toStatus === 'scheduled');
    expect(events.map((e) => [e.toStatus, e.by])).toEqual([['assigned', 'disp-real'], ['scheduled', 'flow-operator']]);
  });

  it('declined: the ticket is closed with the customer\'s reason', async () => {
    const s = await setup(cc, 'life-declined');
    open.push(s);
    const task = await contactFor(s, cc, 'life-declined', 'E-CMP-01');
    const res = await report(s, cc, 'decl-1', { taskId: task.json.data.taskId, outcome: 'declined', note: 'bought a new fridge' });
    expect(res.status).toBe(200);
    const ticket = (await s.http.call<TicketView>('GET', `/api/v1/tickets/${String(task.json.data.ticketId)}`)).body;
    expect(ticket.status).toBe('closed');
    expect(ticket.events.at(-1)).toMatchObject({ by: 'contact-center', fromStatus: 'open', toStatus: 'closed', note: expect.stringContaining('bought a new fridge') });
  });

  it('reached is noted on the ticket; wrong number flags the customer and stops proactive calls until the number is corrected', async () => {
    const s = await setup(cc, 'life-wrong');
    open.push(s);
    const task = await contactFor(s, cc, 'life-wrong', 'E-CMP-01');
    const ticketId = String(task.json.data.ticketId);
    expect((await report(s, cc, 'wn-1', { taskId: task.json.data.taskId, outcome: 'reached' })).status).toBe(200);
    const reached = (await s.http.call<TicketView>('GET', `/api/v1/tickets/${ticketId}`)).body;
    expect(reached.status).toBe('open');
    expect(reached.events.at(-1)).toMatchObject({ type: 'contact', by: 'contact-center', note: expect.stringContaining('reached') });
    expect((await report(s, cc, 'wn-2', { taskId: task.json.data.taskId, outcome: 'wrong-number' })).status).toBe(200);
    expect((await s.http.call<{ phoneInvalidAt: number | null }>('GET', '/api/v1/customers/cus-life-wrong')).body.phoneInvalidAt).not.toBeNull();
    await fault(s, 'life-wrong', 'E-DRN-01', 'washer');
    const suppressed = await until('the washer contact decided', async () => (await s.http.call<{ items: { lastError: string }[] }>('GET', '/api/v1/contacts?status=suppressed')).body.items[0]);
    expect(suppressed.lastError).toMatch(/wrong/);
    await sleep(300);
    expect(cc.accepted.at(-1)).toBe(task);
    // A corrected number lifts the mark: the next fault reaches the customer again.
    const corrected = (await s.http.call<{ phoneInvalidAt: number | null }>('PATCH', '/api/v1/customers/cus-life-wrong', { phone: '+1 555 0199' })).body;
    expect(corrected.phoneInvalidAt).toBeNull();
    await fault(s, 'life-wrong', 'E-REF-01');
    await until('a contact after the correction', () => (cc.accepted.at(-1) !== task ? true : undefined));
  });

  it('a callback that failed to apply does not use up its webhook id: the contact center\'s retry of it is heard', async () => {
    const s = await setup(cc, 'life-retry');
    open.push(s);
    const task = await contactFor(s, cc, 'life-retry', 'E-CMP-01');
    const booked = { taskId: task.json.data.taskId, outcome: 'booked' };
    const first = await report(s, cc, 'book-1', booked); // no slot: refused
    expect(first.status).toBe(400);
    expect((await report(s, cc, 'book-1', booked)).status).toBe(400);
    const slot = { start: Date.now() + 86_400_000, end: Date.now() + 93_600_000 };
    expect((await report(s, cc, 'book-2', { ...booked, slot })).status).toBe(200);
    expect((await report(s, cc, 'book-2', { ...booked, slot })).body).toMatchObject({ status: 401, code: 'GW_ERR_SIGNATURE_INVALID' });
    expect((await s.http.call<{ status: string }>('GET', `/api/v1/tickets/${String(task.json.data.ticketId)}`)).body.status).toBe('scheduled');
  });
});
