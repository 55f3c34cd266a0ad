/**
 * The least any gateway meeting issue 9 must do before a PUBACK, on bare aedes, in its own
 * process: parse each QoS 1 payload as JSON (validation cannot start without it) and have it
 * on disk first — one SQLite row per message (floor-journal.ts), group-committed, the PUBACK
 * sent once its batch has committed. No login, ACL, schema check, dedupe, rules or history.
 * run.ts measures it against bare aedes in the same pairs as the gateway: the ratio it
 * reaches bounds any design's on this machine from above.
 *
 *   node floor-aedes.js <dir> [turn|chunk|inline] [main|thread|none]
 *
 * The batch is what one event-loop turn brought, committed on a thread ('turn', run.ts's), what
 * one socket read brought ('chunk'), or a turn's committed on the event loop ('inline'); the
 * parse runs on the event loop ('main', run.ts's), on the journal's thread, or not at all.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Aedes } from 'aedes';
import { openFloorJournal } from './floor-journal.js';
import { serveBench } from './serve.js';

const [dir = '.', mode = 'turn', parse = 'main'] = process.argv.slice(2);

const file = join(dir, 'floor-journal.db');
const inline = mode === 'inline' ? openFloorJournal(file, parse === 'thread') : undefined;
const worker = inline === undefined ? new Worker(new URL('./floor-journal.js', import.meta.url), { workerData: { file, parse: parse === 'thread' } }) : undefined;
const waiting = new Map<number, ((err?: Error | null) => void)[]>();
worker?.on('message', (id: number) => {
  const acks = waiting.get(id) ?? [];
  waiting.delete(id);
  for (const done of acks) done(null);
});
let nextId = 1;
let topics: string[] = [];
let payloads: Buffer[] = [];
let dones: ((err?: Error | null) => void)[] = [];
/** Hands the turn's messages over as one batch (the payloads in one transferred buffer); PUBACKs once it has committed. */
const flush = (): void => {
  const batch = { id: nextId++, topics, payload: Buffer.concat(payloads), ends: new Uint32Array(payloads.length) };
  const acks = dones;
  let end = 0;
  payloads.forEach((p, i) => (batch.ends[i] = end += p.length));
  topics = [];
  payloads = [];
  dones = [];
  if (inline !== undefined) {
    inline(batch.topics, batch.payload, batch.ends);
    for (const done of acks) done(null);
  } else {
    waiting.set(batch.id, acks);
    worker?.postMessage(batch, [batch.ends.buffer]);
  }
};

const broker = await Aedes.createBroker({
  authorizePublish: (_client, packet, cb) => {
    if (packet.qos === 0) return cb(null);
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    if (parse === 'main') {
      try {
        JSON.parse(payload.toString('utf8'));
      } catch {
        return cb(new Error('not JSON'));
      }
    }
    topics.push(packet.topic);
    payloads.push(payload);
    dones.push(cb);
    if (dones.length === 1) {
      if (mode === 'chunk') queueMicrotask(flush);
      else setImmediate(flush);
    }
  },
});
serveBench(broker, () => worker?.terminate() ?? Promise.resolve());
