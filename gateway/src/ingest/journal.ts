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

/** Rows per multi-row INSERT: one statement call binds this many messages (fewer native calls per message). */
const CHUNK = 32;
const UPLINK_KINDS = ['status', 'heartbeat', 'telemetry', 'fault', 'inventory'] as const satisfies readonly UplinkMessage['kind'][];
const COLUMNS = 7;
const INSERT = 'INSERT INTO journal (received_at, hub_id, appliance_id, kind, seq, device_ts, payload) VALUES ';

/**
 * The durable journal in front of every PUBACK. Appends are queued; all appends made while
 * the event loop handles one batch of socket reads are written in ONE SQLite transaction
 * (group commit), and only then are their callbacks — which let aedes send the PUBACKs —
 * called. A batch is also cut at `maxBatch` entries.
 */
export class Journal {
  private messages: PendingMessage[] = [];
  private dead: PendingDead[] = [];
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly insertMessage;
  private readonly insertChunk;
  private readonly chunkArgs: unknown[] = new Array<unknown>(CHUNK * COLUMNS);
  private readonly insertDead;
  private readonly commitBatch;
  private readonly listeners: ((entries: readonly JournalEntry[]) => void)[] = [];
  private closed = false;
  private readonly kindCounts: Record<UplinkMessage['kind'], number> = { status: 0, heartbeat: 0, telemetry: 0, fault: 0, inventory: 0 };

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly maxBatch: number,
    /** 0: a batch is what one event-loop turn brought; otherwise wait up to this long for it to fill. */
    private readonly maxDelayMs = 0,
  ) {
    const row = '(?, ?, ?, ?, ?, ?, ?)';
    this.insertMessage = store.sqlite.prepare(INSERT + row);
    this.insertChunk = store.sqlite.prepare(INSERT + Array<string>(CHUNK).fill(row).join(', '));
    this.insertDead = store.sqlite.prepare(
      'INSERT INTO dead_letters (received_at, hub_id, client_id, topic, reason, errors, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    // Built once: a transaction function per commit would be garbage on the hot path.
    this.commitBatch = store.sqlite.transaction((messages: readonly PendingMessage[], dead: readonly PendingDead[]) => this.write(messages, dead));
  }

  /** Called with every committed batch, in journal order. */
  onCommitted(listener: (entries: readonly JournalEntry[]) => void): void {
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

  /** Inserts a batch; returns the journal entries in order. Runs inside the commit transaction. */
  private write(messages: readonly PendingMessage[], dead: readonly PendingDead[]): JournalEntry[] {
    const committed: JournalEntry[] = new Array<JournalEntry>(messages.length);
    const args = this.chunkArgs;
    let i = 0;
    // Whole chunks in one multi-row INSERT; rowids of one statement are consecutive (one writer).
    for (; i + CHUNK <= messages.length; i += CHUNK) {
      for (let j = 0; j < CHUNK; j++) bindRow(args, j * COLUMNS, messages[i + j] as PendingMessage);
      const last = Number(this.insertChunk.run(args).lastInsertRowid);
      for (let j = 0; j < CHUNK; j++) committed[i + j] = entryOf(messages[i + j] as PendingMessage, last - CHUNK + 1 + j);
    }
    const one = new Array<unknown>(COLUMNS);
    for (; i < messages.length; i++) {
      const p = messages[i] as PendingMessage;
      bindRow(one, 0, p);
      committed[i] = entryOf(p, Number(this.insertMessage.run(one).lastInsertRowid));
    }
    for (const p of dead) {
      const l = p.letter;
      this.insertDead.run(p.receivedAt, l.hubId, l.clientId, l.topic, l.reason, JSON.stringify(l.errors), l.payload);
    }
    return committed;
  }

  /** Commits everything queued. Synchronous: better-sqlite3 blocks for the commit. */
  flush(): void {
    this.scheduled = false;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const messages = this.messages;
    const dead = this.dead;
    if (messages.length === 0 && dead.length === 0) return;
    this.messages = [];
    this.dead = [];
    let committed: JournalEntry[];
    const started = performance.now();
    try {
      committed = this.commitBatch.immediate(messages, dead);
    } catch (err) {
      this.logger.error({ err, batch: messages.length + dead.length }, 'journal commit failed; messages not acknowledged');
      for (const p of messages) p.done(err as Error);
      for (const p of dead) p.done(err as Error);
      return;
    }
    const end = performance.now();
    this.metrics.journalCommitSeconds.observe((end - started) / 1000);
    this.metrics.journalBatchSize.observe(messages.length + dead.length);
    const puback = this.metrics.pubackSeconds;
    const kinds = this.kindCounts;
    for (const p of messages) {
      puback.observe((end - p.startedAt) / 1000);
      kinds[p.message.kind]++;
      p.done();
    }
    for (const kind of UPLINK_KINDS) {
      if (kinds[kind] > 0) this.metrics.messagesIn.inc({ kind }, kinds[kind]);
      kinds[kind] = 0;
    }
    for (const p of dead) {
      puback.observe((end - p.startedAt) / 1000);
      p.done();
    }
    if (committed.length > 0) for (const l of this.listeners) l(committed);
  }

  close(): void {
    this.flush();
    this.closed = true;
  }
}

function bindRow(args: unknown[], o: number, p: PendingMessage): void {
  const m = p.message;
  args[o] = p.receivedAt;
  args[o + 1] = m.hubId;
  args[o + 2] = 'applianceId' in m ? m.applianceId : null;
  args[o + 3] = m.kind;
  args[o + 4] = 'seq' in m.payload && typeof m.payload.seq === 'number' ? m.payload.seq : null;
  args[o + 5] = m.payload.ts;
  args[o + 6] = p.raw;
}

function entryOf(p: PendingMessage, pos: number): JournalEntry {
  return { pos, receivedAt: p.receivedAt, message: p.message };
}
