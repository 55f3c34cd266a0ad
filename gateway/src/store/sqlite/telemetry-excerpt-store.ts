import type { Store } from '../db.js';
import type { TelemetryExcerptStore, TelemetryPoint } from '../ports/telemetry-excerpts.js';
import { answer } from './answer.js';

interface Row {
  readonly id: number;
  readonly hubId: string;
  readonly applianceId: string;
  readonly at: number;
  readonly deviceTs: number;
  readonly metrics: string;
}

/** Telemetry excerpts in the main SQLite file, the `telemetry` table. */
export class SqliteTelemetryExcerptStore implements TelemetryExcerptStore {
  private readonly insert;
  private readonly select;

  constructor(store: Store) {
    this.insert = store.sqlite.prepare('INSERT OR IGNORE INTO telemetry (id, appliance_id, hub_id, at, device_ts, metrics) VALUES (?, ?, ?, ?, ?, ?)');
    this.select = store.sqlite.prepare(
      'SELECT id, hub_id AS hubId, appliance_id AS applianceId, at, device_ts AS deviceTs, metrics FROM telemetry WHERE hub_id = ? AND appliance_id = ? AND at >= ? AND at <= ? ORDER BY at, id LIMIT ?',
    );
  }

  add(p: TelemetryPoint): Promise<void> {
    return answer(() => void this.insert.run(p.id, p.applianceId, p.hubId, p.at, p.deviceTs, JSON.stringify(p.metrics)));
  }

  points(hubId: string, applianceId: string, from: number, to: number, limit: number): Promise<TelemetryPoint[]> {
    return answer(() => {
      const out: TelemetryPoint[] = [];
      for (const r of this.select.all(hubId, applianceId, from, to, limit) as Row[]) {
        const metrics = parseMetrics(r.metrics);
        // A row whose metrics are not an object (a damaged file) is left out of the chart, not thrown at it.
        if (metrics !== undefined) out.push({ id: r.id, hubId: r.hubId, applianceId: r.applianceId, at: r.at, deviceTs: r.deviceTs, metrics });
      }
      return out;
    });
  }
}

function parseMetrics(text: string): Record<string, number | boolean> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, number | boolean>) : undefined;
  } catch {
    return undefined;
  }
}
