import { DeliverPolicy, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { decodeEnvelope, encodeEnvelope, type EnvelopeEntry } from './envelope.js';
import { partitionOf } from './leases.js';

/**
 * The ingest journal of a cluster on NATS JetStream: a hub's message is acknowledged (PUBACK)
 * only once JetStream has stored the envelope that carries it, replicated as the stream says.
 * Subjects are partitioned by hub (`{prefix}.{hash(hubId) mod P}`), so each partition is read
 * in order by the one node that owns it; P is fixed when the stream is made.
 */
export interface IngestStreamOptions {
  readonly stream: string;
  readonly subjectPrefix: string;
  readonly partitions: number;
  /** 1 for a single NATS server, 3 in production. */
  readonly replicas: number;
  /** A resent envelope (same id) within this window is dropped by JetStream itself. */
  readonly duplicateWindowMs: number;
  /** How long the stream keeps messages (the journal's retention). */
  readonly maxAgeMs: number;
}

const nanos = (ms: number): number => Math.round(ms * 1_000_000);
const DESCRIPTION = (p: number): string => `forecare ingest journal; partitions=${p}`;

export const subjectOf = (o: Pick<IngestStreamOptions, 'subjectPrefix'>, partition: number): string => `${o.subjectPrefix}.${partition}`;

/** Makes the stream, or checks that the one there was made for the same partition count. */
export async function ensureIngestStream(jsm: JetStreamManager, o: IngestStreamOptions): Promise<void> {
  let existing: { config: { description?: string } } | undefined;
  try {
    existing = await jsm.streams.info(o.stream);
  } catch (err) {
    if (!/not found/i.test((err as Error).message)) throw err;
  }
  if (existing !== undefined) {
    if (existing.config.description !== DESCRIPTION(o.partitions)) {
      throw new Error(`stream ${o.stream} was made as "${existing.config.description ?? ''}", not for ${o.partitions} partitions: the partition count is fixed when the stream is made (FORECARE_PARTITIONS)`);
    }
    return;
  }
  await jsm.streams.add({
    name: o.stream,
    description: DESCRIPTION(o.partitions),
    subjects: [`${o.subjectPrefix}.*`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: o.replicas,
    duplicate_window: nanos(o.duplicateWindowMs),
    max_age: nanos(o.maxAgeMs),
  });
}

interface Waiting {
  readonly entry: EnvelopeEntry;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class IngestUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the ingest journal (NATS JetStream) did not store the message: ${(cause as Error).message}`, { cause });
    this.name = 'IngestUnavailableError';
  }
}

/**
 * Batches appends per partition over one event-loop turn into envelopes and publishes each
 * with an id unique to this process, so a retry after a timeout is stored once.
 */
export class IngestPublisher {
  private pending = new Map<number, Waiting[]>();
  private scheduled = false;
  private sent = 0;
  private readonly idPrefix: string;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly js: JetStreamClient,
    private readonly options: IngestStreamOptions & { readonly nodeId: string; readonly timeoutMs: number },
  ) {
    // Distinct from every earlier run of this node, whose ids may still be in the duplicate window.
    this.idPrefix = `${options.nodeId}:${Date.now().toString(36)}:${Math.random().toString(36).slice(2, 8)}`;
  }

  /** Resolves once the message is stored; rejects with IngestUnavailableError when it could not be. */
  append(hubId: string, entry: EnvelopeEntry): Promise<void> {
    const partition = partitionOf(hubId, this.options.partitions);
    return new Promise<void>((resolve, reject) => {
      let list = this.pending.get(partition);
      if (list === undefined) {
        list = [];
        this.pending.set(partition, list);
      }
      list.push({ entry, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batches = this.pending;
    this.pending = new Map();
    for (const [partition, waiting] of batches) {
      const sending = this.publish(partition, waiting);
      this.inFlight.add(sending);
      void sending.finally(() => this.inFlight.delete(sending));
    }
  }

  private async publish(partition: number, waiting: readonly Waiting[]): Promise<void> {
    const data = encodeEnvelope(waiting.map((w) => w.entry));
    const msgID = `${this.idPrefix}:${++this.sent}`;
    const subject = subjectOf(this.options, partition);
    let lastError: unknown;
    // One retry with the same id: a timeout may hide a store that happened.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.js.publish(subject, data, { msgID, timeout: this.options.timeoutMs });
        for (const w of waiting) w.resolve();
        return;
      } catch (err) {
        lastError = err;
      }
    }
    const failure = new IngestUnavailableError(lastError);
    for (const w of waiting) w.reject(failure);
  }

  /** Waits for what is being published. */
  async drain(): Promise<void> {
    if (this.scheduled) this.flush();
    await Promise.allSettled([...this.inFlight]);
  }
}

export interface PartitionBatch {
  /** The stream sequence of the envelope: a partition's position for checkpoints. */
  readonly seq: number;
  readonly entries: readonly EnvelopeEntry[];
}

/**
 * Reads one partition in order from just after `afterSeq` (a checkpoint's position), for as
 * long as the owner holds it: an ordered consumer that JetStream recreates itself after a gap.
 */
export async function* readPartition(js: JetStreamClient, o: IngestStreamOptions, partition: number, afterSeq: number, signal?: AbortSignal): AsyncGenerator<PartitionBatch> {
  const consumer = await js.consumers.get(o.stream, { filter_subjects: subjectOf(o, partition), deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: afterSeq + 1 });
  const messages = await consumer.consume();
  const stop = (): void => void messages.close();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const m of messages) yield { seq: m.seq, entries: decodeEnvelope(m.data) };
  } finally {
    signal?.removeEventListener('abort', stop);
    await messages.close();
  }
}
