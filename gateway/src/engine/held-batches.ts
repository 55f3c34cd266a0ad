import type { JournalEntry } from '../ingest/journal.js';
import type { JournalBatch } from '../store/journal-db.js';

interface Held {
  readonly entries: readonly JournalEntry[];
  readonly batch: JournalBatch | undefined;
  readonly release: () => void;
}

type Post = (entries: readonly JournalEntry[], batch: JournalBatch | undefined) => Promise<void> | undefined;

/** Batches committed while the engine is being rebuilt: their PUBACKs wait until the rebuilt engine has them. */
export class HeldBatches {
  private readonly held: Held[] = [];

  hold(entries: readonly JournalEntry[], batch: JournalBatch | undefined): Promise<void> {
    return new Promise((release) => this.held.push({ entries, batch, release }));
  }

  /** Posts each held batch the replay did not cover (`postedPos` is read before each); its PUBACKs go once `post` lets them. */
  releaseAll(postedPos: () => number, post: Post): void {
    for (const h of this.held.splice(0)) {
      const last = h.entries[h.entries.length - 1] as JournalEntry;
      if (last.pos <= postedPos()) h.release();
      else {
        const p = post(h.entries, h.batch);
        if (p === undefined) h.release();
        else void p.then(h.release);
      }
    }
  }
}
