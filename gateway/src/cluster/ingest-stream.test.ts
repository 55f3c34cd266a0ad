import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import { ensureIngestStream, IngestPublisher, IngestUnavailableError, readPartition, type IngestStreamOptions, type PartitionBatch } from './ingest-stream.js';
import { partitionOf } from './leases.js';
import { PrivateNats } from './private-engines.js';

const SHARED = process.env.FORECARE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

function streamOptions(partitions = 4): IngestStreamOptions {
  const id = randomBytes(4).toString('hex').toUpperCase();
  return { stream: `FORECARE_TEST_${id}`, subjectPrefix: `forecare-test-${id}.ingest`, partitions, replicas: 1, duplicateWindowMs: 120_000, maxAgeMs: 3_600_000 };
}

async function connectOrExplain(url: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
  } catch (err) {
    throw new Error(`NATS JetStream is needed for this test at ${url} and is not reachable (${(err as Error).message})`, { cause: err });
  }
}

async function take(js: JetStreamClient, o: IngestStreamOptions, partition: number, afterSeq: number, count: number): Promise<PartitionBatch[]> {
  const ctrl = new AbortController();
  const out: PartitionBatch[] = [];
  const timer = setTimeout(() => ctrl.abort(), 10_000);
  for await (const b of readPartition(js, o, partition, afterSeq, ctrl.signal)) {
    out.push(b);
    if (out.reduce((n, x) => n + x.entries.length, 0) >= count) break;
  }
  clearTimeout(timer);
  return out;
}

describe('envelopes', () => {
  it('carry topics, times and payload bytes through, and refuse a truncated one', () => {
    const entries = [
      { topic: 'forecare/v1/h/appliances/a/telemetry', receivedAt: 1_796_000_000_123, payload: Buffer.from('{"seq":1}') },
      { topic: 'forecare/v1/h/status', receivedAt: 2, payload: Buffer.from([0, 255, 10]) },
    ];
    const env = encodeEnvelope(entries);
    expect(decodeEnvelope(env)).toEqual(entries);
    expect(() => decodeEnvelope(env.subarray(0, env.length - 1))).toThrow(/truncated/);
    expect(() => decodeEnvelope(Buffer.concat([env, Buffer.from([1])]))).toThrow(/past its last entry/);
  });
});

describe('the ingest journal on the real NATS JetStream', () => {
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  const made: string[] = [];

  beforeAll(async () => {
    nc = await connectOrExplain(SHARED);
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
  });
  afterAll(async () => {
    for (const s of made) await jsm.streams.delete(s).catch(() => undefined);
    await nc?.close();
  });

  async function stream(partitions = 4): Promise<IngestStreamOptions> {
    const o = streamOptions(partitions);
    await ensureIngestStream(jsm, o);
    made.push(o.stream);
    return o;
  }

  it("keeps each hub's messages in order in its partition, from every node that took them", async () => {
    const o = await stream();
    const nodeA = new IngestPublisher(js, { ...o, nodeId: 'a', timeoutMs: 5_000 });
    const nodeB = new IngestPublisher(js, { ...o, nodeId: 'b', timeoutMs: 5_000 });
    const hubs = ['hub-1', 'hub-2', 'hub-3', 'hub-4', 'hub-5'];
    const acks: Promise<void>[] = [];
    // A hub is connected to one node at a time; it moves (a reconnect) after its messages were acknowledged.
    for (let seq = 1; seq <= 40; seq++) {
      const session = Math.floor((seq - 1) / 10);
      hubs.forEach((hub, i) => acks.push(((session + i) % 2 === 0 ? nodeA : nodeB).append(hub, { topic: `forecare/v1/${hub}/heartbeat`, receivedAt: seq, payload: Buffer.from(JSON.stringify({ seq })) })));
      if (seq % 10 === 0) await Promise.all(acks);
    }
    await Promise.all(acks);
    for (let p = 0; p < o.partitions; p++) {
      const mine = hubs.filter((h) => partitionOf(h, o.partitions) === p);
      if (mine.length === 0) continue;
      const batches = await take(js, o, p, 0, mine.length * 40);
      const got = batches.flatMap((b) => b.entries);
      for (const hub of mine) {
        const seqs = got.filter((e) => e.topic.includes(`/${hub}/`)).map((e) => (JSON.parse(e.payload.toString()) as { seq: number }).seq);
        expect(seqs, hub).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      }
      expect(got.every((e) => mine.some((h) => e.topic.includes(`/${h}/`)))).toBe(true);
    }
  });

  it('batches one turn of appends into one envelope per partition', async () => {
    const o = await stream(1);
    const pub = new IngestPublisher(js, { ...o, nodeId: 'batch', timeoutMs: 5_000 });
    await Promise.all(Array.from({ length: 500 }, (_, i) => pub.append('hub-x', { topic: 'forecare/v1/hub-x/heartbeat', receivedAt: i, payload: Buffer.from(`{"seq":${i}}`) })));
    const info = await jsm.streams.info(o.stream);
    expect(info.state.messages).toBe(1);
  });

  it('reads a partition on from a checkpoint position, not from the start', async () => {
    const o = await stream(1);
    const pub = new IngestPublisher(js, { ...o, nodeId: 'cp', timeoutMs: 5_000 });
    for (let i = 0; i < 5; i++) await pub.append('hub-y', { topic: 't', receivedAt: i, payload: Buffer.from(String(i)) });
    const all = await take(js, o, 0, 0, 5);
    const third = all[2];
    if (third === undefined) throw new Error('no third envelope');
    const after = await take(js, o, 0, third.seq, 2);
    expect(after.map((b) => b.entries[0]?.payload.toString())).toEqual(['3', '4']);
  });

  it('refuses to reuse a stream made for another partition count', async () => {
    const o = await stream(4);
    await expect(ensureIngestStream(jsm, { ...o, partitions: 8 })).rejects.toThrow(/fixed when the stream is made/);
  });
});

describe('the ingest journal while its NATS server is down', () => {
  it('refuses with a clear error instead of acknowledging, and carries on without a restart when NATS is back', async () => {
    const nats = await PrivateNats.start();
    const nc = await connectOrExplain(nats.url);
    try {
      const o = streamOptions(2);
      await ensureIngestStream(await jetstreamManager(nc), o);
      const pub = new IngestPublisher(jetstream(nc), { ...o, nodeId: 'down', timeoutMs: 500 });
      await pub.append('hub-z', { topic: 't', receivedAt: 1, payload: Buffer.from('before') });
      await nats.stop();
      await expect(pub.append('hub-z', { topic: 't', receivedAt: 2, payload: Buffer.from('while down') })).rejects.toBeInstanceOf(IngestUnavailableError);
      await nats.resume();
      let stored = false;
      for (let i = 0; i < 50 && !stored; i++) {
        stored = await pub.append('hub-z', { topic: 't', receivedAt: 3, payload: Buffer.from('after') }).then(
          () => true,
          () => new Promise<boolean>((r) => setTimeout(() => r(false), 200)),
        );
      }
      expect(stored).toBe(true);
      const batches = await take(jetstream(nc), o, partitionOf('hub-z', 2), 0, 2);
      const payloads = batches.flatMap((b) => b.entries.map((e) => e.payload.toString()));
      expect(payloads[0]).toBe('before');
      expect(payloads).toContain('after');
      expect(payloads).not.toContain('while down');
    } finally {
      await nc.close();
      await nats.remove();
    }
  });
});
