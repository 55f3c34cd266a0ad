import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { createLogger } from '../log.js';
import { openStore } from './db.js';
import { Retention } from './retention.js';

describe('retention', () => {
  it('prunes the old window but never a journal row a consumer has not taken', () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'retention-')), 'db.sqlite'));
    const clock = new ManualClock(10 * 86_400_000);
    const insert = store.journal.prepare("INSERT INTO journal (received_at, hub_id, kind, payload) VALUES (?, 'h', 'heartbeat', '{}')");
    for (let day = 0; day < 10; day++) insert.run(day * 86_400_000);
    store.sqlite.prepare("INSERT INTO checkpoints (name, pos, at) VALUES ('rules', 10, 0), ('influx', 2, 0)").run();
    const r = new Retention(store, clock, createLogger({ level: 'silent' }), 7 * 86_400_000, ['rules', 'influx']);
    expect(r.prune().journal).toBe(2); // days 0 and 1 (pos 1, 2); day 2 is older than 7 days but the history store has not taken pos 3 yet
    store.sqlite.prepare("UPDATE checkpoints SET pos = 10 WHERE name = 'influx'").run();
    expect(r.prune().journal).toBe(1);
    expect((store.journal.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n).toBe(7);
    store.close();
  });

  it('forgets old contact-center webhook ids, but none younger than an hour whatever the retention', () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'retention-')), 'db.sqlite'));
    const clock = new ManualClock(10 * 86_400_000);
    const insert = store.sqlite.prepare('INSERT INTO webhook_receipts (webhook_id, received_at) VALUES (?, ?)');
    insert.run('old', clock.now() - 8 * 86_400_000);
    insert.run('recent', clock.now() - 30 * 60_000);
    expect(new Retention(store, clock, createLogger({ level: 'silent' }), 7 * 86_400_000, []).prune().webhookIds).toBe(1);
    expect(new Retention(store, clock, createLogger({ level: 'silent' }), 60_000, []).prune().webhookIds).toBe(0);
    store.close();
  });
});
