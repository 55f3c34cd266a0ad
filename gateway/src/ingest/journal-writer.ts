import type Database from 'better-sqlite3';
import type { Logger } from '../log.js';
import { JournalInserter, type JournalBatch } from '../store/journal-db.js';
import { threadFile, WorkerThread } from '../worker-thread.js';
import type { ThreadReply, ThreadRequest } from './journal-thread.js';

/** Called once a batch is on disk (first position of its rows, and the batch back) or could not be written. */
export type BatchWritten = (err: Error | undefined, firstPos: number, commitMs: number, batch?: JournalBatch) => void;

/** Where the journal's batches are committed; callbacks come in the order the batches were given. */
export interface JournalWriter {
  start(): Promise<void>;
  write(batch: JournalBatch, transfer: ArrayBuffer[], done: BatchWritten): void;
  stop(): Promise<void>;
}

/** Commits on the calling thread, synchronously (tools, tests). */
export class InlineJournalWriter implements JournalWriter {
  private readonly inserter: JournalInserter;

  constructor(db: Database.Database) {
    this.inserter = new JournalInserter(db);
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  write(batch: JournalBatch, _transfer: ArrayBuffer[], done: BatchWritten): void {
    const started = performance.now();
    let firstPos: number;
    try {
      firstPos = this.inserter.insert(batch);
    } catch (err) {
      done(err as Error, 0, 0);
      return;
    }
    done(undefined, firstPos, performance.now() - started, batch);
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Commits on a worker thread (journal-thread.ts), so the insert and the commit — the largest
 * share of ingest's cost after the broker itself — run beside the event loop instead of on
 * it. A thread that dies fails the batches it held (their publishes are not acknowledged, so
 * hubs send them again) and is started anew.
 */
export class ThreadJournalWriter implements JournalWriter {
  private readonly thread: WorkerThread<ThreadRequest, ThreadReply>;
  private readonly waiting = new Map<number, BatchWritten>();
  private nextId = 1;

  constructor(file: string, synchronous: 'NORMAL' | 'FULL', logger: Logger) {
    this.thread = new WorkerThread(logger, {
      name: 'journal writer thread',
      file: threadFile(import.meta.url, 'ingest/journal-thread.js'),
      workerOptions: () => ({ workerData: { file, synchronous } }),
      stopMessage: { type: 'stop' } satisfies ThreadRequest,
      onReply: (m) => {
        const done = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if ('error' in m) done?.(new Error(`journal commit failed: ${m.error}`), 0, 0);
        else done?.(undefined, m.firstPos, m.commitMs, m.batch);
      },
      onExit: (code) => this.failWaiting(new Error(`journal writer thread exited (${code})`)),
    });
  }

  start(): Promise<void> {
    return this.thread.start();
  }

  write(batch: JournalBatch, transfer: ArrayBuffer[], done: BatchWritten): void {
    if (!this.thread.running) {
      done(new Error('journal writer thread is not running'), 0, 0);
      return;
    }
    const id = this.nextId++;
    this.waiting.set(id, done);
    this.thread.post({ type: 'batch', id, batch } satisfies ThreadRequest, transfer);
  }

  /** Lets the batches already handed over commit, then ends the thread. */
  stop(): Promise<void> {
    return this.thread.stop();
  }

  private failWaiting(err: Error): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const done of waiting) done(err, 0, 0);
  }
}
