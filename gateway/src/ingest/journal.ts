import type { UplinkMessage } from '@forecare/firmware-contracts';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Store } from '../store/db.js';

export interface JournalEntry {
  readonly pos: number;
  readonly receivedAt: number;
  readonly message: UplinkMessage;
}

export interface DeadLetter {
  readonly hubId: string | null;
  readonly clientId: string | null;
  readonly topic: string;
  readonly reason: string;
  readonly errors: readonly { pointer: string; message: string }[];
  readonly payload: Buffer;
}

type Pending =
  | { readonly type: 'message'; readonly message: UplinkMessage; readonly raw: Buffer; readonly receivedAt: number; readonly startedAt: number; readonly done: (err?: Error) => void }
  | { readonly type: 'dead'; readonly letter: DeadLetter; readonly receivedAt: number; readonly startedAt: number; readonly done: (err?: Error) => void };

/**
 * The durable journal in front of every PUBACK. Appends are queued; all appends made while
 * the event loop handles one batch of socket reads are written in ONE SQLite transaction
 * (group commit), and only then are their callbacks — which let aedes send the PUBACKs —
 * called. A batch is also cut at `maxBatch` entries.
 */
export class Journal {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly insertMessage;
  private readonly insertDead;
  private readonly listeners: ((entries: readonly JournalEntry[]) => void)[] = [];
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly maxBatch: number,
  ) {
    this.insertMessage = store.sqlite.prepare(
      'INSERT INTO journal (received_at, hub_id, appliance_id, kind, seq, device_ts, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertDead = store.sqlite.prepare(
      'INSERT INTO dead_letters (received_at, hub_id, client_id, topic, reason, errors, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** Called with every committed batch, in journal order. */
  onCommitted(listener: (entries: readonly JournalEntry[]) => void): void {
    this.listeners.push(listener);
  }

  append(message: UplinkMessage, raw: Buffer, done: (err?: Error) => void): void {
    this.enqueue({ type: 'message', message, raw, receivedAt: this.clock.now(), startedAt: performance.now(), done });
  }

  appendDeadLetter(letter: DeadLetter, done: (err?: Error) => void): void {
    this.enqueue({ type: 'dead', letter, receivedAt: this.clock.now(), startedAt: performance.now(), done });
  }

  private enqueue(p: Pending): void {
    if (this.closed) {
      p.done(new Error('journal closed'));
      return;
    }
    this.queue.push(p);
    if (this.queue.length >= this.maxBatch) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Commits everything queued. Synchronous: better-sqlite3 blocks for the commit. */
  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    const committed: JournalEntry[] = [];
    const started = performance.now();
    try {
      this.store.transaction(() => {
        for (const p of batch) {
          if (p.type === 'message') {
            const m = p.message;
            const applianceId = 'applianceId' in m ? m.applianceId : null;
            const seq = 'seq' in m.payload && typeof m.payload.seq === 'number' ? m.payload.seq : null;
            const r = this.insertMessage.run(p.receivedAt, m.hubId, applianceId, m.kind, seq, m.payload.ts, p.raw);
            committed.push({ pos: Number(r.lastInsertRowid), receivedAt: p.receivedAt, message: m });
          } else {
            const l = p.letter;
            this.insertDead.run(p.receivedAt, l.hubId, l.clientId, l.topic, l.reason, JSON.stringify(l.errors), l.payload);
          }
        }
      });
    } catch (err) {
      this.logger.error({ err, batch: batch.length }, 'journal commit failed; messages not acknowledged');
      for (const p of batch) p.done(err as Error);
      return;
    }
    const end = performance.now();
    this.metrics.journalCommitSeconds.observe((end - started) / 1000);
    this.metrics.journalBatchSize.observe(batch.length);
    for (const p of batch) {
      this.metrics.pubackSeconds.observe((end - p.startedAt) / 1000);
      p.done();
    }
    if (committed.length > 0) for (const l of this.listeners) l(committed);
  }

  close(): void {
    this.flush();
    this.closed = true;
  }
}
