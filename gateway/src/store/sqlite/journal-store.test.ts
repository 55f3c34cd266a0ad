import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../log.js';
import { journalStoreContract, type JournalStoreHarness } from '../contract/journal-store.contract.js';
import { openStore } from '../db.js';
import type { UnreadableRow } from '../ports/journal.js';
import { ThreadJournalWriter } from '../../ingest/journal-writer.js';
import { journalFileBeside } from '../journal-db.js';
import { SqliteJournalStore } from './journal-store.js';

function harness(threaded: boolean): () => Promise<JournalStoreHarness> {
  return () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'forecare-journal-store-')), 'gw.db'));
    const unreadable: UnreadableRow[] = [];
    const writer = threaded ? new ThreadJournalWriter(journalFileBeside(store.file), 'NORMAL', createLogger({ level: 'silent' })) : undefined;
    const journal = new SqliteJournalStore(store, { ...(writer !== undefined ? { writer, inlineMax: 1 } : {}), unreadable: (row) => unreadable.push(row) });
    const insert = store.journal.prepare('INSERT INTO journal (received_at, hub_id, appliance_id, kind, payload) VALUES (?, ?, ?, ?, ?)');
    return Promise.resolve({
      journal,
      unreadable,
      insertRaw: (r) => Promise.resolve(Number(insert.run(r.receivedAt, r.hubId, r.applianceId, r.kind, Buffer.from(r.payload)).lastInsertRowid)),
      close: async () => {
        await journal.stop();
        store.close();
      },
    });
  };
}

journalStoreContract('SQLite, commits on the event loop', harness(false));
// The gateway's arrangement: large batches on the writer thread, one-message batches here while it is idle.
journalStoreContract('SQLite, commits on the writer thread', harness(true));

describe('SQLite journal store', () => {
  it('rejects reads once its file is closed, instead of throwing at the caller', async () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'forecare-journal-store-')), 'gw.db'));
    const journal = new SqliteJournalStore(store);
    store.close();
    await expect(journal.maxPosition()).rejects.toThrow(/not open/);
    await expect(journal.after(0, 10, 10)).rejects.toThrow(/not open/);
  });
});
