import { createHash } from 'node:crypto';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { Metrics } from '../metrics/metrics.js';
import { rowColumns, type Store } from '../store/db.js';
import { deliveryAttempts, outbox } from '../store/schema.js';

export type OutboxRow = typeof outbox.$inferSelect;
export type DeliveryAttemptRow = typeof deliveryAttempts.$inferSelect;

export const TASK_PURPOSES = ['repair', 'food', 'safety', 'ticket-update'] as const;
export type TaskPurpose = (typeof TASK_PURPOSES)[number];
export type TaskStatus = 'pending' | 'delivered' | 'dead' | 'suppressed';

export interface NewTask {
  /** Identity of what caused the task; the task id (and Idempotency-Key) is derived from it, so a replay writes nothing new. */
  readonly cause: string;
  readonly purpose: TaskPurpose;
  readonly hubId: string;
  readonly applianceId?: string | null | undefined;
  readonly ticketId?: string | null | undefined;
  readonly customerId?: string | null | undefined;
  readonly channel: string;
  readonly urgency: 'normal' | 'urgent';
  /** The body the contact center receives (without envelope fields). */
  readonly payload: Record<string, unknown>;
  /** Not before (quiet hours); defaults to now. */
  readonly notBefore?: number | undefined;
}

/** One delivery's result: its attempt and what becomes of the task. */
export interface DeliveryOutcome {
  readonly taskId: string;
  readonly attempt: DeliveryAttempt;
  readonly result: 'delivered' | 'dead' | 'retry';
  /** When the result is known (the delivered time). */
  readonly at: number;
  /** For a retry. */
  readonly nextAttemptAt?: number;
}

export interface DeliveryAttempt {
  readonly at: number;
  readonly status: number | null;
  readonly error: string | null;
  readonly durationMs: number;
}

/** Deterministic task id: the same cause always gives the same id. */
export function taskIdOf(cause: string): string {
  return 'task_' + createHash('sha256').update(cause).digest('base64url').slice(0, 26);
}

/**
 * Contact tasks for the contact center. `enqueue` runs inside the caller's transaction —
 * the ticket change and its contact task commit together or not at all — and is idempotent
 * on the task's cause.
 */
export class Outbox {
  // Prepared once: every contact task runs them.
  private readonly insertTask;
  private readonly insertAttempt;
  private readonly deliveredStmt;
  private readonly dueIds;
  private readonly pendingById;
  private readonly nextDue;
  private readonly pending;
  private readonly customerCount;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {
    const sqlite = store.sqlite;
    this.insertTask = sqlite.prepare(
      `INSERT INTO outbox (task_id, purpose, ticket_id, customer_id, hub_id, appliance_id, channel, urgency, payload, next_attempt_at, created_at)
       VALUES (@taskId, @purpose, @ticketId, @customerId, @hubId, @applianceId, @channel, @urgency, @payload, @nextAttemptAt, @createdAt) ON CONFLICT DO NOTHING`,
    );
    this.insertAttempt = sqlite.prepare('INSERT INTO delivery_attempts (task_id, at, status, error, duration_ms) VALUES (?, ?, ?, ?, ?)');
    this.deliveredStmt = sqlite.prepare("UPDATE outbox SET status = 'delivered', delivered_at = ?, last_status = ?, last_error = NULL, attempts = attempts + 1 WHERE task_id = ?");
    this.dueIds = sqlite.prepare("SELECT task_id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?").pluck();
    this.pendingById = sqlite.prepare(`SELECT ${rowColumns(outbox)} FROM outbox WHERE task_id = ? AND status = 'pending'`);
    this.nextDue = sqlite.prepare("SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending'").pluck();
    this.pending = sqlite.prepare("SELECT count(*) FROM outbox WHERE status = 'pending'").pluck();
    this.customerCount = sqlite.prepare("SELECT count(*) FROM outbox WHERE customer_id = ? AND status IN ('pending', 'delivered') AND created_at >= ?").pluck();
  }

  /** Writes the task; false when a task with the same cause exists already (a replay). */
  enqueue(task: NewTask): boolean {
    return this.enqueueWithId(taskIdOf(task.cause), task);
  }

  /** A task with a chosen id (follow-ups carry their original's id with a suffix); false when it exists. */
  enqueueWithId(taskId: string, task: NewTask): boolean {
    const now = this.clock.now();
    const r = this.insertTask.run({
      taskId,
      purpose: task.purpose,
      ticketId: task.ticketId ?? null,
      customerId: task.customerId ?? null,
      hubId: task.hubId,
      applianceId: task.applianceId ?? null,
      channel: task.channel,
      urgency: task.urgency,
      payload: JSON.stringify(task.payload),
      nextAttemptAt: Math.max(now, task.notBefore ?? now),
      createdAt: now,
    });
    if (r.changes === 0) return false;
    this.metrics.outboxTasks.inc({ purpose: task.purpose });
    return true;
  }

  /** Records a task decided against (no consent, cap reached) so the decision is visible. */
  suppress(task: NewTask, reason: string): boolean {
    const inserted = this.enqueue(task);
    if (inserted) {
      this.store.db.update(outbox).set({ status: 'suppressed', lastError: reason }).where(eq(outbox.taskId, taskIdOf(task.cause))).run();
    }
    return inserted;
  }

  /**
   * Ids of up to `limit` pending tasks due now, the longest waiting first: ids only, so the
   * worker reads each whole row (`pendingTask`) when it takes it, not a page of rows per delivery.
   */
  due(limit: number): string[] {
    return this.dueIds.all(this.clock.now(), limit) as string[];
  }

  /** The task if it is still pending (not delivered, dead or cancelled since it was listed). */
  pendingTask(taskId: string): OutboxRow | undefined {
    return this.pendingById.get(taskId) as OutboxRow | undefined;
  }

  nextDueAt(): number | null {
    return (this.nextDue.get() as number | null | undefined) ?? null;
  }

  pendingCount(): number {
    return (this.pending.get() as number | undefined) ?? 0;
  }

  private recordAttempt(taskId: string, attempt: DeliveryAttempt): void {
    this.insertAttempt.run(taskId, attempt.at, attempt.status, attempt.error, attempt.durationMs);
  }

  /**
   * What deliveries came to — each attempt and the task's new state — in one commit for the
   * lot (a commit per delivery was the delivery path's largest cost). Should the commit fail,
   * each outcome is tried in a commit of its own, so one bad row does not lose the others;
   * the answer holds each outcome's error, if any, in order.
   */
  recordOutcomes(outcomes: readonly DeliveryOutcome[]): (Error | undefined)[] {
    const apply = (o: DeliveryOutcome): void => {
      this.recordAttempt(o.taskId, o.attempt);
      if (o.result === 'delivered') this.markDelivered(o.taskId, o.attempt.status ?? 0, o.at);
      else if (o.result === 'dead') this.markDead(o.taskId, o.attempt.status, o.attempt.error ?? 'failed');
      else this.markRetry(o.taskId, o.attempt.status, o.attempt.error ?? 'failed', o.nextAttemptAt ?? o.at);
    };
    try {
      this.store.transaction(() => {
        for (const o of outcomes) apply(o);
      });
      return outcomes.map(() => undefined);
    } catch {
      return outcomes.map((o) => {
        try {
          this.store.transaction(() => apply(o));
          return undefined;
        } catch (err) {
          return err as Error;
        }
      });
    }
  }

  private markDelivered(taskId: string, status: number, at: number): void {
    this.deliveredStmt.run(at, status, taskId);
  }

  private markRetry(taskId: string, status: number | null, error: string, nextAttemptAt: number): void {
    this.store.db
      .update(outbox)
      .set({ lastStatus: status, lastError: error, nextAttemptAt, attempts: sql`${outbox.attempts} + 1` })
      .where(eq(outbox.taskId, taskId))
      .run();
  }

  private markDead(taskId: string, status: number | null, error: string): void {
    this.store.db
      .update(outbox)
      .set({ status: 'dead', lastStatus: status, lastError: error, attempts: sql`${outbox.attempts} + 1` })
      .where(eq(outbox.taskId, taskId))
      .run();
  }

  /**
   * Replay (operator action): a dead task goes back in the queue with a fresh retry budget,
   * a delivered one is sent again — under the same id and Idempotency-Key, so a contact center
   * that has it drops the repeat. The earlier attempts stay in the attempt log. Pending tasks
   * are queued already and suppressed ones were decided against: those are refused.
   */
  replay(taskId: string): OutboxRow {
    const t = this.require(taskId);
    if (t.status !== 'dead' && t.status !== 'delivered') throw new GatewayError('GW_ERR_OUTBOX_TASK_STATE', `contact task ${taskId} is ${t.status}: only dead or delivered tasks are replayed`);
    this.store.db.update(outbox).set({ status: 'pending', attempts: 0, nextAttemptAt: this.clock.now(), lastError: null, deliveredAt: null }).where(eq(outbox.taskId, t.taskId)).run();
    return this.require(taskId);
  }

  recordOutcome(taskId: string, outcome: string, at: number): OutboxRow {
    this.require(taskId);
    this.store.db.update(outbox).set({ outcome, outcomeAt: at }).where(eq(outbox.taskId, taskId)).run();
    return this.require(taskId);
  }

  get(taskId: string): OutboxRow | undefined {
    return this.store.db.select().from(outbox).where(eq(outbox.taskId, taskId)).get();
  }

  require(taskId: string): OutboxRow {
    const t = this.get(taskId);
    if (t === undefined) throw new GatewayError('GW_ERR_OUTBOX_TASK_UNKNOWN', `no contact task ${taskId}`);
    return t;
  }

  attempts(taskId: string): DeliveryAttemptRow[] {
    return this.store.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.taskId, taskId)).orderBy(asc(deliveryAttempts.id)).all();
  }

  list(filter: { status?: string[] | undefined; ticketId?: string | undefined; customerId?: string | undefined; limit?: number | undefined } = {}): OutboxRow[] {
    const where = [];
    if (filter.status !== undefined && filter.status.length > 0) where.push(inArray(outbox.status, filter.status));
    if (filter.ticketId !== undefined) where.push(eq(outbox.ticketId, filter.ticketId));
    if (filter.customerId !== undefined) where.push(eq(outbox.customerId, filter.customerId));
    return this.store.db
      .select()
      .from(outbox)
      .where(and(...where))
      .orderBy(desc(outbox.createdAt))
      .limit(filter.limit ?? 200)
      .all();
  }

  /** Contacts delivered or pending for a customer since `since` (frequency cap). */
  countForCustomerSince(customerId: string, since: number): number {
    return (this.customerCount.get(customerId, since) as number | undefined) ?? 0;
  }
}
