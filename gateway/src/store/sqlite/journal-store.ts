import type { UplinkMessage } from '@forecare/firmware-contracts';
import { InlineJournalWriter, type JournalWriter } from '../../ingest/journal-writer.js';
import type { Store } from '../db.js';
import type { JournalBatch } from '../journal-db.js';
import { decodeJournalRow, type StoredJournalRow } from '../journal-rows.js';
import type { AppendedBatch, JournalEntry, JournalPage, JournalRecord, JournalStore, UnreadableRow } from '../ports/journal.js';
import { answer } from './answer.js';

export interface SqliteJournalOptions {
  /** Where batches commit: a writer thread in the gateway; absent, this thread (tools, tests, an in-memory store). */
  readonly writer?: JournalWriter;
  /**
   * With a writer thread: batches of at most this many messages, when the thread holds none,
   * are committed here on the event loop instead (default 0: never). A commit of a few rows
   * costs less than the hand-off, which adds latency when load is light; the thread takes
   * the large batches of heavy load. Never both at once, so positions stay in order.
   */
  readonly inlineMax?: number;
  /** Told of a row that cannot be decoded (readers skip it); by default nobody is. */
  readonly unreadable?: (row: UnreadableRow) => void;
}

const COLUMNS = 'pos, received_at, hub_id, appliance_id, kind, payload';
const SINCE_PAGE = 2000;

/**
 * The journal in its own SQLite file (journal-db.ts). Appends go through the journal writer —
 * one transaction per batch, on the writer thread — and reads use the store's own connection
 * to the file with statements prepared once. The promises answer at once for reads; an
 * append's settles when its writer calls back.
 */
export class SqliteJournalStore implements JournalStore {
  private readonly writer: JournalWriter;
  private readonly inline: JournalWriter | undefined;
  private readonly inlineMax: number;
  private readonly unreadable: (row: UnreadableRow) => void;
  /** Batches handed to the writer thread and not yet answered. */
  private inFlight = 0;
  private readonly selectAfter;
  private readonly selectAfterKind;
  private readonly selectTail;
  private readonly selectSince;
  private readonly selectMax;
  private readonly selectCount;

  constructor(store: Store, options: SqliteJournalOptions = {}) {
    const db = store.journal;
    this.writer = options.writer ?? new InlineJournalWriter(db);
    this.inlineMax = options.writer !== undefined ? (options.inlineMax ?? 0) : 0;
    this.inline = this.inlineMax > 0 ? new InlineJournalWriter(db) : undefined;
    this.unreadable = options.unreadable ?? (() => undefined);
    this.selectAfter = db.prepare(`SELECT ${COLUMNS} FROM journal WHERE pos > ? AND pos <= ? ORDER BY pos LIMIT ?`);
    this.selectAfterKind = db.prepare(`SELECT ${COLUMNS} FROM journal WHERE pos > ? AND pos <= ? AND kind = ? ORDER BY pos LIMIT ?`);
    this.selectTail = db.prepare(`SELECT ${COLUMNS} FROM journal ORDER BY pos DESC LIMIT ?`);
    this.selectSince = db.prepare(`SELECT ${COLUMNS} FROM journal WHERE received_at >= ? AND pos > ? ORDER BY pos LIMIT ?`);
    this.selectMax = db.prepare('SELECT coalesce(max(pos), 0) AS pos FROM journal').pluck();
    this.selectCount = db.prepare('SELECT count(*) FROM journal').pluck();
  }

  start(): Promise<void> {
    return this.writer.start();
  }

  append(batch: JournalBatch, transfer: ArrayBuffer[]): Promise<AppendedBatch> {
    const onThread = this.inline === undefined || this.inFlight > 0 || batch.count > this.inlineMax;
    const writer = onThread ? this.writer : (this.inline as JournalWriter);
    if (onThread) this.inFlight++;
    return new Promise((resolve, reject) =>
      writer.write(batch, transfer, (err, firstPos, commitMs, back) => {
        if (onThread) this.inFlight--;
        if (err !== undefined) reject(err);
        else resolve({ firstPos, commitMs, batch: back ?? batch });
      }),
    );
  }

  tail(limit: number): Promise<JournalRecord[]> {
    return answer(() => this.records(this.selectTail.all(limit) as StoredJournalRow[]).reverse());
  }

  after(after: number, upTo: number, limit: number, kind?: UplinkMessage['kind']): Promise<JournalPage> {
    return answer(() => {
      const rows = (kind === undefined ? this.selectAfter.all(after, upTo, limit) : this.selectAfterKind.all(after, upTo, kind, limit)) as StoredJournalRow[];
      // Without the bytes: a replay's entries may be copied to the rules' thread.
      const entries: JournalEntry[] = this.records(rows).map((r) => ({ pos: r.pos, receivedAt: r.receivedAt, message: r.message }));
      return { entries, through: rows.at(-1)?.pos ?? after };
    });
  }

  async *since(ts: number, pageSize = SINCE_PAGE): AsyncIterable<JournalRecord> {
    // Page by page, never one statement held open across an await: the connection serves other readers meanwhile.
    let after = 0;
    for (;;) {
      const rows = await answer(() => this.selectSince.all(ts, after, pageSize) as StoredJournalRow[]);
      yield* this.records(rows);
      if (rows.length < pageSize) return;
      after = (rows.at(-1) as StoredJournalRow).pos;
    }
  }

  maxPosition(): Promise<number> {
    return answer(() => this.selectMax.get() as number);
  }

  count(): Promise<number> {
    return answer(() => this.selectCount.get() as number);
  }

  stop(): Promise<void> {
    return this.writer.stop();
  }

  private records(rows: readonly StoredJournalRow[]): JournalRecord[] {
    const out: JournalRecord[] = [];
    for (const row of rows) {
      const record = decodeJournalRow(row, this.unreadable);
      if (record !== undefined) out.push(record);
    }
    return out;
  }
}
