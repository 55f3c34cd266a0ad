import { ThreadJournalWriter } from '../../ingest/journal-writer.js';
import type { Logger } from '../../log.js';
import type { Store } from '../db.js';
import { journalFileBeside } from '../journal-db.js';
import type { CheckpointStore } from '../ports/checkpoints.js';
import type { DeadLetterStore } from '../ports/dead-letters.js';
import type { JournalStore, UnreadableRow } from '../ports/journal.js';
import type { RuleVersionStore } from '../ports/rule-versions.js';
import { SqliteCheckpointStore } from './checkpoint-store.js';
import { SqliteDeadLetterStore } from './dead-letter-store.js';
import { SqliteJournalStore } from './journal-store.js';
import { SqliteRuleVersionStore } from './rule-version-store.js';

/** The stores the ingest and rules side of the gateway works through; cluster mode (issue 22) builds the same set on its engines. */
export interface EngineStores {
  readonly journal: JournalStore;
  readonly deadLetters: DeadLetterStore;
  readonly checkpoints: CheckpointStore;
  readonly ruleVersions: RuleVersionStore;
}

export interface SqliteEngineStoreOptions {
  /** Journal commits on a thread of its own (a store on disk only); otherwise on the event loop. */
  readonly writerThread: boolean;
  readonly synchronous: 'NORMAL' | 'FULL';
  /** With the thread: batches up to this size commit on the event loop while the thread is idle. */
  readonly inlineMax: number;
  readonly logger: Logger;
}

/** The engine's stores over one opened SQLite store, each built once. */
export function sqliteEngineStores(store: Store, options: SqliteEngineStoreOptions): EngineStores {
  const { logger } = options;
  const threaded = options.writerThread && store.file !== ':memory:';
  const writer = threaded ? new ThreadJournalWriter(journalFileBeside(store.file), options.synchronous, logger) : undefined;
  // A damaged row is skipped by every reader (the replay goes on) and reported each time it is read.
  const unreadable = (row: UnreadableRow): void => logger.error({ code: row.error.code, pos: row.pos, hubId: row.hubId, kind: row.kind, err: row.error }, 'journal row unreadable: skipped');
  return {
    journal: new SqliteJournalStore(store, { ...(writer !== undefined ? { writer, inlineMax: options.inlineMax } : {}), unreadable }),
    deadLetters: new SqliteDeadLetterStore(store),
    checkpoints: new SqliteCheckpointStore(store),
    ruleVersions: new SqliteRuleVersionStore(store),
  };
}
