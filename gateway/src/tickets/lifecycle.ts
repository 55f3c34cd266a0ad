/** Ticket lifecycle: open → assigned → scheduled → in progress → resolved → verified → closed, plus cancelled. */
export const TICKET_STATUSES = ['open', 'assigned', 'scheduled', 'in_progress', 'resolved', 'verified', 'closed', 'cancelled'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Statuses in which a repeat of the fault attaches to the ticket. */
export const ACTIVE_STATUSES: readonly TicketStatus[] = ['open', 'assigned', 'scheduled', 'in_progress'];

const NEXT: Record<TicketStatus, readonly TicketStatus[]> = {
  open: ['assigned', 'scheduled', 'cancelled', 'resolved'],
  assigned: ['scheduled', 'in_progress', 'open', 'resolved', 'cancelled'],
  scheduled: ['in_progress', 'assigned', 'resolved', 'cancelled'],
  in_progress: ['resolved', 'scheduled', 'cancelled'],
  // resolved → verified is the telemetry check's move; → open is a recurrence.
  resolved: ['verified', 'open', 'closed'],
  verified: ['closed', 'open'],
  closed: ['open'],
  cancelled: ['open'],
};

export function canMove(from: TicketStatus, to: TicketStatus): boolean {
  return NEXT[from].includes(to);
}

export function isTicketStatus(s: string): s is TicketStatus {
  return (TICKET_STATUSES as readonly string[]).includes(s);
}
