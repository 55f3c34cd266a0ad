import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { AlarmEvent } from '@forecare/rules';
import type { Clock } from '../clock.js';
import type { Store } from '../store/db.js';
import { alarmEvents, alarms } from '../store/schema.js';

export type AlarmRow = typeof alarms.$inferSelect;

/**
 * The gateway's record of alarms. `record` is idempotent on the event's identity
 * (alarm, transition, time, count, level): replaying the journal after a crash re-emits
 * events the engine already emitted, and those must not act twice.
 */
export class AlarmStore {
  private readonly insertEvent;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {
    this.insertEvent = store.sqlite.prepare(
      'INSERT OR IGNORE INTO alarm_events (alarm_key, transition, at, count, level, rule_id, hub_id, appliance_id, event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** Records the event; false when it was already applied (a replay). Call inside a transaction. */
  record(e: AlarmEvent): boolean {
    const r = this.insertEvent.run(e.alarmKey, e.transition, e.at, e.count, e.level, e.ruleId, e.hubId, e.applianceId ?? null, JSON.stringify(e));
    if (r.changes === 0) return false;
    const status = e.transition === 'cleared' ? 'cleared' : e.transition === 'acknowledged' ? 'acknowledged' : e.transition === 'raised' ? 'raised' : undefined;
    const now = this.clock.now();
    // What every event of an alarm updates; the insert adds what only its first one sets.
    const latest = { ruleVersion: e.ruleVersion, severity: e.severity, title: e.title, count: e.count, level: e.level, firstSeen: e.firstSeen, lastSeen: e.lastSeen, updatedAt: now };
    this.store.db
      .insert(alarms)
      .values({ ...latest, alarmKey: e.alarmKey, ruleId: e.ruleId, hubId: e.hubId, applianceId: e.applianceId ?? null, key: e.key, status: status ?? 'raised' })
      .onConflictDoUpdate({ target: alarms.alarmKey, set: { ...(status !== undefined ? { status } : {}), ...latest } })
      .run();
    return true;
  }

  linkTicket(alarmKey: string, ticketId: string): void {
    this.store.db.update(alarms).set({ ticketId }).where(eq(alarms.alarmKey, alarmKey)).run();
  }

  list(filter: { status?: string[] | undefined; hubId?: string | undefined; applianceId?: string | undefined; limit?: number | undefined } = {}): AlarmRow[] {
    const where: SQL[] = [];
    if (filter.status !== undefined && filter.status.length > 0) where.push(inArray(alarms.status, filter.status));
    if (filter.hubId !== undefined) where.push(eq(alarms.hubId, filter.hubId));
    if (filter.applianceId !== undefined) where.push(eq(alarms.applianceId, filter.applianceId));
    return this.store.db.select().from(alarms).where(and(...where)).orderBy(desc(alarms.lastSeen)).limit(filter.limit ?? 500).all();
  }

  get(alarmKey: string): AlarmRow | undefined {
    return this.store.db.select().from(alarms).where(eq(alarms.alarmKey, alarmKey)).get();
  }

  history(alarmKey: string): AlarmEvent[] {
    return this.store.db
      .select({ event: alarmEvents.event })
      .from(alarmEvents)
      .where(eq(alarmEvents.alarmKey, alarmKey))
      .orderBy(alarmEvents.id)
      .all()
      .map((r) => JSON.parse(r.event) as AlarmEvent);
  }
}
