import type { CustomerRegistry } from '../customers/customer-registry.js';
import type { JournalEntry } from '../ingest/journal.js';
import type { Logger } from '../log.js';
import type { HubStore } from '../store/ports/hubs.js';
import type { JournalListener } from './journal-listener.js';
import { ApplianceWrittenAt, WrittenAt } from './written-at.js';

const SEEN_WRITE_EVERY_MS = 30_000;

/** When each hub and appliance was last heard from: kept to the half minute, not per message. */
export class Presence implements JournalListener {
  private readonly hubWritten = new WrittenAt();
  private readonly applianceWritten = new ApplianceWrittenAt();

  constructor(
    private readonly hubs: HubStore,
    private readonly customers: CustomerRegistry,
    private readonly logger: Logger,
  ) {}

  onEntry(entry: JournalEntry): void {
    const m = entry.message;
    const at = entry.receivedAt;
    // The SQLite store writes at once, inside the listeners' transaction; a failure is logged, and the next due time tries again.
    if (this.hubWritten.due(m.hubId, at, SEEN_WRITE_EVERY_MS)) this.hubs.markHubSeen(m.hubId, at).catch((err: unknown) => this.logger.error({ err, hubId: m.hubId }, 'hub last-seen time not written'));
    if (m.kind !== 'telemetry' && m.kind !== 'fault' && m.kind !== 'inventory') return;
    if (this.applianceWritten.due(m.hubId, m.applianceId, at, SEEN_WRITE_EVERY_MS)) {
      this.customers.seen(m.hubId, m.applianceId, m.payload.type, m.kind === 'telemetry' ? m.payload.model : undefined, at);
    }
  }
}
