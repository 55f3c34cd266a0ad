import { desc, inArray } from 'drizzle-orm';
import type { Store } from './db.js';
import { alarms } from './schema.js';
import type { AlarmRow } from '../alarms/alarm-store.js';

/** Reads of the alarms table across hubs (alarms/alarm-store.ts records them and reads one hub or appliance). */
export class HubAlarmStore {
  constructor(private readonly store: Store) {}

  /** The alarms of these hubs, most recently seen first, at most `limit`. */
  async recentOfHubs(hubIds: readonly string[], limit: number): Promise<AlarmRow[]> {
    if (hubIds.length === 0) return [];
    return this.store.db.select().from(alarms).where(inArray(alarms.hubId, [...hubIds])).orderBy(desc(alarms.lastSeen)).limit(limit).all();
  }
}
