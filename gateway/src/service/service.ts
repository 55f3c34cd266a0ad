import { lookupFault } from '@forecare/firmware-contracts';
import type { AlarmEvent } from '@forecare/rules';
import type { AlarmStore } from '../alarms/alarm-store.js';
import type { CustomerRegistry, CustomerRow } from '../customers/customer-registry.js';
import type { LiveEvent } from '../events/bus.js';
import type { FleetMonitor } from '../fleet/fleet-monitor.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { decideContact, type ContactPurpose } from '../notifications/policy.js';
import type { NewTask, Outbox } from '../outbox/outbox.js';
import type { TicketRow, TicketService } from '../tickets/ticket-service.js';

export interface ApplyResult {
  /** Committed-change notifications to publish once the surrounding transaction commits. */
  readonly live: LiveEvent[];
  readonly tasks: number;
}

const DAY_MS = 86_400_000;

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
    private readonly outbox: Outbox,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly fleet?: FleetMonitor,
  ) {}

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
    } else if (e.raises.includes('notification') && e.transition === 'raised') {
      if (this.contact(e, 'food', `alarm:${e.alarmKey}:raised`, null, live)) tasks++;
    }
    return { live, tasks };
  }

  /**
   * A hub-level alarm is the hub gone (rules/api.ts: only hub alarms lack an appliance).
   * When it clears — the hub is back — and its ticket is still open with nobody assigned,
   * nobody has acted on it and there is nothing left to do: the ticket closes by itself,
   * with a note. A ticket someone took (assigned, scheduled…) stays theirs to close.
   */
  private closeIfHubBackInTime(e: AlarmEvent, live: LiveEvent[]): void {
    if (e.applianceId !== undefined) return;
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
    const task: Omit<NewTask, 'channel' | 'urgency'> = {
      cause,
      purpose,
      hubId: e.hubId,
      applianceId: e.applianceId ?? null,
      ticketId: ticket?.ticketId ?? null,
      customerId: customer?.customerId ?? null,
      payload,
    };
    if (customer?.phoneInvalidAt != null) {
      this.outbox.suppress({ ...task, channel: 'none', urgency: 'normal' }, 'phone number reported wrong by the contact center');
      return false;
    }
    if (customer === undefined) {
      this.outbox.suppress({ ...task, channel: 'none', urgency: 'normal' }, 'no customer linked to this hub or appliance');
      this.logger.warn({ hubId: e.hubId, applianceId: e.applianceId, purpose }, 'contact suppressed: no customer linked');
      return false;
    }
    const decision = decideContact(customer, purpose, e.at, this.outbox.countForCustomerSince(customer.customerId, e.at - DAY_MS));
    const full: NewTask = { ...task, channel: decision.channel, urgency: decision.urgency, notBefore: decision.notBefore };
    if (!decision.send) {
      this.outbox.suppress(full, decision.reason ?? 'suppressed');
      this.logger.info({ customerId: customer.customerId, purpose, reason: decision.reason }, 'contact suppressed by policy');
      return false;
    }
    const written = this.outbox.enqueue(full);
    if (written) live.push({ type: 'contact', data: { cause, purpose, customerId: customer.customerId, ticketId: ticket?.ticketId ?? null } });
    return written;
  }

  private payloadOf(e: AlarmEvent, purpose: ContactPurpose, customer: CustomerRow | undefined, ticket: TicketRow | null, model: string | null): Record<string, unknown> {
    const language = customer?.language === 'zh' ? 'zh' : 'en';
    const spec = e.fault !== undefined && e.applianceType !== undefined ? lookupFault(e.applianceType, e.fault.code) : undefined;
    const message =
      purpose === 'food'
        ? foodMessage(e, language)
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

function foodMessage(e: AlarmEvent, language: 'en' | 'zh'): string {
  const items = e.items ?? [];
  const names = items.map((i) => i.name).join(', ');
  const expired = items.filter((i) => i.expired).length;
  if (language === 'zh') return `您的冰箱里有 ${items.length} 件食品即将过期${expired > 0 ? `（${expired} 件已过期）` : ''}：${names}`;
  return `${items.length} item${items.length === 1 ? '' : 's'} in your fridge ${items.length === 1 ? 'is' : 'are'} about to expire${expired > 0 ? ` (${expired} already expired)` : ''}: ${names}`;
}
