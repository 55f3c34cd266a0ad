import { and, asc, desc, eq, gte, lte } from 'drizzle-orm';
import type { Store } from './db.js';
import { telemetry } from './schema.js';

export interface TelemetryPoint {
  readonly at: number;
  readonly metrics: Record<string, number | boolean>;
}

/** Reads of the recent telemetry window (the chart history) of one appliance; the history sink writes it. */
export class TelemetryStore {
  constructor(private readonly store: Store) {}

  /** Points in [from, to], oldest first, at most `limit`. */
  async range(hubId: string, applianceId: string, from: number, to: number, limit: number): Promise<TelemetryPoint[]> {
    const rows = this.store.db
      .select({ at: telemetry.at, metrics: telemetry.metrics })
      .from(telemetry)
      .where(and(eq(telemetry.hubId, hubId), eq(telemetry.applianceId, applianceId), gte(telemetry.at, from), lte(telemetry.at, to)))
      .orderBy(asc(telemetry.at))
      .limit(limit)
      .all();
    return rows.map((r) => ({ at: r.at, metrics: JSON.parse(r.metrics) as TelemetryPoint['metrics'] }));
  }

  /** The newest point, or undefined when the appliance has sent nothing in the window. */
  async latest(hubId: string, applianceId: string): Promise<TelemetryPoint | undefined> {
    const r = this.store.db
      .select({ at: telemetry.at, metrics: telemetry.metrics })
      .from(telemetry)
      .where(and(eq(telemetry.hubId, hubId), eq(telemetry.applianceId, applianceId)))
      .orderBy(desc(telemetry.at))
      .limit(1)
      .get();
    return r === undefined ? undefined : { at: r.at, metrics: JSON.parse(r.metrics) as TelemetryPoint['metrics'] };
  }
}
