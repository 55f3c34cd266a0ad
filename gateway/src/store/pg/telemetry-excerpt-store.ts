import { and, asc, eq, gte, lte } from 'drizzle-orm';
import type { TelemetryExcerptStore, TelemetryPoint } from '../ports/telemetry-excerpts.js';
import { pointsOfRows } from '../telemetry-rows.js';
import type { PgStore } from './pg-store.js';
import { telemetry } from './schema.js';

/**
 * Telemetry excerpts on PostgreSQL, the `telemetry` table. A point's id comes from its journal
 * position, so the same point written twice (a replay, or two nodes during a takeover) is kept
 * once: the second insert does nothing.
 */
export class PgTelemetryExcerptStore implements TelemetryExcerptStore {
  constructor(private readonly store: PgStore) {}

  async add(p: TelemetryPoint): Promise<void> {
    await this.store.db.insert(telemetry).values({ id: p.id, hubId: p.hubId, applianceId: p.applianceId, at: p.at, deviceTs: p.deviceTs, metrics: JSON.stringify(p.metrics) }).onConflictDoNothing();
  }

  async points(hubId: string, applianceId: string, from: number, to: number, limit: number): Promise<TelemetryPoint[]> {
    // PostgreSQL refuses a negative LIMIT; no limit above 0 is no point.
    if (!(limit > 0) || from > to) return [];
    const rows = await this.store.db
      .select()
      .from(telemetry)
      .where(and(eq(telemetry.hubId, hubId), eq(telemetry.applianceId, applianceId), gte(telemetry.at, from), lte(telemetry.at, to)))
      .orderBy(asc(telemetry.at), asc(telemetry.id))
      .limit(Math.floor(limit));
    return pointsOfRows(rows);
  }
}
