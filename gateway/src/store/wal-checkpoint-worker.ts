/** The thread of WalCheckpointer: a PASSIVE checkpoint of each file every `everyMs`, on connections of its own. */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { files, everyMs } = workerData as { files: string[]; everyMs: number };
const dbs = files.map((file) => {
  const db = new Database(file);
  // A PASSIVE checkpoint never waits on a lock: it copies what it can and returns.
  db.pragma('busy_timeout = 0');
  return db;
});
const timer = setInterval(() => {
  for (const db of dbs) {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // busy or closing: the next round, or SQLite's own checkpoint on commit, takes it
    }
  }
}, everyMs);
parentPort?.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  for (const db of dbs) db.close();
  parentPort?.close();
});
