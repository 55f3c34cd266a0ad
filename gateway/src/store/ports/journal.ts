/**
 * The ingest journal as a port: what the gateway asks of it, whatever holds it (SQLite files
 * here; JetStream in cluster mode, issue 22). Every method answers a promise so a networked
 * implementation fits; the SQLite one answers at once from prepared statements.
 */
import type { UplinkMessage } from '@forecare/firmware-contracts';
import type { GatewayError } from '../../errors.js';
import type { JournalBatch } from '../journal-db.js';

/** One committed message, decoded, with its position and server receive time. */
export interface JournalEntry {
  readonly pos: number;
  readonly receivedAt: number;
  readonly message: UplinkMessage;
}

/** An entry with the bytes the hub sent (dedupe compares them; a recording replays them). */
export interface JournalRecord extends JournalEntry {
  readonly raw: Buffer;
}

/** What a read brought: the entries, and the last position it covered (rows that could not be decoded are covered but not in `entries`). */
export interface JournalPage {
  readonly entries: JournalEntry[];
  /** The position to read after next; the `after` given when nothing was read. */
  readonly through: number;
}

/** A batch the journal has made durable. */
export interface AppendedBatch {
  /** Position of the batch's first message; the others follow one by one. */
  readonly firstPos: number;
  readonly commitMs: number;
  /** The batch back (its buffers may have crossed to a thread and back), for the rules' thread. */
  readonly batch: JournalBatch;
}

/**
 * A stored row whose payload is not a message any more (a disk fault, a hand edit): readers
 * skip it and the gateway hears of it once, never a crash of the replay.
 */
export interface UnreadableRow {
  readonly pos: number;
  readonly hubId: string;
  readonly kind: string;
  readonly payload: Buffer;
  /** GW_ERR_JOURNAL_ROW_UNREADABLE, saying why. */
  readonly error: GatewayError;
}

export interface JournalStore {
  /** Opens what appending needs (a writer thread); reads work before. */
  start(): Promise<void>;
  /**
   * Makes a packed batch durable in one commit (the group commit in front of the PUBACKs).
   * Batches are made durable, and their promises settle, in the order given. A rejection: none
   * of the batch is durable.
   */
  append(batch: JournalBatch, transfer: ArrayBuffer[]): Promise<AppendedBatch>;
  /** The last `limit` entries, oldest first, with their bytes (dedupe is armed from them at start). */
  tail(limit: number): Promise<JournalRecord[]>;
  /** Up to `limit` entries after position `after`, up to `upTo` included, in order; `kind` keeps one kind only. */
  after(after: number, upTo: number, limit: number, kind?: UplinkMessage['kind']): Promise<JournalPage>;
  /** Entries received at `ts` or later, in journal order, a page of `pageSize` at a time (a recording of days). */
  since(ts: number, pageSize?: number): AsyncIterable<JournalRecord>;
  /** The last position committed (0: empty). */
  maxPosition(): Promise<number>;
  count(): Promise<number>;
  /** Lets what was handed over commit, then closes the writer. */
  stop(): Promise<void>;
}
