import type { JournalEntry } from '../ingest/journal.js';
import type { Store } from '../store/db.js';
import type { JournalListener } from './journal-listener.js';
import { ApplianceWrittenAt } from './written-at.js';

const TELEMETRY_ROW_EVERY_MS = 10_000;

/**
 * The console's charts: telemetry downsampled to one row per appliance per 10 s (the journal
 * keeps every message). Row ids are pos·1024 (at most 500 samples plus the message), so a
 * replay writes nothing new.
 */
export class ChartHistory implements JournalListener {
  private readonly written = new ApplianceWrittenAt();
  private readonly insertTelemetry;

  constructor(store: Store) {
    this.insertTelemetry = store.sqlite.prepare('INSERT OR IGNORE INTO telemetry (id, appliance_id, hub_id, at, device_ts, metrics) VALUES (?, ?, ?, ?, ?, ?)');
  }

  onEntry(entry: JournalEntry): void {
    const m = entry.message;
    if (m.kind !== 'telemetry' || !this.written.due(m.hubId, m.applianceId, entry.receivedAt, TELEMETRY_ROW_EVERY_MS)) return;
    this.insertTelemetry.run(entry.pos * 1024, m.applianceId, m.hubId, entry.receivedAt, m.payload.ts, JSON.stringify(m.payload.metrics));
  }
}
