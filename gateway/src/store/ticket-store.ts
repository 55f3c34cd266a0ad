import { eq, sql } from 'drizzle-orm';
import type { Store } from './db.js';
import { tickets } from './schema.js';

/**
 * Ticket changes made from the console beside a transition (tickets/ticket-service.ts owns the
 * lifecycle). They run inside the caller's transaction, together with the ticket service's own
 * writes, so they are synchronous as that service is: a promise cannot be awaited inside a
 * SQLite transaction without leaving it.
 */
export class TicketStore {
  constructor(private readonly store: Store) {}

  /** A repair that did not hold: one more repeat repair, counted as a recurrence is, and no longer resolved or closed. */
  countReopen(ticketId: string): void {
    this.store.db.update(tickets).set({ reopenCount: sql`${tickets.reopenCount} + 1`, resolvedAt: null, closedAt: null }).where(eq(tickets.ticketId, ticketId)).run();
  }

  /** The ticket is about this customer (and their region) from now on. */
  linkCustomer(ticketId: string, customerId: string, region: string, at: number): void {
    this.store.db.update(tickets).set({ customerId, region, updatedAt: at }).where(eq(tickets.ticketId, ticketId)).run();
  }

  setModel(ticketId: string, model: string, at: number): void {
    this.store.db.update(tickets).set({ model, updatedAt: at }).where(eq(tickets.ticketId, ticketId)).run();
  }
}
