import { foodDigestMessage, lookupFault } from '@forecare/firmware-contracts';
import type { AlarmEvent, ManualClear } from '@forecare/rules';
import type { AlarmStore } from '../alarms/alarm-store.js';
import type { CustomerRegistry, CustomerRow } from '../customers/customer-registry.js';
import type { LiveEvent } from '../events/bus.js';
import type { FleetMonitor } from '../fleet/fleet-monitor.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ContactPurpose } from '../notifications/policy.js';
import { taskIdOf } from '../outbox/outbox.js';
import type { ContactService } from './contact-service.js';
import type { TicketRow, TicketService } from '../tickets/ticket-service.js';

export interface ApplyResult {
  /** Committed-change notifications to publish once the surrounding transaction commits. */
  readonly live: LiveEvent[];
  readonly tasks: number;
}

/** A contact decided for an alarm event: sent (queued for the contact center) or not, and why. */
export interface ContactDecisionRecord {
  readonly at: number;
  readonly taskId: string;
  readonly cause: string;
  readonly purpose: ContactPurpose;
  readonly alarmKey: string;
  readonly hubId: string;
  readonly applianceId: string | null;
  readonly ticketId: string | null;
  readonly customerId: string | null;
  readonly send: boolean;
  readonly reason?: string | undefined;
  readonly channel: string;
  readonly notBefore?: number | undefined;
  /** Food: the items the contact tells. */
  readonly items?: readonly string[] | undefined;
}

/**
 * Turns alarm events into service: the alarm record, a repair ticket (one per appliance and
 * fault class; repeats attach), and a contact task through the notification policy. Runs
 * inside the caller's transaction so the ticket change and its task commit together, and is
 * idempotent: an event already applied (a journal replay) does nothing.
 */
export class ServiceLoop {
  constructor(
    private readonly alarmStore: AlarmStore,
    private readonly tickets: TicketService,
    private readonly customers: CustomerRegistry,
    /** The delivery worker is woken after the batch commits (the controller, on `contact` events). */
    private readonly contacts: ContactService,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly fleet?: FleetMonitor,
    /** Told of every contact decision, sent or suppressed (backtests list them). */
    private readonly decided?: (d: ContactDecisionRecord) => void,
  ) {}

  /** Alarms cleared by hand since `since` (see AlarmStore.manualClearsSince): a rebuilt engine takes them again. */
  manualClearsSince(since: number): ManualClear[] {
    return this.alarmStore.manualClearsSince(since);
  }

  apply(e: AlarmEvent): ApplyResult {
    const live: LiveEvent[] = [];
    if (!this.alarmStore.record(e)) return { live, tasks: 0 };
    this.metrics.alarmTransitions.inc({ rule: e.ruleId, transition: e.transition });
    live.push({ type: 'alarm', data: { ...e } });
    this.logger.info({ alarmKey: e.alarmKey, rule: e.ruleId, transition: e.transition, hubId: e.hubId, applianceId: e.applianceId, count: e.count }, 'alarm');
    this.fleet?.onRaised(e, live);
    let tasks = 0;
    if (e.transition === 'cleared') this.closeIfHubBackInTime(e, live);
    const opens = e.transition === 'raised' || e.transition === 'updated' || e.transition === 'escalated';
    if (!opens) return { live, tasks };
    if (e.raises.includes('ticket')) {
      const { ticket, outcome } = this.tickets.openOrAttach(e);
      this.alarmStore.linkTicket(e.alarmKey, ticket.ticketId);
      live.push({ type: 'ticket', data: { ticketId: ticket.ticketId, status: ticket.status, outcome, alarmKey: e.alarmKey, hubId: e.hubId, applianceId: e.applianceId ?? null } });
      if (outcome !== 'attached' && e.raises.includes('notification')) {
        const purpose: ContactPurpose = e.severity === 'safety' ? 'safety' : 'repair';
        if (this.contact(e, purpose, `ticket:${ticket.ticketId}:${outcome}:${ticket.reopenCount}`, ticket, live)) tasks++;
      }
    } else if (e.raises.includes('notification')) {
      const contact = notificationOf(e);
      if (contact !== undefined && this.contact(e, contact.purpose, contact.cause, null, live)) tasks++;
    }
    return { live, tasks };
  }

  /**
   * A hub-level alarm is the hub gone (rules/api.ts: only hub alarms lack an appliance).
   * When it clears — the hub is back — and its ticket is still open with nobody assigned,
   * nobody has acted on it and there is nothing left to do: the ticket closes by itself,
   * with a note. A ticket someone took (assigned, scheduled…) stays theirs to close.
   * A clear by hand says nothing about the hub (it may still be away): it closes no ticket.
   */
  private closeIfHubBackInTime(e: AlarmEvent, live: LiveEvent[]): void {
    if (e.applianceId !== undefined || e.reason === 'manual') return;
    const ticketId = this.alarmStore.get(e.alarmKey)?.ticketId;
    if (ticketId == null) return;
    const ticket = this.tickets.require(ticketId);
    if (ticket.status !== 'open' || ticket.assignee !== null) return;
    const note = `hub ${e.hubId} back online at ${new Date(e.at).toISOString()} before anyone acted: closed by itself`;
    let closed;
    try {
      closed = this.tickets.transition(ticketId, 'closed', 'system', note);
    } catch (err) {
      // Never worth failing the alarm's own change for: the ticket waits for a dispatcher instead.
      this.logger.warn({ err, ticketId, hubId: e.hubId }, 'hub-offline ticket not closed by itself');
      return;
    }
    live.push({ type: 'ticket', data: { ticketId, status: closed.status, outcome: 'auto-closed', alarmKey: e.alarmKey, hubId: e.hubId, applianceId: null } });
    this.logger.info({ ticketId, hubId: e.hubId, alarmKey: e.alarmKey }, 'hub-offline ticket closed: the hub is back');
  }

  private contact(e: AlarmEvent, purpose: ContactPurpose, cause: string, ticket: TicketRow | null, live: LiveEvent[]): boolean {
    const appliance = e.applianceId !== undefined ? this.customers.appliance(e.hubId, e.applianceId) : undefined;
    const customer = (appliance?.customerId != null ? this.customers.get(appliance.customerId) : undefined) ?? this.customers.customerOfHub(e.hubId);
    const payload = this.payloadOf(e, purpose, customer, ticket, appliance?.model ?? null);
    const task = {
      cause,
      purpose,
      hubId: e.hubId,
      applianceId: e.applianceId ?? null,
      ticketId: ticket?.ticketId ?? null,
      customerId: customer?.customerId ?? null,
      payload,
    };
    const result = this.contacts.request({ task, customer, at: e.at });
    if (!result.written) return false;
    // Told only of a decision taken now, not of one a replay finds already taken.
    this.decided?.({ at: e.at, taskId: taskIdOf(cause), cause, purpose, alarmKey: e.alarmKey, hubId: e.hubId, applianceId: task.applianceId ?? null, ticketId: task.ticketId ?? null, customerId: task.customerId ?? null, send: result.send, reason: result.reason, channel: result.channel, notBefore: result.notBefore, items: e.items?.map((i) => i.itemId) });
    if (!result.send) return false;
    live.push({ type: 'contact', data: { cause, purpose, customerId: customer?.customerId ?? null, ticketId: ticket?.ticketId ?? null } });
    return true;
  }

  private payloadOf(e: AlarmEvent, purpose: ContactPurpose, customer: CustomerRow | undefined, ticket: TicketRow | null, model: string | null): Record<string, unknown> {
    const language = customer?.language === 'zh' ? 'zh' : 'en';
    const spec = e.fault !== undefined && e.applianceType !== undefined ? lookupFault(e.applianceType, e.fault.code) : undefined;
    const message =
      purpose === 'food'
        ? foodDigestMessage(e.items ?? [], language)
        : (spec?.customerText[language] ?? e.title);
    return {
      customer: customer === undefined ? null : { customerId: customer.customerId, name: customer.name, phone: customer.phone, language: customer.language },
      message,
      reason: {
        rule: e.ruleId,
        alarmKey: e.alarmKey,
        severity: e.severity,
        title: e.title,
        ...(e.fault !== undefined ? { faultCode: e.fault.code, faultClass: e.fault.faultClass, meaning: spec?.meaning ?? e.title, likelyPart: spec?.likelyPart ?? null, needsVisit: spec?.needsVisit ?? true } : {}),
      },
      appliance: e.applianceId === undefined ? null : { applianceId: e.applianceId, type: e.applianceType ?? null, model },
      ticket: ticket === null ? null : { ticketId: ticket.ticketId, status: ticket.status },
      ...(e.items !== undefined ? { items: e.items } : {}),
      raisedAt: new Date(e.at).toISOString(),
    };
  }
}

/**
 * The contact a notification-only alarm makes, if any. A food digest tells each expiring item
 * once: the engine puts in each event only the items it brings (the digest that opens the day,
 * `raised`, or news joining it, `updated`), so both are contacted, each event once (its count
 * makes the cause). Other notifications (a door left open) are told when raised; the time makes
 * the cause, so the same alarm raised again another day is told again.
 */
function notificationOf(e: AlarmEvent): { purpose: ContactPurpose; cause: string } | undefined {
  if (e.items !== undefined) {
    if ((e.transition !== 'raised' && e.transition !== 'updated') || e.items.length === 0) return undefined;
    return { purpose: 'food', cause: `alarm:${e.alarmKey}:${e.transition}:${e.count}` };
  }
  if (e.transition !== 'raised') return undefined;
  return { purpose: e.severity === 'safety' ? 'safety' : 'repair', cause: `alarm:${e.alarmKey}:raised:${e.at}` };
}
