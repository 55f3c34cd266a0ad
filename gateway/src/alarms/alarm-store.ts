import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { AlarmEvent, ManualClear } from '@forecare/rules';
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
  // Prepared once: every alarm event runs them.
  private readonly insertEvent;
  private readonly upsertAlarm;
  private readonly setTicket;
  private readonly manualClears;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {
    this.insertEvent = store.sqlite.prepare(
      'INSERT OR IGNORE INTO alarm_events (alarm_key, transition, at, count, level, rule_id, hub_id, appliance_id, event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    // What every event of an alarm updates; the insert adds what only its first one sets. A null status keeps the stored one.
    this.upsertAlarm = store.sqlite.prepare(
      `INSERT INTO alarms (alarm_key, rule_id, rule_version, hub_id, appliance_id, key, status, severity, title, count, level, first_seen, last_seen, updated_at)
       VALUES (@alarmKey, @ruleId, @ruleVersion, @hubId, @applianceId, @key, coalesce(@status, 'raised'), @severity, @title, @count, @level, @firstSeen, @lastSeen, @updatedAt)
       ON CONFLICT (alarm_key) DO UPDATE SET status = coalesce(@status, status), rule_version = excluded.rule_version, severity = excluded.severity, title = excluded.title,
         count = excluded.count, level = excluded.level, first_seen = excluded.first_seen, last_seen = excluded.last_seen, updated_at = excluded.updated_at`,
    );
    this.setTicket = store.sqlite.prepare('UPDATE alarms SET ticket_id = ? WHERE alarm_key = ?');
    // By the `at` index: only the clears since a checkpoint are read, at each start.
    this.manualClears = store.sqlite.prepare("SELECT event FROM alarm_events WHERE at >= ? AND transition = 'cleared' AND json_extract(event, '$.reason') = 'manual' ORDER BY id");
  }

  /** Records the event; false when it was already applied (a replay). Call inside a transaction. */
  record(e: AlarmEvent): boolean {
    const r = this.insertEvent.run(e.alarmKey, e.transition, e.at, e.count, e.level, e.ruleId, e.hubId, e.applianceId ?? null, JSON.stringify(e));
    if (r.changes === 0) return false;
    const status = e.transition === 'cleared' ? 'cleared' : e.transition === 'acknowledged' ? 'acknowledged' : e.transition === 'raised' ? 'raised' : undefined;
    this.upsertAlarm.run({
      alarmKey: e.alarmKey,
      ruleId: e.ruleId,
      ruleVersion: e.ruleVersion,
      hubId: e.hubId,
      applianceId: e.applianceId ?? null,
      key: e.key,
      status: status ?? null,
      severity: e.severity,
      title: e.title,
      count: e.count,
      level: e.level,
      firstSeen: e.firstSeen,
      lastSeen: e.lastSeen,
      updatedAt: this.clock.now(),
    });
    return true;
  }

  /**
   * The alarms people cleared by hand at or after `since`, as the engine takes them again
   * (each names its alarm by first-seen, so one applied twice never clears a later alarm).
   */
  manualClearsSince(since: number): ManualClear[] {
    return (this.manualClears.all(since) as { event: string }[]).map((r) => {
      const e = JSON.parse(r.event) as AlarmEvent;
      return { alarmKey: e.alarmKey, at: e.at, by: e.by ?? '', firstSeen: e.firstSeen };
    });
  }

  linkTicket(alarmKey: string, ticketId: string): void {
    this.setTicket.run(ticketId, alarmKey);
  }

  list(filter: { status?: string[] | undefined; hubId?: string | undefined; applianceId?: string | undefined; limit?: number | undefined } = {}): AlarmRow[] {
    const where: SQL[] = [];
    if (filter.status !== undefined && filter.status.length > 0) where.push(inArray(alarms.status, filter.status));
    if (filter.hubId !== undefined) where.push(eq(alarms.hubId, filter.hubId));
    if (filter.applianceId !== undefined) where.push(eq(alarms.applianceId, filter.applianceId));
    return this.store.db.select().from(alarms).where(and(...where)).orderBy(desc(alarms.lastSeen)).limit(filter.limit ?? 500).all();
  }

  /** Every alarm attached to a ticket (the one that opened it and those attached since). */
  forTicket(ticketId: string): AlarmRow[] {
    return this.store.db.select().from(alarms).where(eq(alarms.ticketId, ticketId)).all();
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
