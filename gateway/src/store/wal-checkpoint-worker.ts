/** The thread of WalCheckpointer: a PASSIVE checkpoint every `everyMs` on its own connection. */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, everyMs } = workerData as { file: string; everyMs: number };
const db = new Database(file);
// A PASSIVE checkpoint never waits on a lock: it copies what it can and returns.
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or closing: the next round, or SQLite's own checkpoint on commit, takes it
  }
}, everyMs);
parentPort?.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
