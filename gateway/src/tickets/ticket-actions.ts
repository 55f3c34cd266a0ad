import { GatewayError } from '../errors.js';
import { LocalClock, isIsoDate } from '../forecast/local-time.js';
import type { Role } from '../users/user-store.js';
import { ACTIVE_STATUSES, canMove, type TicketStatus } from './lifecycle.js';

/**
 * What a person can do with a ticket, by its state and their role: the console shows exactly
 * these buttons, and the action route refuses anything else (409) — so a resolved ticket never
 * offers Resolve, and an engineer (who writes rules, not visits) is offered nothing.
 */
export const TICKET_ACTIONS = ['assign', 'schedule', 'start', 'resolve', 'reopen', 'cancel', 'close'] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

/** Roles that work tickets. */
export const TICKET_WORKERS: readonly Role[] = ['dispatcher', 'manager', 'admin'];

/** How a repair ended: recorded with the resolution, reported in the service-level figures. */
export const RESOLUTION_CODES = ['repaired', 'part-replaced', 'adjusted', 'no-fault-found', 'replaced-appliance', 'customer-fixed'] as const;

/** The status an action moves a ticket to (assign keeps a scheduled or started ticket where it is). */
export function targetOf(action: TicketAction, from: TicketStatus): TicketStatus {
  switch (action) {
    case 'assign':
      return from === 'open' ? 'assigned' : from;
    case 'schedule':
      return 'scheduled';
    case 'start':
      return 'in_progress';
    case 'resolve':
      return 'resolved';
    case 'reopen':
      return 'open';
    case 'cancel':
      return 'cancelled';
    case 'close':
      return 'closed';
  }
}

/** Allowed when the lifecycle allows the move; assign only while the ticket is still to be done; close only after verification. */
export function allowed(action: TicketAction, from: TicketStatus): boolean {
  if (action === 'assign') return ['open', 'assigned', 'scheduled', 'in_progress'].includes(from);
  if (action === 'close') return from === 'verified';
  // Back to open from assigned is an unassignment, not a reopen: reopen is for finished tickets.
  if (action === 'reopen') return !ACTIVE_STATUSES.includes(from) && canMove(from, 'open');
  return canMove(from, targetOf(action, from));
}

export function actionsFor(status: TicketStatus, role: Role): TicketAction[] {
  if (!TICKET_WORKERS.includes(role)) return [];
  return TICKET_ACTIONS.filter((a) => allowed(a, status));
}

export function requireAllowed(ticketId: string, action: TicketAction, from: TicketStatus): void {
  if (!allowed(action, from)) throw new GatewayError('GW_ERR_TICKET_TRANSITION', `ticket ${ticketId} is ${from}: ${action} is not possible now`);
}

export interface Visit {
  /** Local date in the customer's time zone, YYYY-MM-DD. */
  date: string;
  /** Local start and end, HH:MM. */
  from: string;
  to: string;
}

const hhmm = (s: string): number | undefined => {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
  return m === null ? undefined : Number(m[1]) * 60 + Number(m[2]);
};

/**
 * A visit as instants, checked in the customer's time zone: a date before the customer's today
 * (or a start already past) is refused with 400, as is an end before the start.
 */
export function visitSlot(visit: Visit, timeZone: string, now: number): { slotStart: number; slotEnd: number } {
  const clock = new LocalClock(timeZone);
  const from = hhmm(visit.from);
  const to = hhmm(visit.to);
  if (!isIsoDate(visit.date) || from === undefined || to === undefined) throw new GatewayError('GW_ERR_VALIDATION', 'a visit is a date YYYY-MM-DD with times HH:MM');
  if (to <= from) throw new GatewayError('GW_ERR_VALIDATION', `the visit ends (${visit.to}) before it starts (${visit.from})`);
  const today = clock.local(now).date;
  if (visit.date < today) throw new GatewayError('GW_ERR_VALIDATION', `the visit date ${visit.date} is in the past for the customer (today is ${today} in ${timeZone})`);
  // Through the hour, so a daylight-saving day still lands on the customer's wall clock.
  const at = (minutes: number): number => clock.startOf(visit.date, Math.floor(minutes / 60)) + (minutes % 60) * 60_000;
  const slotStart = at(from);
  if (slotStart < now) throw new GatewayError('GW_ERR_VALIDATION', `the visit starts at ${visit.from} on ${visit.date}, already past in ${timeZone}`);
  return { slotStart, slotEnd: at(to) };
}

/** A slot given as instants (the transition route): refused when its day is before the customer's today. */
export function refusePastSlot(slotStart: number, timeZone: string, now: number): void {
  const clock = new LocalClock(timeZone);
  const day = clock.local(slotStart).date;
  const today = clock.local(now).date;
  if (day < today) throw new GatewayError('GW_ERR_VALIDATION', `the visit date ${day} is in the past for the customer (today is ${today} in ${timeZone})`);
}
