import { randomBytes } from 'node:crypto';
import { and, desc, eq, gte, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import { lookupFault } from '@forecare/firmware-contracts';
import type { AlarmEvent } from '@forecare/rules';
import type { Clock } from '../clock.js';
import type { CustomerRegistry } from '../customers/customer-registry.js';
import { GatewayError } from '../errors.js';
import type { Metrics } from '../metrics/metrics.js';
import { rowColumns, type Store } from '../store/db.js';
import { ticketEvents, tickets } from '../store/schema.js';
import { ACTIVE_STATUSES, canMove, isActive, isTicketStatus, NEEDS_ASSIGNEE, type TicketStatus } from './lifecycle.js';

export type TicketRow = typeof tickets.$inferSelect;
export type TicketEventRow = typeof ticketEvents.$inferSelect;

export interface Ticket extends Omit<TicketRow, 'details'> {
  readonly details: TicketDetails;
  /** Service level now: red ('breached') past the promised time, amber when the promise or the assignment deadline is near. */
  readonly sla: { readonly state: 'ok' | 'at-risk' | 'breached'; readonly reason: string | null };
}

export type TicketPatch = Partial<Pick<TicketRow, 'assignee' | 'team' | 'slotStart' | 'slotEnd' | 'promisedBy'>>;

export interface SlaPolicy {
  /** An open ticket should be assigned within this long. */
  readonly assignWithinMs: number;
}

export interface TicketDetails {
  readonly customer: { customerId: string; name: string; phone: string; address: string; region: string; language: string } | null;
  readonly appliance: { applianceId: string; type: string; model: string | null; serial: string | null; installedAt: number | null; warrantyUntil: number | null; inWarranty: boolean | null } | null;
  readonly fault: { code: string | null; faultClass: string; meaning: string; severity: string; needsVisit: boolean; likelyPart: string | null };
  readonly telemetryExcerpt: { at: number; metrics: Record<string, number | boolean> }[];
  readonly facts: Record<string, string | number | boolean>;
}

export interface TicketFilter {
  status?: string[] | undefined;
  model?: string | undefined;
  fault?: string | undefined;
  region?: string | undefined;
  customerId?: string | undefined;
  hubId?: string | undefined;
  applianceId?: string | undefined;
  /** Age: opened at least this long ago… */
  olderThanMs?: number | undefined;
  /** …or at most this long ago. */
  newerThanMs?: number | undefined;
  limit?: number | undefined;
}

export interface TicketServiceOptions {
  /** A recurrence this long after the ticket was resolved or closed reopens it (FORECARE_REOPEN_WINDOW). */
  readonly reopenWindowMs: number;
  /** Service levels (the slaAssign setting); default: assigned within 4 h. */
  readonly slaPolicy?: SlaPolicy;
}

export interface OpenResult {
  readonly ticket: TicketRow;
  readonly outcome: 'opened' | 'attached' | 'reopened';
}

const EXCERPT_WINDOW_MS = 60 * 60_000;

/** Repair tickets: opened from alarms, deduplicated per appliance (or hub) and fault class. */
export class TicketService {
  // Prepared once: every alarm that reaches a ticket runs them.
  private readonly byId;
  private readonly latestForAppliance;
  private readonly latestForHub;
  private readonly attach;
  private readonly lastRepeatAt;
  private readonly insertTicket;
  private readonly insertEvent;
  private readonly excerpt;
  /** Read by the queue and the SLA figures; set once, from the options. */
  readonly slaPolicy: SlaPolicy;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly customers: CustomerRegistry,
    private readonly metrics: Metrics,
    private readonly options: TicketServiceOptions,
  ) {
    this.slaPolicy = options.slaPolicy ?? { assignWithinMs: 4 * 3_600_000 };
    this.byId = store.db.select().from(tickets).where(eq(tickets.ticketId, sql.placeholder('id'))).prepare();
    const sqlite = store.sqlite;
    // Every alarm runs one of these: raw, with LIMIT 1 written out (see rowColumns).
    this.latestForAppliance = sqlite.prepare(`SELECT ${rowColumns(tickets)} FROM tickets WHERE hub_id = ? AND appliance_id = ? AND fault_class = ? ORDER BY opened_at DESC LIMIT 1`);
    this.latestForHub = sqlite.prepare(`SELECT ${rowColumns(tickets)} FROM tickets WHERE hub_id = ? AND appliance_id IS NULL AND fault_class = ? ORDER BY opened_at DESC LIMIT 1`);
    this.attach = sqlite.prepare('UPDATE tickets SET alarm_count = alarm_count + 1, updated_at = ? WHERE ticket_id = ?');
    this.lastRepeatAt = sqlite.prepare("SELECT at FROM ticket_events WHERE ticket_id = ? AND type = 'repeat' ORDER BY id DESC LIMIT 1").pluck();
    this.insertTicket = sqlite.prepare(
      `INSERT INTO tickets (ticket_id, status, hub_id, appliance_id, customer_id, fault_class, fault_code, severity, title, details, alarm_key, region, model, opened_at, updated_at)
       VALUES (@ticketId, 'open', @hubId, @applianceId, @customerId, @faultClass, @faultCode, @severity, @title, @details, @alarmKey, @region, @model, @now, @now)`,
    );
    this.insertEvent = sqlite.prepare('INSERT INTO ticket_events (ticket_id, at, by, type, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.excerpt = sqlite.prepare('SELECT at, metrics FROM telemetry WHERE hub_id = ? AND appliance_id = ? AND at >= ? AND at <= ? ORDER BY at DESC LIMIT 30');
  }

  /** Opens a ticket for an alarm, or attaches the alarm to the open one. Call inside a transaction. */
  openOrAttach(event: AlarmEvent): OpenResult {
    const faultClass = event.fault?.faultClass ?? event.ruleId;
    const now = this.clock.now();
    const latest = (event.applianceId !== undefined ? this.latestForAppliance.get(event.hubId, event.applianceId, faultClass) : this.latestForHub.get(event.hubId, faultClass)) as TicketRow | undefined;
    if (latest !== undefined && isTicketStatus(latest.status)) {
      if (ACTIVE_STATUSES.includes(latest.status)) {
        this.attach.run(now, latest.ticketId);
        // One history line per minute of repeats: a burst of a thousand stays readable (the count keeps every one).
        const lastRepeat = this.lastRepeatAt.get(latest.ticketId) as number | undefined;
        if (lastRepeat === undefined || now - lastRepeat >= 60_000) this.event(latest.ticketId, 'system', 'repeat', null, null, `${event.title} (${event.key}) again`);
        return { ticket: this.require(latest.ticketId), outcome: 'attached' };
      }
      const endedAt = latest.resolvedAt ?? latest.closedAt ?? latest.updatedAt;
      if (latest.status !== 'cancelled' && now - endedAt <= this.options.reopenWindowMs) {
        this.store.db
          .update(tickets)
          .set({ status: 'open', reopenCount: latest.reopenCount + 1, alarmCount: latest.alarmCount + 1, updatedAt: now, resolvedAt: null, closedAt: null })
          .where(eq(tickets.ticketId, latest.ticketId))
          .run();
        this.event(latest.ticketId, 'system', 'reopened', latest.status, 'open', `recurred: ${event.title}; repeat repair`);
        this.metrics.ticketTransitions.inc({ to: 'open' });
        return { ticket: this.require(latest.ticketId), outcome: 'reopened' };
      }
    }
    const details = this.autofill(event, faultClass, now);
    const ticketId = `T-${now.toString(36).toUpperCase()}-${randomBytes(3).toString('hex').toUpperCase()}`;
    this.insertTicket.run({
      ticketId,
      hubId: event.hubId,
      applianceId: event.applianceId ?? null,
      customerId: details.customer?.customerId ?? null,
      faultClass,
      faultCode: event.fault?.code ?? null,
      severity: event.severity,
      title: event.title,
      details: JSON.stringify(details),
      alarmKey: event.alarmKey,
      region: details.customer?.region ?? '',
      model: details.appliance?.model ?? null,
      now,
    });
    this.event(ticketId, 'system', 'opened', null, 'open', event.title);
    this.metrics.ticketsOpened.inc({ fault_class: faultClass });
    return { ticket: this.require(ticketId), outcome: 'opened' };
  }

  private autofill(event: AlarmEvent, faultClass: string, now: number): TicketDetails {
    const appliance = event.applianceId !== undefined ? this.customers.appliance(event.hubId, event.applianceId) : undefined;
    const customer =
      (appliance?.customerId != null ? this.customers.get(appliance.customerId) : undefined) ?? this.customers.customerOfHub(event.hubId);
    const spec = event.fault !== undefined && event.applianceType !== undefined ? lookupFault(event.applianceType, event.fault.code) : undefined;
    const excerpt =
      event.applianceId === undefined
        ? []
        : (this.excerpt.all(event.hubId, event.applianceId, event.at - EXCERPT_WINDOW_MS, event.at + 60_000) as { at: number; metrics: string }[])
            .reverse()
            .map((r) => ({ at: r.at, metrics: JSON.parse(r.metrics) as Record<string, number | boolean> }));
    return {
      customer:
        customer === undefined
          ? null
          : { customerId: customer.customerId, name: customer.name, phone: customer.phone, address: customer.address, region: customer.region, language: customer.language },
      appliance:
        appliance === undefined
          ? null
          : {
              applianceId: appliance.applianceId,
              type: appliance.type,
              model: appliance.model,
              serial: appliance.serial,
              installedAt: appliance.installedAt,
              warrantyUntil: appliance.warrantyUntil,
              inWarranty: appliance.warrantyUntil === null ? null : appliance.warrantyUntil > now,
            },
      fault: {
        code: event.fault?.code ?? null,
        faultClass,
        meaning: spec?.meaning ?? event.title,
        severity: event.severity,
        needsVisit: spec?.needsVisit ?? true,
        likelyPart: spec?.likelyPart ?? null,
      },
      telemetryExcerpt: excerpt,
      facts: { ...(event.facts ?? {}) },
    };
  }

  /**
   * A person's (or the contact center's) move of a ticket, recorded with who and when. Refused
   * with GW_ERR_TICKET_TRANSITION when the lifecycle does not allow it, when the move is to
   * verified (telemetry's call: see `verify`), or when an unfinished ticket is closed without a reason.
   */
  transition(ticketId: string, to: TicketStatus, by: string, note?: string, patch: TicketPatch = {}): Ticket {
    if (to === 'verified') throw new GatewayError('GW_ERR_TICKET_TRANSITION', `ticket ${ticketId}: verified is set by telemetry, when the fault stays clear after the repair`);
    return this.move(ticketId, to, by, note, patch);
  }

  /** Resolved → verified: the fault stayed clear for the configured time (the service-level clock's move). */
  verify(ticketId: string, note: string): Ticket {
    return this.move(ticketId, 'verified', 'telemetry', note, {});
  }

  private move(ticketId: string, to: TicketStatus, by: string, note: string | undefined, patch: TicketPatch): Ticket {
    return this.store.transaction(() => {
      const t = this.require(ticketId);
      const from = t.status as TicketStatus;
      if (from !== to && !canMove(from, to)) throw new GatewayError('GW_ERR_TICKET_TRANSITION', `ticket ${ticketId} cannot move from ${from} to ${to}`);
      if (to === 'closed' && isActive(from) && (note === undefined || note.trim() === '')) {
        throw new GatewayError('GW_ERR_TICKET_TRANSITION', `ticket ${ticketId} is ${from}: closing it before the repair needs a reason`);
      }
      const now = this.clock.now();
      this.store.db
        .update(tickets)
        .set({
          ...patch,
          status: to,
          updatedAt: now,
          ...(to === 'resolved' ? { resolvedAt: now } : {}),
          ...(to === 'closed' || to === 'cancelled' ? { closedAt: now } : {}),
        })
        .where(eq(tickets.ticketId, ticketId))
        .run();
      this.event(ticketId, by, 'status', from, to, note ?? null);
      this.metrics.ticketTransitions.inc({ to });
      return this.toTicket(this.require(ticketId));
    });
  }

  event(ticketId: string, by: string, type: string, fromStatus: string | null, toStatus: string | null, note: string | null): void {
    this.insertEvent.run(ticketId, this.clock.now(), by, type, fromStatus, toStatus, note);
  }

  require(ticketId: string): TicketRow {
    const t = this.byId.get({ id: ticketId });
    if (t === undefined) throw new GatewayError('GW_ERR_TICKET_UNKNOWN', `ticket ${ticketId} does not exist`);
    return t;
  }

  get(ticketId: string): Ticket {
    return this.toTicket(this.require(ticketId));
  }

  events(ticketId: string): TicketEventRow[] {
    return this.store.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).orderBy(ticketEvents.id).all();
  }

  list(filter: TicketFilter = {}): Ticket[] {
    const where: SQL[] = [];
    if (filter.status !== undefined && filter.status.length > 0) where.push(inArray(tickets.status, filter.status));
    if (filter.model !== undefined) where.push(eq(tickets.model, filter.model));
    if (filter.fault !== undefined) {
      const f = or(eq(tickets.faultCode, filter.fault), eq(tickets.faultClass, filter.fault));
      if (f !== undefined) where.push(f);
    }
    if (filter.region !== undefined) where.push(eq(tickets.region, filter.region));
    if (filter.customerId !== undefined) where.push(eq(tickets.customerId, filter.customerId));
    if (filter.hubId !== undefined) where.push(eq(tickets.hubId, filter.hubId));
    if (filter.applianceId !== undefined) where.push(eq(tickets.applianceId, filter.applianceId));
    if (filter.olderThanMs !== undefined) where.push(lte(tickets.openedAt, this.clock.now() - filter.olderThanMs));
    if (filter.newerThanMs !== undefined) where.push(gte(tickets.openedAt, this.clock.now() - filter.newerThanMs));
    return this.store.db
      .select()
      .from(tickets)
      .where(and(...where))
      .orderBy(desc(tickets.openedAt))
      .limit(filter.limit ?? 500)
      .all()
      .map((t) => this.toTicket(t));
  }


  slaOf(row: TicketRow, now = this.clock.now()): Ticket['sla'] {
    if (!isActive(row.status)) return { state: 'ok', reason: null };
    if (row.promisedBy !== null && now > row.promisedBy) return { state: 'breached', reason: 'past the promised time' };
    const unassigned = row.assignee === null && (NEEDS_ASSIGNEE as readonly string[]).includes(row.status);
    if (unassigned && now - row.openedAt > this.slaPolicy.assignWithinMs) return { state: 'breached', reason: 'not assigned in time' };
    if (row.promisedBy !== null && row.promisedBy - now < 2 * 3_600_000) return { state: 'at-risk', reason: 'promised time within 2 h' };
    if (unassigned && now - row.openedAt > this.slaPolicy.assignWithinMs / 2) return { state: 'at-risk', reason: 'assignment deadline near' };
    return { state: 'ok', reason: null };
  }

  private toTicket(row: TicketRow): Ticket {
    return { ...row, details: JSON.parse(row.details) as TicketDetails, sla: this.slaOf(row) };
  }
}
