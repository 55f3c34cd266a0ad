import { desc, eq } from 'drizzle-orm';
import type { Store } from './db.js';
import { deadLetters } from './schema.js';

export interface DeadLetter {
  readonly id: number;
  readonly receivedAt: number;
  readonly hubId: string | null;
  readonly clientId: string | null;
  readonly topic: string;
  readonly reason: string;
  /** Why it was refused: where in the payload, and what. */
  readonly errors: readonly { pointer: string; message: string }[];
  /** The message as received, as UTF-8, cut to `payloadChars`. */
  readonly payload: string | null;
}

/** Reads of the dead letters (messages refused after the broker accepted them); the ingest writes them. */
export class DeadLetterStore {
  constructor(private readonly store: Store) {}

  /** Newest first; filtered in SQL, so one busy hub's letters do not push another's out of the page. */
  async list(filter: { hubId?: string | undefined; limit: number; payloadChars: number }): Promise<DeadLetter[]> {
    const q = this.store.db.select().from(deadLetters);
    const rows = (filter.hubId === undefined ? q : q.where(eq(deadLetters.hubId, filter.hubId))).orderBy(desc(deadLetters.id)).limit(filter.limit).all();
    return rows.map((r) => ({ ...r, errors: JSON.parse(r.errors) as DeadLetter['errors'], payload: r.payload === null ? null : r.payload.toString('utf8').slice(0, filter.payloadChars) }));
  }
}
