import { and, asc, eq, gte, lte } from 'drizzle-orm';
import type { Store } from './db.js';
import { alarmEvents } from './schema.js';

export interface AlarmMark {
  readonly at: number;
  readonly transition: string;
  readonly ruleId: string;
  readonly alarmKey: string;
  /** The event's title and fault code, what a chart marker is labelled with. */
  readonly title: string | undefined;
  readonly faultCode: string | undefined;
}

/** Reads of the applied alarm events (the rule runner writes them). */
export class AlarmEventStore {
  constructor(private readonly store: Store) {}

  /** One appliance's alarm transitions in [from, to], oldest first, at most `limit`: its chart's markers. */
  async ofAppliance(hubId: string, applianceId: string, from: number, to: number, limit: number): Promise<AlarmMark[]> {
    const rows = this.store.db
      .select({ at: alarmEvents.at, transition: alarmEvents.transition, ruleId: alarmEvents.ruleId, alarmKey: alarmEvents.alarmKey, event: alarmEvents.event })
      .from(alarmEvents)
      .where(and(eq(alarmEvents.hubId, hubId), eq(alarmEvents.applianceId, applianceId), gte(alarmEvents.at, from), lte(alarmEvents.at, to)))
      .orderBy(asc(alarmEvents.at))
      .limit(limit)
      .all();
    return rows.map(({ event, ...m }) => {
      const e = JSON.parse(event) as { title?: string; fault?: { code?: string } };
      return { ...m, title: e.title, faultCode: e.fault?.code };
    });
  }
}
