import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The journal lives in a database file of its own beside the main one, so its writer (a
 * worker thread, see ingest/journal-thread.ts) never waits for, nor holds up, the writes the
 * event loop makes to tickets, alarms and the outbox: SQLite has one writer per file, and a
 * connection that finds the file locked sleeps in milliseconds.
 */
export const JOURNAL_FILE = 'journal.db';

export function journalFileBeside(mainFile: string): string {
  return join(dirname(mainFile), JOURNAL_FILE);
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS journal (
  pos INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at INTEGER NOT NULL,
  hub_id TEXT NOT NULL,
  appliance_id TEXT,
  kind TEXT NOT NULL,
  seq INTEGER,
  device_ts INTEGER,
  payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_received ON journal (received_at);
`;

/** Opens (creating when absent) the journal file in WAL mode, with its one table. */
export function openJournalDb(file: string, synchronous: 'NORMAL' | 'FULL' = 'NORMAL'): Database.Database {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}

/** Message kinds by their code in a JournalBatch. */
export const JOURNAL_KINDS = ['status', 'heartbeat', 'telemetry', 'fault', 'inventory'] as const;

/**
 * A batch of journal rows as it crosses to the writer thread: columns in typed arrays, the
 * ids' UTF-8 back to back in `text` and the payloads back to back in `payload`, so the
 * hand-off is a few buffer transfers — no object or string per message to clone. `seq` is
 * NaN where the message has none.
 */
export interface JournalBatch {
  readonly count: number;
  readonly receivedAt: Float64Array;
  readonly seq: Float64Array;
  readonly deviceTs: Float64Array;
  /** Index in JOURNAL_KINDS. */
  readonly kind: Uint8Array;
  /** Row i's hub id ends at textEnds[2i], its appliance id at textEnds[2i+1] (empty: none). */
  readonly text: Uint8Array;
  readonly textEnds: Uint32Array;
  readonly payload: Uint8Array;
  /** End offset of row i's payload in `payload` (its start is the previous end). */
  readonly ends: Uint32Array;
}

/** The buffers of a packed batch, to transfer it to a thread. */
export function transferOf(b: JournalBatch): ArrayBuffer[] {
  return [b.receivedAt.buffer, b.seq.buffer, b.deviceTs.buffer, b.kind.buffer, b.textEnds.buffer, b.ends.buffer, b.payload.buffer, b.text.buffer] as ArrayBuffer[];
}

/** Rows per multi-row INSERT: one statement call binds this many messages. */
const CHUNK = 32;
const COLUMNS = 7;
const INSERT = 'INSERT INTO journal (received_at, hub_id, appliance_id, kind, seq, device_ts, payload) VALUES ';

/** Writes batches into a journal connection, each in one transaction; answers the batch's first position. */
export class JournalInserter {
  private readonly one;
  private readonly chunk;
  private readonly chunkArgs = new Array<unknown>(CHUNK * COLUMNS);
  private readonly oneArgs = new Array<unknown>(COLUMNS);
  private readonly commit;

  constructor(db: Database.Database) {
    const row = '(?, ?, ?, ?, ?, ?, ?)';
    this.one = db.prepare(INSERT + row);
    this.chunk = db.prepare(INSERT + Array<string>(CHUNK).fill(row).join(', '));
    this.commit = db.transaction((b: JournalBatch) => this.rows(b));
  }

  insert(batch: JournalBatch): number {
    return this.commit.immediate(batch);
  }

  private rows(b: JournalBatch): number {
    const payloads = Buffer.from(b.payload.buffer, b.payload.byteOffset, b.payload.byteLength);
    const text = Buffer.from(b.text.buffer, b.text.byteOffset, b.text.byteLength);
    let first = 0;
    let i = 0;
    // Rowids of one statement are consecutive: this connection is the file's only writer.
    for (; i + CHUNK <= b.count; i += CHUNK) {
      for (let j = 0; j < CHUNK; j++) bind(this.chunkArgs, j * COLUMNS, b, i + j, payloads, text);
      const last = Number(this.chunk.run(this.chunkArgs).lastInsertRowid);
      if (i === 0) first = last - CHUNK + 1;
    }
    for (; i < b.count; i++) {
      bind(this.oneArgs, 0, b, i, payloads, text);
      const pos = Number(this.one.run(this.oneArgs).lastInsertRowid);
      if (i === 0) first = pos;
    }
    return first;
  }
}

function bind(args: unknown[], o: number, b: JournalBatch, i: number, payloads: Buffer, text: Buffer): void {
  const seq = b.seq[i] ?? NaN;
  const start = i === 0 ? 0 : (b.textEnds[2 * i - 1] ?? 0);
  const hubEnd = b.textEnds[2 * i] ?? 0;
  const applianceEnd = b.textEnds[2 * i + 1] ?? 0;
  args[o] = b.receivedAt[i];
  args[o + 1] = text.toString('utf8', start, hubEnd);
  args[o + 2] = applianceEnd === hubEnd ? null : text.toString('utf8', hubEnd, applianceEnd);
  args[o + 3] = JOURNAL_KINDS[b.kind[i] ?? 0];
  args[o + 4] = Number.isNaN(seq) ? null : seq;
  args[o + 5] = b.deviceTs[i];
  args[o + 6] = payloads.subarray(i === 0 ? 0 : (b.ends[i - 1] ?? 0), b.ends[i] ?? 0);
}
