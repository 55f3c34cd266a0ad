import type { UplinkMessage } from '@forecare/firmware-contracts';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Store } from '../store/db.js';
import { JOURNAL_KINDS, transferOf, type JournalBatch } from '../store/journal-db.js';
import { InlineJournalWriter, type JournalWriter } from './journal-writer.js';

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

/**
 * Takes a committed batch (and its packed form, which the listener may hand to a thread).
 * A promise holds the batch's PUBACKs until it settles.
 */
export type JournalListener = (entries: readonly JournalEntry[], batch: JournalBatch | undefined) => Promise<void> | undefined | void;

interface PendingMessage {
  readonly message: UplinkMessage;
  readonly raw: Buffer;
  readonly receivedAt: number;
  readonly startedAt: number;
  readonly done: (err?: Error) => void;
}

interface PendingDead {
  readonly letter: DeadLetter;
  readonly receivedAt: number;
  readonly startedAt: number;
  readonly done: (err?: Error) => void;
}

const UPLINK_KINDS = JOURNAL_KINDS satisfies readonly UplinkMessage['kind'][];
const KIND_CODES = Object.fromEntries(JOURNAL_KINDS.map((kind, code) => [kind, code])) as Record<UplinkMessage['kind'], number>;

export interface JournalOptions {
  readonly maxBatch: number;
  /** 0: a batch is what one event-loop turn brought; otherwise wait up to this long for it to fill. */
  readonly maxDelayMs?: number;
  /** Where batches are committed; by default on this thread, into the store's journal file. */
  readonly writer?: JournalWriter;
  /**
   * With a writer thread: batches of at most this many messages, when the thread holds none,
   * are committed here on the event loop instead (default 0: never). A commit of a few rows
   * costs less than the hand-off, which adds latency when load is light; the thread takes
   * the large batches of heavy load. Never both at once, so positions stay in order.
   */
  readonly inlineMax?: number;
}

/**
 * The durable journal in front of every PUBACK. Appends are queued; all appends made while
 * the event loop handles one batch of socket reads go to the writer as ONE batch, committed
 * in one SQLite transaction (group commit); only then are the listeners (the rules) given
 * the batch, in journal order, and its callbacks — which let aedes send the PUBACKs —
 * called: at once, or when a listener's promise settles (the rules' back-pressure). A
 * batch is also cut at `maxBatch` entries. Dead letters go to the main database here.
 */
export class Journal {
  private messages: PendingMessage[] = [];
  private dead: PendingDead[] = [];
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly insertDead;
  private readonly commitDead;
  private readonly writer: JournalWriter;
  private readonly inline: JournalWriter | undefined;
  private readonly inlineMax: number;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly listeners: JournalListener[] = [];
  private closed = false;
  /** Batches handed to the writer and not yet answered. */
  private inFlight = 0;
  /** Committed batches whose listeners have not all taken them yet (their PUBACKs wait). */
  private unacknowledged = 0;
  private drained: (() => void)[] = [];
  private readonly kindCounts: Record<UplinkMessage['kind'], number> = { status: 0, heartbeat: 0, telemetry: 0, fault: 0, inventory: 0 };

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    options: JournalOptions,
  ) {
    this.maxBatch = options.maxBatch;
    this.maxDelayMs = options.maxDelayMs ?? 0;
    this.writer = options.writer ?? new InlineJournalWriter(store.journal);
    this.inlineMax = options.writer !== undefined ? (options.inlineMax ?? 0) : 0;
    this.inline = this.inlineMax > 0 ? new InlineJournalWriter(store.journal) : undefined;
    this.insertDead = store.sqlite.prepare(
      'INSERT INTO dead_letters (received_at, hub_id, client_id, topic, reason, errors, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.commitDead = store.sqlite.transaction((dead: readonly PendingDead[]) => {
      for (const p of dead) {
        const l = p.letter;
        this.insertDead.run(p.receivedAt, l.hubId, l.clientId, l.topic, l.reason, JSON.stringify(l.errors), l.payload);
      }
    });
  }

  start(): Promise<void> {
    return this.writer.start();
  }

  /** Called with every committed batch, in journal order. */
  onCommitted(listener: JournalListener): void {
    this.listeners.push(listener);
  }

  append(message: UplinkMessage, raw: Buffer, done: (err?: Error) => void): void {
    if (this.closed) {
      done(new Error('journal closed'));
      return;
    }
    this.messages.push({ message, raw, receivedAt: this.clock.now(), startedAt: performance.now(), done });
    this.schedule();
  }

  appendDeadLetter(letter: DeadLetter, done: (err?: Error) => void): void {
    if (this.closed) {
      done(new Error('journal closed'));
      return;
    }
    this.dead.push({ letter, receivedAt: this.clock.now(), startedAt: performance.now(), done });
    this.schedule();
  }

  private schedule(): void {
    if (this.messages.length + this.dead.length >= this.maxBatch) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      if (this.maxDelayMs > 0) this.timer = setTimeout(() => this.flush(), this.maxDelayMs);
      else setImmediate(() => this.flush());
    }
  }

  /** Hands everything queued to the writer (dead letters: committed here and now). */
  flush(): void {
    this.scheduled = false;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.dead.length > 0) this.flushDead();
    const messages = this.messages;
    if (messages.length === 0) return;
    this.messages = [];
    const { batch, transfer } = packBatch(messages);
    const writer = this.inline !== undefined && this.inFlight === 0 && messages.length <= this.inlineMax ? this.inline : this.writer;
    this.inFlight++;
    writer.write(batch, transfer, (err, firstPos, commitMs, back) => this.written(messages, err, firstPos, commitMs, back));
  }

  private flushDead(): void {
    const dead = this.dead;
    this.dead = [];
    try {
      this.commitDead.immediate(dead);
    } catch (err) {
      this.logger.error({ err, batch: dead.length }, 'dead letters not written; messages not acknowledged');
      for (const p of dead) p.done(err as Error);
      return;
    }
    const end = performance.now();
    for (const p of dead) {
      this.metrics.pubackSeconds.observe((end - p.startedAt) / 1000);
      p.done();
    }
  }

  private written(messages: readonly PendingMessage[], err: Error | undefined, firstPos: number, commitMs: number, batch: JournalBatch | undefined): void {
    this.inFlight--;
    if (err !== undefined) {
      this.logger.error({ err, batch: messages.length }, 'journal commit failed; messages not acknowledged');
      for (const p of messages) p.done(err);
      this.settle();
      return;
    }
    this.metrics.journalCommitSeconds.observe(commitMs / 1000);
    this.metrics.journalBatchSize.observe(messages.length);
    const kinds = this.kindCounts;
    const committed = new Array<JournalEntry>(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const p = messages[i] as PendingMessage;
      committed[i] = { pos: firstPos + i, receivedAt: p.receivedAt, message: p.message };
      kinds[p.message.kind]++;
    }
    for (const kind of UPLINK_KINDS) {
      if (kinds[kind] > 0) this.metrics.messagesIn.inc({ kind }, kinds[kind]);
      kinds[kind] = 0;
    }
    // The PUBACKs go once every listener has taken the batch (and settled, when it answers with a promise).
    let waits: Promise<void>[] | undefined;
    for (const l of this.listeners) {
      try {
        const wait = l(committed, batch);
        if (wait !== undefined) (waits ??= []).push(wait);
      } catch (err) {
        this.logger.error({ err, from: firstPos, batch: messages.length }, 'journal listener failed');
      }
    }
    if (waits === undefined) {
      this.acknowledge(messages);
      return;
    }
    this.unacknowledged++;
    void Promise.all(waits)
      .catch((err: unknown) => this.logger.error({ err, from: firstPos, batch: messages.length }, 'journal listener failed'))
      .then(() => {
        this.unacknowledged--;
        this.acknowledge(messages);
      });
  }

  /** Lets the PUBACKs of a committed batch go. */
  private acknowledge(messages: readonly PendingMessage[]): void {
    const end = performance.now();
    const puback = this.metrics.pubackSeconds;
    for (let i = 0; i < messages.length; i++) {
      const p = messages[i] as PendingMessage;
      puback.observe((end - p.startedAt) / 1000);
      p.done();
    }
    this.settle();
  }

  private settle(): void {
    if (this.inFlight === 0 && this.unacknowledged === 0) {
      const waiting = this.drained;
      this.drained = [];
      for (const resolve of waiting) resolve();
    }
  }

  /** Resolves once everything appended so far is committed and its listeners have run. */
  settled(): Promise<void> {
    this.flush();
    if (this.inFlight === 0 && this.unacknowledged === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  async close(): Promise<void> {
    await this.settled();
    this.closed = true;
    await this.writer.stop();
  }
}

/** The queued messages as columns, ids and payloads back to back: a few transferable buffers. */
function packBatch(messages: readonly PendingMessage[]): { batch: JournalBatch; transfer: ArrayBuffer[] } {
  const n = messages.length;
  const receivedAt = new Float64Array(n);
  const seq = new Float64Array(n);
  const deviceTs = new Float64Array(n);
  const kind = new Uint8Array(n);
  const ends = new Uint32Array(n);
  const textEnds = new Uint32Array(2 * n);
  let bytes = 0;
  let chars = 0;
  for (let i = 0; i < n; i++) {
    const p = messages[i] as PendingMessage;
    bytes += p.raw.length;
    chars += p.message.hubId.length + ('applianceId' in p.message ? p.message.applianceId.length : 0);
  }
  const payload = new Uint8Array(bytes);
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  const text = Buffer.from(new ArrayBuffer(chars * 3));
  let offset = 0;
  let t = 0;
  for (let i = 0; i < n; i++) {
    const p = messages[i] as PendingMessage;
    const m = p.message;
    receivedAt[i] = p.receivedAt;
    seq[i] = 'seq' in m.payload && typeof m.payload.seq === 'number' ? m.payload.seq : NaN;
    deviceTs[i] = m.payload.ts;
    kind[i] = KIND_CODES[m.kind];
    t += text.write(m.hubId, t, 'utf8');
    textEnds[2 * i] = t;
    if ('applianceId' in m) t += text.write(m.applianceId, t, 'utf8');
    textEnds[2 * i + 1] = t;
    payload.set(p.raw, offset);
    offset += p.raw.length;
    ends[i] = offset;
  }
  const batch: JournalBatch = { count: n, receivedAt, seq, deviceTs, kind, text, textEnds, payload, ends };
  return { batch, transfer: transferOf(batch) };
}
