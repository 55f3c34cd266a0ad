import type { Store } from '../db.js';
import type { DeadLetter, DeadLetterStore } from '../ports/dead-letters.js';

/** Dead letters in the main SQLite file, one transaction per call. */
export class SqliteDeadLetterStore implements DeadLetterStore {
  private readonly commit;

  constructor(store: Store) {
    const insert = store.sqlite.prepare('INSERT INTO dead_letters (received_at, hub_id, client_id, topic, reason, errors, payload) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.commit = store.sqlite.transaction((letters: readonly { letter: DeadLetter; receivedAt: number }[]) => {
      for (const { letter: l, receivedAt } of letters) insert.run(receivedAt, l.hubId, l.clientId, l.topic, l.reason, JSON.stringify(l.errors), l.payload);
    });
  }

  append(letters: readonly { readonly letter: DeadLetter; readonly receivedAt: number }[]): Promise<void> {
    try {
      this.commit.immediate(letters);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }
}
