import type { JournalEntry } from '../ingest/journal.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/db.js';

/**
 * Keeps rows derived from journal entries that are not the rules' business (presence, chart
 * history). Told every entry before the engine judges it, and again on a replay: a listener
 * must write nothing new for an entry it has seen.
 */
export interface JournalListener {
  onEntry(entry: JournalEntry): void;
}

/** The listeners of one gateway, told each batch in one transaction; their failure is logged and the rules go on. */
export class JournalListeners {
  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly listeners: readonly JournalListener[],
  ) {}

  onEntries(entries: readonly JournalEntry[]): void {
    if (this.listeners.length === 0) return;
    try {
      this.store.transaction(() => {
        for (const entry of entries) for (const l of this.listeners) l.onEntry(entry);
      });
    } catch (err) {
      this.logger.error({ err, from: entries[0]?.pos }, 'presence and chart rows not written for a batch');
    }
  }
}
