/** Ticket lifecycle: open → assigned → scheduled → in progress → resolved → verified → closed, plus cancelled. */
export const TICKET_STATUSES = ['open', 'assigned', 'scheduled', 'in_progress', 'resolved', 'verified', 'closed', 'cancelled'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Statuses in which a repeat of the fault attaches to the ticket. */
export const ACTIVE_STATUSES: readonly TicketStatus[] = ['open', 'assigned', 'scheduled', 'in_progress'];

const NEXT: Record<TicketStatus, readonly TicketStatus[]> = {
  // An unfinished ticket may be closed when the customer declines the visit (a reason is required then).
  open: ['assigned', 'scheduled', 'resolved', 'closed', 'cancelled'],
  assigned: ['scheduled', 'in_progress', 'open', 'resolved', 'closed', 'cancelled'],
  scheduled: ['in_progress', 'assigned', 'resolved', 'closed', 'cancelled'],
  in_progress: ['resolved', 'scheduled', 'closed', 'cancelled'],
  // resolved → verified is the telemetry check's move (only it may make it); → open is a recurrence.
  // A resolved ticket is not closed by hand: verification by telemetry comes first.
  resolved: ['verified', 'open'],
  verified: ['closed', 'open'],
  closed: ['open'],
  cancelled: ['open'],
};

/** Statuses in which a ticket waits for a technician: past the deadline without one, it escalates (a visit the contact center booked needs one too). */
export const NEEDS_ASSIGNEE: readonly TicketStatus[] = ['open', 'scheduled'];

export function canMove(from: TicketStatus, to: TicketStatus): boolean {
  return NEXT[from].includes(to);
}

export function isTicketStatus(s: string): s is TicketStatus {
  return (TICKET_STATUSES as readonly string[]).includes(s);
}

export function isActive(s: string): boolean {
  return isTicketStatus(s) && ACTIVE_STATUSES.includes(s);
}
