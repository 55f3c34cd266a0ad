import { eq } from 'drizzle-orm';
import type { Store } from './db.js';
import { fleetAlerts } from './schema.js';

/** Changes to fleet alerts made by people (the fleet monitor opens and lists them). */
export class FleetAlertStore {
  constructor(private readonly store: Store) {}

  /** Closes an alert; false when there is no such alert. */
  async close(alertId: string, at: number): Promise<boolean> {
    return this.store.db.update(fleetAlerts).set({ status: 'closed', updatedAt: at }).where(eq(fleetAlerts.alertId, alertId)).run().changes > 0;
  }
}
