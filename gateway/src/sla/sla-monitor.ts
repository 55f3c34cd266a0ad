import { and, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { AlarmStore } from '../alarms/alarm-store.js';
import type { Clock } from '../clock.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Store } from '../store/db.js';
import { tickets } from '../store/schema.js';
import { ACTIVE_STATUSES, NEEDS_ASSIGNEE, TICKET_STATUSES } from '../tickets/lifecycle.js';
import type { TicketService } from '../tickets/ticket-service.js';

export interface SlaOptions {
  readonly assignWithinMs: number;
  readonly fallbackTeam: string;
  /** A resolved ticket whose fault stays clear this long is verified. */
  readonly verifyAfterMs: number;
}

/**
 * The service-level clock, run every few seconds: tickets left without a technician past the
 * deadline (open, or scheduled by the contact center) go to the fallback team (once, recorded); tickets past their promised time light
 * red (once per promise: a ticket event, a metric and a live event); resolved tickets whose fault has
 * stayed clear long enough are verified by telemetry — a recurrence before that reopens
 * them through the normal alarm path instead.
 */
export class SlaMonitor {
  private timer: NodeJS.Timeout | undefined;
  /** Active tickets past their promise that have not lit red for this promise yet (a new promise can light again). */
  private readonly redTickets;

  constructor(
    private readonly store: Store,
    private readonly tickets: TicketService,
    private readonly alarms: AlarmStore,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly bus: EventBus,
    private readonly options: SlaOptions,
  ) {
    this.redTickets = store.sqlite.prepare(
      `SELECT ticket_id AS ticketId, status, promised_by AS promisedBy FROM tickets t
       WHERE status IN (${ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ')}) AND promised_by IS NOT NULL AND promised_by < ?
         AND NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.ticket_id AND e.type = 'sla-red' AND e.at >= t.promised_by)`,
    );
  }

  /** Escalated (unassigned too long), breached (newly past the promised time: red) and verified ticket ids. */
  check(): { escalated: string[]; breached: string[]; verified: string[] } {
    const now = this.clock.now();
    const escalated: string[] = [];
    const breached: string[] = [];
    const verified: string[] = [];
    const late = this.store.db
      .select()
      .from(tickets)
      .where(and(inArray(tickets.status, [...NEEDS_ASSIGNEE]), isNull(tickets.assignee), lte(tickets.openedAt, now - this.options.assignWithinMs), sql`coalesce(${tickets.team}, '') <> ${this.options.fallbackTeam}`))
      .all();
    for (const t of late) {
      this.store.transaction(() => {
        this.store.db.update(tickets).set({ team: this.options.fallbackTeam, updatedAt: now }).where(eq(tickets.ticketId, t.ticketId)).run();
        this.tickets.event(t.ticketId, 'sla', 'escalated', t.status, t.status, `not assigned within ${Math.round(this.options.assignWithinMs / 60_000)} min: sent to ${this.options.fallbackTeam}`);
      });
      this.metrics.slaBreaches.inc({ kind: 'unassigned' });
      this.bus.publish({ type: 'ticket', data: { ticketId: t.ticketId, status: t.status, outcome: 'escalated', team: this.options.fallbackTeam } });
      this.logger.warn({ ticketId: t.ticketId, team: this.options.fallbackTeam }, 'ticket not assigned in time: escalated to the fallback team');
      escalated.push(t.ticketId);
    }
    const red = this.redTickets.all(now) as { ticketId: string; status: string; promisedBy: number }[];
    for (const t of red) {
      this.tickets.event(t.ticketId, 'sla', 'sla-red', t.status, t.status, `past the promised time ${new Date(t.promisedBy).toISOString()}`);
      this.metrics.slaBreaches.inc({ kind: 'promise' });
      this.bus.publish({ type: 'ticket', data: { ticketId: t.ticketId, status: t.status, outcome: 'sla-red', promisedBy: t.promisedBy } });
      this.logger.warn({ ticketId: t.ticketId, promisedBy: t.promisedBy }, 'ticket past its promised time: red');
      breached.push(t.ticketId);
    }
    const resolved = this.store.db.select().from(tickets).where(and(eq(tickets.status, 'resolved'), lte(tickets.resolvedAt, now - this.options.verifyAfterMs))).all();
    for (const t of resolved) {
      // Verified only if every alarm of the ticket — the one that opened it and any attached
      // since (another code of the same fault class) — has been clear for the whole verification
      // time, not just now: a cleared alarm's lastSeen is when it cleared. A fault back since the
      // repair has reopened the ticket.
      const opening = this.alarms.get(t.alarmKey);
      const linked = this.alarms.forTicket(t.ticketId);
      const all = opening === undefined || linked.some((a) => a.alarmKey === opening.alarmKey) ? linked : [opening, ...linked];
      const clear = all.every((a) => a.status === 'cleared' && a.lastSeen <= now - this.options.verifyAfterMs);
      if (!clear) continue;
      this.tickets.verify(t.ticketId, `fault clear for ${Math.round(this.options.verifyAfterMs / 60_000)} min after the repair`);
      this.bus.publish({ type: 'ticket', data: { ticketId: t.ticketId, status: 'verified', outcome: 'verified' } });
      verified.push(t.ticketId);
    }
    const counts = this.store.db.select({ status: tickets.status, n: sql<number>`count(*)` }).from(tickets).where(inArray(tickets.status, [...TICKET_STATUSES])).groupBy(tickets.status).all();
    for (const status of TICKET_STATUSES) this.metrics.ticketsByStatus.set({ status }, counts.find((c) => c.status === status)?.n ?? 0);
    return { escalated, breached, verified };
  }

  start(everyMs = 5000): void {
    this.timer = setInterval(() => {
      try {
        this.check();
      } catch (err) {
        this.logger.error({ err }, 'service-level check failed');
      }
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}
