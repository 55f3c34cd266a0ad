import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { Logger } from '../log.js';
import { JournalInserter, type JournalBatch } from '../store/journal-db.js';
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
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, BatchWritten>();
  private nextId = 1;
  private stopping = false;

  constructor(
    private readonly file: string,
    private readonly synchronous: 'NORMAL' | 'FULL',
    private readonly logger: Logger,
  ) {}

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(threadFile(), { workerData: { file: this.file, synchronous: this.synchronous } });
      let ready = false;
      worker.on('message', (m: ThreadReply | 'ready') => {
        if (m === 'ready') {
          ready = true;
          resolve();
          return;
        }
        const done = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if ('error' in m) done?.(new Error(`journal commit failed: ${m.error}`), 0, 0);
        else done?.(undefined, m.firstPos, m.commitMs, m.batch);
      });
      worker.on('error', (err) => {
        this.logger.error({ err }, 'journal writer thread failed');
        if (!ready) reject(err);
      });
      worker.on('exit', (code) => {
        this.worker = undefined;
        this.failWaiting(new Error(`journal writer thread exited (${code})`));
        if (!this.stopping && ready) {
          this.logger.error({ code }, 'journal writer thread exited; starting a new one');
          this.start().catch((err: unknown) => this.logger.error({ err }, 'journal writer thread could not be restarted'));
        }
      });
      this.worker = worker;
    });
  }

  write(batch: JournalBatch, transfer: ArrayBuffer[], done: BatchWritten): void {
    const worker = this.worker;
    if (worker === undefined) {
      done(new Error('journal writer thread is not running'), 0, 0);
      return;
    }
    const id = this.nextId++;
    this.waiting.set(id, done);
    worker.postMessage({ type: 'batch', id, batch } satisfies ThreadRequest, transfer);
  }

  /** Lets the batches already handed over commit, then ends the thread. */
  async stop(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies ThreadRequest);
    await exited;
  }

  private failWaiting(err: Error): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const done of waiting) done(err, 0, 0);
  }
}

/** The thread's compiled file; from the TypeScript sources (tests), the built one beside them. */
function threadFile(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../dist/ingest/journal-thread.js', here) : new URL('./journal-thread.js', here);
}
