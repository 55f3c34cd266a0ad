/**
 * floor-aedes.ts's journal: one row (topic, payload) per message, a batch per transaction,
 * multi-row inserts of 32, WAL with synchronous=NORMAL as the gateway's default. Loaded as a
 * worker thread it commits the batches posted to it and answers each batch's id.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export type FloorCommit = (topics: readonly string[], payload: Uint8Array, ends: Uint32Array) => void;

/** With `parse`, each payload is also parsed as JSON here, before its row is written. */
export function openFloorJournal(file: string, parse = false): FloorCommit {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS journal (pos INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL)');
  const one = db.prepare('INSERT INTO journal (topic, payload) VALUES (?, ?)');
  const chunk = db.prepare('INSERT INTO journal (topic, payload) VALUES ' + Array<string>(32).fill('(?, ?)').join(', '));
  const args = new Array<unknown>(64);
  const commit = db.transaction((topics: readonly string[], payload: Uint8Array, ends: Uint32Array) => {
    const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const row = (i: number): Buffer => {
      const b = bytes.subarray(i === 0 ? 0 : (ends[i - 1] ?? 0), ends[i] ?? 0);
      if (parse) JSON.parse(b.toString('utf8'));
      return b;
    };
    let i = 0;
    for (; i + 32 <= topics.length; i += 32) {
      for (let j = 0; j < 32; j++) {
        args[2 * j] = topics[i + j];
        args[2 * j + 1] = row(i + j);
      }
      chunk.run(args);
    }
    for (; i < topics.length; i++) one.run(topics[i], row(i));
  });
  return (topics, payload, ends) => commit.immediate(topics, payload, ends);
}

if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  const { file, parse } = workerData as { file: string; parse: boolean };
  const commit = openFloorJournal(file, parse);
  port.on('message', (m: { id: number; topics: string[]; payload: Uint8Array; ends: Uint32Array }) => {
    commit(m.topics, m.payload, m.ends);
    port.postMessage(m.id);
  });
}
