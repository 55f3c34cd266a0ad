import { and, desc, eq, isNull, or } from 'drizzle-orm';
import type { Store } from './db.js';
import { outbox } from './schema.js';

export interface ContactSummary {
  readonly taskId: string;
  readonly purpose: string;
  readonly status: string;
  readonly channel: string;
  readonly urgency: string;
  readonly ticketId: string | null;
  readonly outcome: string | null;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly deliveredAt: number | null;
}

/** Reads of contact tasks by appliance (outbox/outbox.ts writes them and reads them by task, ticket and customer). */
export class OutboxStore {
  constructor(private readonly store: Store) {}

  /** The contacts about one appliance or about its whole hub, newest first. */
  async ofAppliance(hubId: string, applianceId: string, limit: number): Promise<ContactSummary[]> {
    return this.store.db
      .select({
        taskId: outbox.taskId, purpose: outbox.purpose, status: outbox.status, channel: outbox.channel, urgency: outbox.urgency,
        ticketId: outbox.ticketId, outcome: outbox.outcome, lastError: outbox.lastError, createdAt: outbox.createdAt, deliveredAt: outbox.deliveredAt,
      })
      .from(outbox)
      .where(and(eq(outbox.hubId, hubId), or(eq(outbox.applianceId, applianceId), isNull(outbox.applianceId))))
      .orderBy(desc(outbox.createdAt))
      .limit(limit)
      .all();
  }
}
