import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { ManualClock } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import { ContactCenterStandIn } from '../support/contact-center.js';
import { connectHub, sleep, until } from '../support/gateway.js';
import { contactFor, fault, gatewaysAgainst, report, setup, SECRET } from './harness.js';

describe('the service loop', () => {
  const cc = new ContactCenterStandIn(SECRET);
  const open = gatewaysAgainst(cc, () => {
    cc.failNext = 0;
    cc.delayMs = 0;
  });

  it('1,000 identical faults in one second make one ticket and one contact', async () => {
    const s = await setup(cc, 'svc-burst');
    open.push(s);
    const before = cc.accepted.length;
    await Promise.all(Array.from({ length: 1000 }, () => fault(s, 'svc-burst', 'E-CMP-01')));
    await until('the contact', () => (cc.accepted.length > before ? true : undefined));
    await sleep(800);
    const tickets = (await s.http.call<{ items: { alarmCount: number }[] }>('GET', '/api/v1/tickets')).body.items;
    expect(tickets).toHaveLength(1);
    // Every repeat is counted on the ticket (the repeat rule's alarm attaches to it too), but the history is not flooded.
    expect(tickets[0]?.alarmCount).toBeGreaterThanOrEqual(1000);
    const events = (await s.http.call<{ events: { type: string }[] }>('GET', `/api/v1/tickets/${(tickets[0] as unknown as { ticketId: string }).ticketId}`)).body.events;
    expect(events.filter((e) => e.type === 'repeat').length).toBeLessThan(5);
    expect(cc.accepted.length - before).toBe(1);
  });

  it('signed outcome callbacks move the ticket; forged and replayed ones get 401 and change nothing', async () => {
    const s = await setup(cc, 'svc-outcome');
    open.push(s);
    const task = await contactFor(s, cc, 'svc-outcome', 'E-CMP-01');
    const taskId = String(task.headers['idempotency-key']);
    const slot = { start: Date.now() + 86_400_000, end: Date.now() + 90_000_000 };
    const body = JSON.stringify({ taskId, outcome: 'booked', slot });
    const url = `http://127.0.0.1:${s.gw.httpPort}/api/v1/contact-center/outcomes`;
    const forged = await fetch(url, { method: 'POST', headers: { ...cc.sign('msg-1', body), 'webhook-signature': 'v1,AAAA' }, body });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { code: string }).code).toBe('GW_ERR_SIGNATURE_INVALID');
    const stale = await fetch(url, { method: 'POST', headers: cc.sign('msg-2', body, Math.floor(Date.now() / 1000) - 3600), body });
    expect(stale.status).toBe(401);
    const ticketId = String(task.json.data.ticketId);
    expect((await s.http.call<{ status: string }>('GET', `/api/v1/tickets/${ticketId}`)).body.status).toBe('open');
    const ok = await fetch(url, { method: 'POST', headers: cc.sign('msg-3', body), body });
    expect(ok.status).toBe(200);
    const ticket = (await s.http.call<{ status: string; slotStart: number; contacts: { outcome: string }[] }>('GET', `/api/v1/tickets/${ticketId}`)).body;
    expect(ticket).toMatchObject({ status: 'scheduled', slotStart: slot.start });
    expect(ticket.contacts[0]?.outcome).toBe('booked');
    const replay = await fetch(url, { method: 'POST', headers: cc.sign('msg-3', body), body });
    expect(replay.status).toBe(401);
  });

  it('no answer: one more try later on the next channel', async () => {
    const s = await setup(cc, 'svc-noanswer', { channel: 'voice' });
    open.push(s);
    const task = await contactFor(s, cc, 'svc-noanswer', 'E-CMP-01');
    const taskId = String(task.headers['idempotency-key']);
    const out = (await report(s, cc, 'na-1', { taskId, outcome: 'no-answer' })).body;
    expect(out.followUp).toBe(`${taskId}~1`);
    const follow = (await s.http.call<{ channel: string; nextAttemptAt: number; status: string }>('GET', `/api/v1/contacts/${taskId}~1`)).body;
    expect(follow).toMatchObject({ channel: 'sms', status: 'pending' });
    expect(follow.nextAttemptAt).toBeGreaterThan(Date.now() + 3_600_000);
    // The same no-answer reported twice makes one follow-up; a follow-up's own no-answer the next, at most two.
    expect((await report(s, cc, 'na-2', { taskId, outcome: 'no-answer' })).body.followUp).toBe(`${taskId}~1`);
    expect((await report(s, cc, 'na-3', { taskId: `${taskId}~1`, outcome: 'no-answer' })).body.followUp).toBe(`${taskId}~2`);
    expect((await report(s, cc, 'na-4', { taskId: `${taskId}~2`, outcome: 'no-answer' })).body.followUp).toBeNull();
    const chain = (await s.http.call<{ items: { taskId: string; channel: string }[] }>('GET', '/api/v1/contacts?customerId=cus-svc-noanswer')).body.items;
    expect(chain.map((t) => [t.taskId, t.channel]).sort()).toEqual([[taskId, 'voice'], [`${taskId}~1`, 'sms'], [`${taskId}~2`, 'push']]);
  });

  it('a contact center down for the hour (injected clock), then back: every task delivered once per idempotency key', async () => {
    const HOUR = 3_600_000;
    // The clock starts an hour and a bit in the past and is moved through the outage by hand, so the
    // signatures of the deliveries after it carry a current time again.
    const clock = new ManualClock(Date.now() - HOUR - 10 * 60_000);
    const s = await setup(cc, 'svc-down', {}, { FORECARE_OUTBOX_BASE_DELAY_MS: '1000' }, clock);
    open.push(s);
    await cc.stop();
    await fault(s, 'svc-down', 'E-CMP-01');
    await fault(s, 'svc-down', 'E-DRN-01', 'washer');
    type Task = { taskId: string; attempts: number; status: string; nextAttemptAt: number };
    const pending = async (): Promise<Task[]> => (await s.http.call<{ items: Task[] }>('GET', '/api/v1/contacts?status=pending')).body.items;
    const tasks = await until('two failed attempts', async () => {
      const items = await pending();
      return items.length === 2 && items.every((t) => t.attempts >= 1) ? items : undefined;
    });
    // The hour, five minutes at a time: every retry that falls due is attempted (and fails), none is given up.
    for (let elapsed = 0; elapsed < HOUR; elapsed += 5 * 60_000) {
      clock.advance(5 * 60_000);
      s.gw.ctx.worker.kick();
      await until('due retries attempted', async () => ((await pending()).every((t) => t.nextAttemptAt > clock.now()) ? true : undefined));
    }
    const afterHour = (await pending()).filter((t) => tasks.some((x) => x.taskId === t.taskId));
    expect(afterHour).toHaveLength(2);
    for (const t of afterHour) expect(t.attempts).toBeGreaterThanOrEqual(8);
    const before = cc.received.length;
    await cc.start();
    clock.advance(10 * 60_000); // the longest backoff
    s.gw.ctx.worker.kick();
    await until('both delivered', async () => {
      const items = (await s.http.call<{ items: { taskId: string }[] }>('GET', '/api/v1/contacts?status=delivered')).body.items;
      return tasks.every((t) => items.some((d) => d.taskId === t.taskId)) ? true : undefined;
    }, 15_000);
    const after = cc.received.slice(before);
    const keys = new Set(after.map((r) => r.headers['idempotency-key']));
    for (const t of tasks) expect(keys.has(t.taskId)).toBe(true);
    // Once per key: no key was accepted twice.
    for (const key of keys) expect(after.filter((r) => r.headers['idempotency-key'] === key && r.status < 300)).toHaveLength(1);
  });

  it('quiet hours hold a repair call; a safety fault goes through at once, and so does its retry after no answer', async () => {
    const hourNow = new Date().getUTCHours();
    const quietStart = `${String((hourNow + 23) % 24).padStart(2, '0')}:00`;
    const quietEnd = `${String((hourNow + 2) % 24).padStart(2, '0')}:00`;
    const s = await setup(cc, 'svc-quiet', { timezone: 'UTC', quietStart, quietEnd });
    open.push(s);
    const before = cc.accepted.length;
    await fault(s, 'svc-quiet', 'E-CMP-01');
    await fault(s, 'svc-quiet', 'E-LEAK-01', 'washer');
    const safety = await until('the safety call', () => cc.accepted.slice(before).find((t) => t.json.data.purpose === 'safety'));
    expect(safety.json.data.urgency).toBe('urgent');
    await sleep(500);
    expect(cc.accepted.slice(before).filter((t) => t.json.data.purpose === 'repair')).toHaveLength(0);
    const pending = (await s.http.call<{ items: { purpose: string; nextAttemptAt: number }[] }>('GET', '/api/v1/contacts?status=pending')).body.items;
    expect(pending.find((t) => t.purpose === 'repair')?.nextAttemptAt).toBeGreaterThan(Date.now() + 3_000_000);
    // Nobody answered the safety call: the next channel is tried at once, quiet hours or not.
    const followUp = String((await report(s, cc, 'quiet-na-1', { taskId: safety.json.data.taskId, outcome: 'no-answer' })).body.followUp);
    const next = await until('the safety follow-up', () => cc.accepted.slice(before).find((t) => t.json.data.taskId === followUp));
    expect(next.json.data).toMatchObject({ purpose: 'safety', urgency: 'urgent', channel: 'sms', followUpOf: safety.json.data.taskId });
  });

  it('the contact-center simulator books a visit: its signed outcome schedules the ticket', async () => {
    const sim = new ContactCenterStandIn({ secret: SECRET, outcomes: { booked: 1 } });
    await sim.start();
    try {
      const s = await setup(sim, 'svc-booked');
      open.push(s);
      sim.callbackUrl = `http://127.0.0.1:${s.gw.httpPort}/api/v1/contact-center/outcomes`;
      await fault(s, 'svc-booked', 'E-CMP-01');
      await until('scheduled by the callback', async () => {
        const t = (await s.http.call<{ items: { status: string; slotStart: number | null }[] }>('GET', '/api/v1/tickets')).body.items[0];
        return t?.status === 'scheduled' && t.slotStart !== null ? true : undefined;
      });
      expect(sim.outcomesSent).toEqual([expect.objectContaining({ outcome: 'booked', status: 200 })]);
    } finally {
      await sim.stop();
    }
  });

  it('caller context tells the agent who calls and why', async () => {
    const s = await setup(cc, 'svc-ctx');
    open.push(s);
    const task = await contactFor(s, cc, 'svc-ctx', 'E-CMP-01');
    type Context = {
      customer: { name: string } | null;
      likelyReason: { kind: string; text: string; ticketId: string } | null;
      appliances: { health: string; applianceId: string }[];
      openTickets: { ticketId: string }[];
      recentAlarms: { alarmKey: string }[];
      recentContacts: { taskId: string }[];
    };
    // The caller's number as their phone shows it, not as it was typed in.
    const ctx = (await s.http.call<Context>('GET', `/api/v1/context?phone=${encodeURIComponent('555 7701')}`)).body;
    expect(ctx.customer?.name).toBe('Grace Hopper');
    expect(ctx.likelyReason).toMatchObject({ kind: 'open-ticket', ticketId: task.json.data.ticketId, text: expect.stringContaining('E-CMP-01') });
    expect(ctx.appliances.find((a) => a.applianceId === 'svc-ctx.fridge')?.health).toBe('failing');
    expect(ctx.appliances.find((a) => a.applianceId === 'svc-ctx.washer')?.health).toBe('ok');
    expect(ctx.openTickets.map((t) => t.ticketId)).toEqual([task.json.data.ticketId]);
    expect(ctx.recentAlarms.map((a) => a.alarmKey)).toContain('svc-ctx/svc-ctx.fridge|fault-code|E-CMP-01');
    expect(ctx.recentContacts.map((c) => c.taskId)).toEqual([task.json.data.taskId]);
    const stranger = (await s.http.call<Context>('GET', `/api/v1/context?phone=${encodeURIComponent('+49 30 1234567')}`)).body;
    expect(stranger).toMatchObject({ customer: null, likelyReason: null, openTickets: [] });
  });
});

describe('service levels, verification and the fleet red light (injected clock)', () => {
  const cc = new ContactCenterStandIn(SECRET);
  beforeAll(async () => {
    await cc.start();
  });
  afterAll(async () => {
    await cc.stop();
  });

  it('an unassigned ticket escalates to the fallback team; a resolved one is verified when the fault stays clear, and a recurrence reopens it', async () => {
    const clock = new ManualClock(Date.now());
    const s = await setup(cc, 'svc-sla', {}, { FORECARE_SLA_ASSIGN: '1h', FORECARE_VERIFY_AFTER: '2h', FORECARE_HUB_OFFLINE_AFTER: '2d' }, clock);
    try {
      await fault(s, 'svc-sla', 'E-CMP-01');
      const [t] = await until('ticket', async () => {
        const items = (await s.http.call<{ items: { ticketId: string }[] }>('GET', '/api/v1/tickets')).body.items;
        return items.length > 0 ? items : undefined;
      });
      const id = t?.ticketId ?? '';
      clock.advance(61 * 60_000);
      expect(s.gw.ctx.sla.check().escalated).toEqual([id]);
      const escalated = (await s.http.call<{ team: string; sla: { state: string } }>('GET', `/api/v1/tickets/${id}`)).body;
      expect(escalated).toMatchObject({ team: 'fallback', sla: { state: 'breached' } });
      expect(s.gw.ctx.sla.check().escalated).toEqual([]);
      await s.http.call('POST', `/api/v1/tickets/${id}/transition`, { to: 'assigned', assignee: 'tech-7' });
      await s.http.call('POST', `/api/v1/tickets/${id}/transition`, { to: 'resolved', by: 'tech-7', note: 'replaced start relay' });
      await fault(s, 'svc-sla', 'E-CMP-01', 'fridge', false);
      await sleep(200);
      clock.advance(3 * 3_600_000);
      expect(s.gw.ctx.sla.check().verified).toEqual([id]);
      expect((await s.http.call<{ status: string }>('GET', `/api/v1/tickets/${id}`)).body.status).toBe('verified');
      await fault(s, 'svc-sla', 'E-CMP-01');
      await until('reopened', async () => ((await s.http.call<{ status: string; reopenCount: number }>('GET', `/api/v1/tickets/${id}`)).body.reopenCount === 1 ? true : undefined));
      const metrics = await (await fetch(`http://127.0.0.1:${s.gw.httpPort}/metrics`)).text();
      expect(metrics).toMatch(/forecare_sla_breaches_total\{kind="unassigned"\} 1/);
    } finally {
      s.hub.end(true);
      await s.gw.stop();
    }
  });

  it('a spike of one fault on one model raises one fleet alert with the affected count', async () => {
    const s = await setup(cc, 'fleet-0');
    try {
      const hubs: MqttClient[] = [];
      for (let i = 1; i <= 7; i++) {
        const hubId = `fleet-${i}`;
        const { password } = (await s.http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId })).body;
        await s.http.call('POST', '/api/v1/appliances', { applianceId: `${hubId}.fridge`, hubId, type: 'refrigerator', model: 'RF-BAD' });
        const c = await connectHub(s.gw, hubId, password);
        hubs.push(c);
        await c.publishAsync(topics.fault(hubId, `${hubId}.fridge`), JSON.stringify({ ts: Date.now(), seq: 1, type: 'refrigerator', code: 'E-CMP-02', active: true }), { qos: 1 });
      }
      // Not behind the alert: the same code on another model, and another code on the same model.
      for (const [hubId, model, code] of [['fleet-ok', 'RF-OK', 'E-CMP-02'], ['fleet-other', 'RF-BAD', 'E-SNS-01']] as const) {
        const { password } = (await s.http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId })).body;
        await s.http.call('POST', '/api/v1/appliances', { applianceId: `${hubId}.fridge`, hubId, type: 'refrigerator', model });
        const c = await connectHub(s.gw, hubId, password);
        hubs.push(c);
        await c.publishAsync(topics.fault(hubId, `${hubId}.fridge`), JSON.stringify({ ts: Date.now(), seq: 1, type: 'refrigerator', code, active: true }), { qos: 1 });
      }
      type Alert = { alertId: string; model: string; faultCode: string; affected: number; appliances: { hubId: string; applianceId: string }[] };
      const alerts = await until('a fleet alert', async () => {
        const items = (await s.http.call<{ items: Alert[] }>('GET', '/api/v1/fleet/alerts')).body.items;
        return items.length > 0 && (items[0]?.affected ?? 0) >= 7 ? items : undefined;
      });
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ model: 'RF-BAD', faultCode: 'E-CMP-02' });
      // The red light lists its appliances, each by (hub, appliance), so the console links to their pages.
      expect(alerts[0]?.appliances.map((a) => `${a.hubId}/${a.applianceId}`).sort()).toEqual(Array.from({ length: 7 }, (_, i) => `fleet-${i + 1}/fleet-${i + 1}.fridge`).sort());
      // Closed (the admin token; the console offers it to managers): no longer open, and still lists its appliances.
      const id = alerts[0]?.alertId ?? '';
      expect((await s.http.call('POST', '/api/v1/fleet/alerts/F-NOPE/close', {})).status).toBe(404);
      expect((await s.http.call('POST', `/api/v1/fleet/alerts/${encodeURIComponent(id)}/close`, {})).status).toBe(200);
      expect((await s.http.call<{ items: Alert[] }>('GET', '/api/v1/fleet/alerts?status=open')).body.items).toEqual([]);
      const closed = (await s.http.call<{ items: Alert[] }>('GET', '/api/v1/fleet/alerts?status=closed')).body.items;
      expect(closed[0]?.appliances).toHaveLength(7);
      for (const c of hubs) c.end(true);
    } finally {
      s.hub.end(true);
      await s.gw.stop();
    }
  });
});
