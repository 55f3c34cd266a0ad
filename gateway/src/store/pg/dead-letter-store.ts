import type { DeadLetter, DeadLetterStore } from '../ports/dead-letters.js';
import { chunks, type PgStore } from './pg-store.js';
import { deadLetters } from './schema.js';

/** Rows per insert: 7 parameters each, under PostgreSQL's 65,535 per statement. */
const ROWS_PER_STATEMENT = 5000;

/**
 * Dead letters on PostgreSQL. A call is one transaction, so a batch is kept whole or not at
 * all even when it takes several statements; ids come from a sequence, so nodes appending at
 * once never collide.
 */
export class PgDeadLetterStore implements DeadLetterStore {
  constructor(private readonly store: PgStore) {}

  async append(letters: readonly { readonly letter: DeadLetter; readonly receivedAt: number }[]): Promise<void> {
    if (letters.length === 0) return;
    const rows = letters.map(({ letter: l, receivedAt }) => ({ receivedAt, hubId: l.hubId, clientId: l.clientId, topic: l.topic, reason: l.reason, errors: JSON.stringify(l.errors), payload: l.payload }));
    const parts = chunks(rows, ROWS_PER_STATEMENT);
    if (parts.length === 1) {
      // One statement is atomic by itself: no transaction round trips on the usual small batch.
      await this.store.db.insert(deadLetters).values(rows);
      return;
    }
    await this.store.transaction(async (tx) => {
      for (const part of parts) await tx.insert(deadLetters).values(part);
    });
  }
}
