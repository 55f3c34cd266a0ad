import { validateNotice, type NoticePayload } from '@forecare/firmware-contracts';
import type { Clock } from '../clock.js';
import type { LiveEvent } from '../events/bus.js';
import type { NoticeSender } from '../ingest/ingest.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Store } from '../store/db.js';
import type { TicketService } from './ticket-service.js';

/** What a hub's screen shows; `verified` is the gateway's own check after `resolved`, not news for the home. */
const TOLD = new Set(['open', 'assigned', 'scheduled', 'in_progress', 'resolved', 'closed', 'cancelled']);

/**
 * Ticket news for the hub of the ticket (README, AsyncAPI `notices`, fixture
 * notices/valid-ticket.json): opened, assigned, scheduled with the visit time, in progress,
 * resolved, closed. It listens to the committed changes on the bus — a ticket event, or a
 * contact outcome that moved a ticket (a visit booked) — and tells the hub when what its
 * screen would show changed: the status, or the visit time. What was told is kept (the
 * `ticket_notices` table, owned here), so a repeat of the fault, a restart or a replay tells
 * nothing twice. Every notice is checked against the contract's schema before it is sent.
 */
export class TicketNotices {
  private readonly lastTold;
  private readonly keepTold;

  constructor(
    store: Store,
    private readonly tickets: TicketService,
    private readonly send: NoticeSender,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.lastTold = store.sqlite.prepare('SELECT told FROM ticket_notices WHERE ticket_id = ?').pluck();
    this.keepTold = store.sqlite.prepare('INSERT INTO ticket_notices (ticket_id, told, at) VALUES (?, ?, ?) ON CONFLICT (ticket_id) DO UPDATE SET told = excluded.told, at = excluded.at');
  }

  /** A bus listener; never throws (the bus would drop it). */
  onEvent(event: LiveEvent): void {
    if (event.type !== 'ticket' && event.type !== 'contact') return;
    const ticketId = event.data.ticketId;
    if (typeof ticketId !== 'string') return;
    try {
      this.tell(ticketId);
    } catch (err) {
      this.logger.error({ err, ticketId }, 'ticket notice not sent');
    }
  }

  private tell(ticketId: string): void {
    const t = this.tickets.require(ticketId);
    if (!TOLD.has(t.status)) return;
    const visit: Pick<NoticePayload, 'visitFrom' | 'visitTo'> = t.status === 'scheduled' && t.slotStart !== null ? { visitFrom: t.slotStart, ...(t.slotEnd !== null ? { visitTo: t.slotEnd } : {}) } : {};
    const told = `${t.status}${visitText(visit)}`;
    if (this.lastTold.get(ticketId) === told) return;
    const notice: NoticePayload = {
      ts: this.clock.now(),
      kind: 'ticket',
      ticketId,
      status: t.status,
      title: t.title.slice(0, 256),
      ...(t.applianceId !== null ? { applianceId: t.applianceId } : {}),
      ...visit,
    };
    const errors = validateNotice(notice);
    if (errors.length > 0) {
      this.metrics.rejects.inc({ reason: 'notice-off-contract' });
      this.logger.error({ ticketId, hubId: t.hubId, errors }, 'ticket notice does not match the contract: not sent');
      return;
    }
    this.send(t.hubId, notice);
    this.keepTold.run(ticketId, told, notice.ts);
    this.logger.info({ ticketId, hubId: t.hubId, applianceId: t.applianceId, status: t.status }, 'ticket news sent to the hub');
  }
}

function visitText(v: Pick<NoticePayload, 'visitFrom' | 'visitTo'>): string {
  if (v.visitFrom === undefined) return '';
  return `, visit ${new Date(v.visitFrom).toISOString()}${v.visitTo !== undefined ? ` to ${new Date(v.visitTo).toISOString()}` : ''}`;
}
