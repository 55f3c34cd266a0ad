import type { CustomerRegistry } from '../customers/customer-registry.js';
import type { JournalEntry } from '../ingest/journal.js';
import type { Store } from '../store/db.js';
import type { JournalListener } from './journal-listener.js';
import { ApplianceWrittenAt, WrittenAt } from './written-at.js';

const SEEN_WRITE_EVERY_MS = 30_000;

/** When each hub and appliance was last heard from: kept to the half minute, not per message. */
export class Presence implements JournalListener {
  private readonly hubWritten = new WrittenAt();
  private readonly applianceWritten = new ApplianceWrittenAt();
  private readonly touchHub;

  constructor(
    store: Store,
    private readonly customers: CustomerRegistry,
  ) {
    this.touchHub = store.sqlite.prepare('UPDATE hubs SET last_seen_at = ? WHERE hub_id = ? AND (last_seen_at IS NULL OR last_seen_at < ?)');
  }

  onEntry(entry: JournalEntry): void {
    const m = entry.message;
    const at = entry.receivedAt;
    if (this.hubWritten.due(m.hubId, at, SEEN_WRITE_EVERY_MS)) this.touchHub.run(at, m.hubId, at);
    if (m.kind !== 'telemetry' && m.kind !== 'fault' && m.kind !== 'inventory') return;
    if (this.applianceWritten.due(m.hubId, m.applianceId, at, SEEN_WRITE_EVERY_MS)) {
      this.customers.seen(m.hubId, m.applianceId, m.payload.type, m.kind === 'telemetry' ? m.payload.model : undefined, at);
    }
  }
}
