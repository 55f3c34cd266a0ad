import type { UplinkMessage } from '@forecare/firmware-contracts';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { JOURNAL_KINDS, transferOf, type JournalBatch } from '../store/journal-db.js';
import type { DeadLetter, DeadLetterStore } from '../store/ports/dead-letters.js';
import type { AppendedBatch, JournalEntry, JournalStore } from '../store/ports/journal.js';

export type { DeadLetter } from '../store/ports/dead-letters.js';
export type { JournalEntry } from '../store/ports/journal.js';

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
}

/**
 * The durable journal in front of every PUBACK. Appends are queued; all appends made while
 * the event loop handles one batch of socket reads go to the writer as ONE batch, committed
 * in one SQLite transaction (group commit); only then are the listeners (the rules) given
 * the batch, in journal order, and its callbacks — which let aedes send the PUBACKs —
 * called: at once, or when a listener's promise settles (the rules' back-pressure). A
 * batch is also cut at `maxBatch` entries. Where batches and dead letters are kept is the
 * stores' business (JournalStore, DeadLetterStore).
 */
export class Journal {
  private messages: PendingMessage[] = [];
  private dead: PendingDead[] = [];
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly listeners: JournalListener[] = [];
  private closed = false;
  /** Batches and dead letters handed to the stores and not yet answered. */
  private inFlight = 0;
  /** Committed batches whose listeners have not all taken them yet (their PUBACKs wait). */
  private unacknowledged = 0;
  private drained: (() => void)[] = [];
  private readonly kindCounts: Record<UplinkMessage['kind'], number> = { status: 0, heartbeat: 0, telemetry: 0, fault: 0, inventory: 0 };

  constructor(
    private readonly journal: JournalStore,
    private readonly deadLetters: DeadLetterStore,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    options: JournalOptions,
  ) {
    this.maxBatch = options.maxBatch;
    this.maxDelayMs = options.maxDelayMs ?? 0;
  }

  start(): Promise<void> {
    return this.journal.start();
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

  /** Hands everything queued to the stores. */
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
    this.inFlight++;
    void this.journal.append(batch, transfer).then(
      (appended) => this.written(messages, appended),
      (err: unknown) => this.written(messages, err as Error),
    );
  }

  private flushDead(): void {
    const dead = this.dead;
    this.dead = [];
    this.inFlight++;
    void this.deadLetters.append(dead).then(
      () => {
        const end = performance.now();
        for (const p of dead) {
          this.metrics.pubackSeconds.observe((end - p.startedAt) / 1000);
          p.done();
        }
        this.deadSettled();
      },
      (err: unknown) => {
        this.logger.error({ err, batch: dead.length }, 'dead letters not written; messages not acknowledged');
        for (const p of dead) p.done(err as Error);
        this.deadSettled();
      },
    );
  }

  private deadSettled(): void {
    this.inFlight--;
    this.settle();
  }

  private written(messages: readonly PendingMessage[], appended: AppendedBatch | Error): void {
    this.inFlight--;
    if (appended instanceof Error) {
      this.logger.error({ err: appended, batch: messages.length }, 'journal commit failed; messages not acknowledged');
      for (const p of messages) p.done(appended);
      this.settle();
      return;
    }
    const { firstPos, commitMs, batch } = appended;
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
    await this.journal.stop();
  }
}

/** The queued messages as columns, ids and payloads back to back: a few transferable buffers. */
export function packBatch(messages: readonly { readonly message: UplinkMessage; readonly raw: Buffer; readonly receivedAt: number }[]): { batch: JournalBatch; transfer: ArrayBuffer[] } {
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
    const p = messages[i] as (typeof messages)[number];
    bytes += p.raw.length;
    chars += p.message.hubId.length + ('applianceId' in p.message ? p.message.applianceId.length : 0);
  }
  const payload = new Uint8Array(bytes);
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  const text = Buffer.from(new ArrayBuffer(chars * 3));
  let offset = 0;
  let t = 0;
  for (let i = 0; i < n; i++) {
    const p = messages[i] as (typeof messages)[number];
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
