import type { JournalEntry } from '../ingest/journal.js';
import type { Store } from '../store/db.js';
import { messageOfRow } from './engine-core.js';

/** Reads the journal back for a replay into the engine, in chunks of `chunk` entries. */
export class JournalReader {
  private readonly select;
  private readonly maxPos;

  constructor(
    store: Store,
    /** Entries per read: one engine request each. */
    private readonly chunk = 2000,
  ) {
    this.select = store.journal.prepare('SELECT pos, received_at, hub_id, appliance_id, kind, payload FROM journal WHERE pos > ? AND pos <= ? ORDER BY pos LIMIT ?');
    this.maxPos = store.journal.prepare('SELECT coalesce(max(pos), 0) AS pos FROM journal');
  }

  /** The last position committed. */
  end(): number {
    return (this.maxPos.get() as { pos: number }).pos;
  }

  /** Up to `chunk` entries after `after`, up to `upTo` included, in order. */
  read(after: number, upTo: number): JournalEntry[] {
    const rows = this.select.all(after, upTo, this.chunk) as { pos: number; received_at: number; hub_id: string; appliance_id: string | null; kind: string; payload: Buffer }[];
    return rows.map((r) => ({ pos: r.pos, receivedAt: r.received_at, message: messageOfRow(r) }));
  }

  /** Hands the entries after `after` up to `upTo` to `each`, a chunk at a time, in order; resolves with how many there were. */
  async replay(after: number, upTo: number, each: (entries: JournalEntry[], lastPos: number) => Promise<void>): Promise<number> {
    let replayed = 0;
    for (let from = after; from < upTo; ) {
      const entries = this.read(from, upTo);
      const last = entries[entries.length - 1];
      if (last === undefined) break;
      await each(entries, last.pos);
      from = last.pos;
      replayed += entries.length;
    }
    return replayed;
  }
}
