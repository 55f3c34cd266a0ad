import type { JournalEntry } from '../ingest/journal.js';
import type { Logger } from '../log.js';
import type { TelemetryExcerptStore } from '../store/ports/telemetry-excerpts.js';
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

  constructor(
    private readonly excerpts: TelemetryExcerptStore,
    private readonly logger: Logger,
  ) {}

  onEntry(entry: JournalEntry): void {
    const m = entry.message;
    if (m.kind !== 'telemetry' || !this.written.due(m.hubId, m.applianceId, entry.receivedAt, TELEMETRY_ROW_EVERY_MS)) return;
    // The SQLite store writes at once, inside the listeners' transaction; a failure is logged and the chart has a gap.
    this.excerpts
      .add({ id: entry.pos * 1024, hubId: m.hubId, applianceId: m.applianceId, at: entry.receivedAt, deviceTs: m.payload.ts, metrics: m.payload.metrics })
      .catch((err: unknown) => this.logger.error({ err, hubId: m.hubId, applianceId: m.applianceId }, 'chart row not written'));
  }
}
