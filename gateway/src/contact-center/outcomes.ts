import type { GatewayContext } from '../context.js';
import { GatewayError } from '../errors.js';
import type { ContactPurpose } from '../notifications/policy.js';
import type { OutboxRow } from '../outbox/outbox.js';
import { webhookReceipts } from '../store/schema.js';
import { isActive } from '../tickets/lifecycle.js';

export const OUTCOMES = ['reached', 'booked', 'declined', 'no-answer', 'wrong-number'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface OutcomeReport {
  readonly taskId: string;
  readonly outcome: Outcome;
  readonly slot?: { readonly start: number; readonly end: number } | undefined;
  readonly note?: string | undefined;
}

const CHANNELS = ['voice', 'sms', 'push'] as const;
const MAX_FOLLOW_UPS = 2;
const RETRY_AFTER_MS = 2 * 3_600_000;

/**
 * What a contact outcome does: booked → the ticket is scheduled with the slot; declined →
 * the ticket is closed with the customer's reason; no answer → one more try on the next
 * channel, at the next allowed time (at once for a safety contact), at most twice; wrong number → the customer's number is marked
 * and proactive contact stops until it is corrected. Everything in one transaction, with the
 * callback's webhook id: an id seen before is a replay (refused, nothing changes), and an id
 * whose outcome failed to apply is not used up, so the contact center's retry of it is heard.
 */
export function applyOutcome(ctx: GatewayContext, webhookId: string, report: OutcomeReport): { task: OutboxRow; followUp: string | null } {
  const now = ctx.clock.now();
  let followUp: string | null = null;
  const task = ctx.store.transaction(() => {
    const fresh = ctx.store.db.insert(webhookReceipts).values({ webhookId, receivedAt: now }).onConflictDoNothing().run();
    if (fresh.changes === 0) throw new GatewayError('GW_ERR_SIGNATURE_INVALID', `webhook-id ${webhookId} was already received (replay)`);
    const t = ctx.outbox.recordOutcome(report.taskId, report.outcome, now);
    const ticket = t.ticketId === null ? undefined : ctx.tickets.require(t.ticketId);
    const active = ticket !== undefined && isActive(ticket.status);
    const note = `contact ${t.taskId}: ${report.outcome}${report.note !== undefined ? ` — ${report.note}` : ''}`;
    switch (report.outcome) {
      case 'booked':
        if (report.slot === undefined) throw new GatewayError('GW_ERR_VALIDATION', 'a booked outcome needs slot {start, end}');
        if (ticket !== undefined && active) ctx.tickets.transition(ticket.ticketId, 'scheduled', 'contact-center', note, { slotStart: report.slot.start, slotEnd: report.slot.end, promisedBy: report.slot.end });
        break;
      case 'declined':
        if (ticket !== undefined && active) ctx.tickets.transition(ticket.ticketId, 'closed', 'contact-center', `customer declined: ${report.note ?? 'no reason given'} (contact ${t.taskId})`);
        break;
      case 'wrong-number':
        if (t.customerId !== null) ctx.customers.update(t.customerId, { phoneInvalidAt: now });
        if (ticket !== undefined) ctx.tickets.event(ticket.ticketId, 'contact-center', 'contact', null, null, `${note}; the customer's number needs correcting`);
        break;
      case 'no-answer': {
        if (ticket !== undefined) ctx.tickets.event(ticket.ticketId, 'contact-center', 'contact', null, null, note);
        followUp = scheduleFollowUp(ctx, t, now);
        break;
      }
      case 'reached':
        if (ticket !== undefined) ctx.tickets.event(ticket.ticketId, 'contact-center', 'contact', null, null, note);
        break;
    }
    return ctx.outbox.require(t.taskId);
  });
  ctx.metrics.contactOutcomes.inc({ outcome: report.outcome });
  ctx.bus.publish({ type: 'contact', data: { taskId: task.taskId, outcome: report.outcome, ticketId: task.ticketId } });
  if (followUp !== null) ctx.worker.kick();
  return { task, followUp };
}

/**
 * The follow-up of a task is the next in its chain (X → X~1 → X~2): its id depends only on
 * the task answered, so the same no-answer reported twice schedules one follow-up.
 */
function scheduleFollowUp(ctx: GatewayContext, t: OutboxRow, now: number): string | null {
  const [, root = t.taskId, n = '0'] = /^(.*?)(?:~(\d+))?$/.exec(t.taskId) ?? [];
  const tries = Number(n);
  if (tries >= MAX_FOLLOW_UPS || t.customerId === null) return null;
  const customer = ctx.customers.get(t.customerId);
  if (customer === undefined) return null;
  const next = CHANNELS[(Math.max(0, CHANNELS.indexOf(t.channel as (typeof CHANNELS)[number])) + 1) % CHANNELS.length] ?? 'sms';
  // A safety contact cannot wait: its next channel is tried at once. Others wait a while, and for the next allowed time.
  const at = t.purpose === 'safety' ? now : now + RETRY_AFTER_MS;
  const taskId = `${root}~${tries + 1}`;
  const result = ctx.contacts.request({
    task: { cause: taskId, purpose: t.purpose as ContactPurpose, hubId: t.hubId, applianceId: t.applianceId, ticketId: t.ticketId, customerId: t.customerId, payload: { ...(JSON.parse(t.payload) as Record<string, unknown>), followUpOf: t.taskId } },
    customer,
    at,
    followUp: { taskId, channel: next, urgency: t.urgency === 'urgent' ? 'urgent' : 'normal' },
  });
  if (!result.send) return null;
  return taskId;
}
