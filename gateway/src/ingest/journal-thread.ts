/**
 * The journal's writer thread: it owns the only writing connection to the journal file,
 * commits each batch the event loop hands it in one transaction, and answers with the
 * batch's first position, how long the commit took and the batch itself. Batches are taken in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { JournalInserter, openJournalDb, transferOf, type JournalBatch } from '../store/journal-db.js';

export type ThreadRequest = { readonly type: 'batch'; readonly id: number; readonly batch: JournalBatch } | { readonly type: 'stop' };
/** A committed batch comes back (its buffers transferred): the rules take it from there. */
export type ThreadReply = { readonly id: number; readonly firstPos: number; readonly commitMs: number; readonly batch: JournalBatch } | { readonly id: number; readonly error: string };

const { file, synchronous } = workerData as { file: string; synchronous: 'NORMAL' | 'FULL' };
const db = openJournalDb(file, synchronous);
const inserter = new JournalInserter(db);
const port = parentPort;

port?.on('message', (m: ThreadRequest) => {
  if (m.type === 'stop') {
    db.close();
    port.close();
    return;
  }
  const started = performance.now();
  try {
    const firstPos = inserter.insert(m.batch);
    port.postMessage({ id: m.id, firstPos, commitMs: performance.now() - started, batch: m.batch } satisfies ThreadReply, transferOf(m.batch));
  } catch (err) {
    port.postMessage({ id: m.id, error: (err as Error).message } satisfies ThreadReply);
  }
});
port?.postMessage('ready');
