import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';

/**
 * Copies the WAL back into the database file from a worker thread, so the event loop that
 * commits the journal does not pay for it. SQLite's automatic checkpoint runs inside the
 * commit that crosses `wal_autocheckpoint` pages and, with synchronous=NORMAL, syncs the WAL
 * and the database file there: on the ingest thread that is a stall of every PUBACK waiting
 * on that commit. A PASSIVE checkpoint from a second connection runs beside readers and
 * writers (https://sqlite.org/wal.html#checkpointing); the automatic one stays as the
 * fallback, and finds little left to do while this keeps up.
 */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly files: readonly string[],
    private readonly logger: Logger,
    private readonly everyMs = 100,
  ) {}

  start(): void {
    const worker = new Worker(workerFile(), { workerData: { files: this.files, everyMs: this.everyMs } });
    worker.on('error', (err) => this.logger.warn({ err }, 'WAL checkpoint thread failed; SQLite checkpoints on commit instead'));
    this.exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.unref();
    this.worker = worker;
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker === undefined) return;
    // Held again until it has exited: unreferenced, the process could run out of work first
    // and leave whoever awaits stop() (and whatever follows it) never resumed.
    worker.ref();
    worker.postMessage('stop');
    await this.exited;
  }
}

/** The worker's compiled file; from the TypeScript sources (tests), the built one beside them. */
function workerFile(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../dist/store/wal-checkpoint-worker.js', here) : new URL('./wal-checkpoint-worker.js', here);
}
