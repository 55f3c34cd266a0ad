import type { Store } from '../db.js';
import type { TelemetryExcerptStore, TelemetryPoint } from '../ports/telemetry-excerpts.js';
import { pointsOfRows, type TelemetryRow } from '../telemetry-rows.js';
import { answer } from './answer.js';

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
    return answer(() => pointsOfRows(this.select.all(hubId, applianceId, from, to, limit) as TelemetryRow[]));
  }
}
