import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadLetterStoreContract } from '../contract/dead-letter-store.contract.js';
import { openStore } from '../db.js';
import { SqliteDeadLetterStore } from './dead-letter-store.js';

interface Row {
  received_at: number;
  hub_id: string | null;
  client_id: string | null;
  topic: string;
  reason: string;
  errors: string;
  payload: Buffer | null;
}

deadLetterStoreContract('SQLite', () => {
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'forecare-dead-letters-')), 'gw.db'));
  const read = store.sqlite.prepare('SELECT received_at, hub_id, client_id, topic, reason, errors, payload FROM dead_letters ORDER BY id');
  return Promise.resolve({
    deadLetters: new SqliteDeadLetterStore(store),
    kept: () =>
      Promise.resolve(
        (read.all() as Row[]).map((r) => ({
          receivedAt: r.received_at,
          letter: { hubId: r.hub_id, clientId: r.client_id, topic: r.topic, reason: r.reason, errors: JSON.parse(r.errors) as { pointer: string; message: string }[], payload: r.payload as Buffer },
        })),
      ),
    close: () => Promise.resolve(store.close()),
  });
});
