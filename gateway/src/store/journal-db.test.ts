import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, expect, it } from 'vitest';
import { migrationsFolder, openStore } from './db.js';
import { JOURNAL_KINDS, JournalInserter, type JournalBatch } from './journal-db.js';

/** The committed migrations up to (not including) the one that moved the journal out. */
function migrationsBefore(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  mkdirSync(join(dir, 'meta'));
  const index = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const cut = index.entries.findIndex((e) => e.tag === tag);
  const entries = index.entries.slice(0, cut);
  writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify({ ...index, entries }));
  for (const e of entries) copyFileSync(join(migrationsFolder, `${e.tag}.sql`), join(dir, `${e.tag}.sql`));
  return dir;
}

function batchOf(rows: { seq: number; payload: string }[]): JournalBatch {
  const bytes = rows.map((r) => Buffer.from(r.payload));
  const ids = rows.flatMap(() => [Buffer.from('h1'), Buffer.from('h1.fridge')]);
  let end = 0;
  let textEnd = 0;
  return {
    count: rows.length,
    receivedAt: Float64Array.from(rows.map((_, i) => 1000 + i)),
    seq: Float64Array.from(rows.map((r) => r.seq)),
    deviceTs: Float64Array.from(rows.map(() => 999)),
    kind: Uint8Array.from(rows.map(() => JOURNAL_KINDS.indexOf('telemetry'))),
    text: new Uint8Array(Buffer.concat(ids)),
    textEnds: Uint32Array.from(ids.map((b) => (textEnd += b.length))),
    payload: new Uint8Array(Buffer.concat(bytes)),
    ends: Uint32Array.from(bytes.map((b) => (end += b.length))),
  };
}

describe('the journal file', () => {
  it('a data directory from before keeps its journal: rows move to the journal file with their positions', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'legacy-')), 'forecare.db');
    const legacy = new Database(file);
    migrate(drizzle(legacy), { migrationsFolder: migrationsBefore('0007_journal_own_file') });
    const insert = legacy.prepare("INSERT INTO journal (pos, received_at, hub_id, appliance_id, kind, seq, device_ts, payload) VALUES (?, ?, 'h1', 'h1.fridge', 'telemetry', ?, ?, ?)");
    for (const pos of [5, 6, 9]) insert.run(pos, pos * 10, pos, pos * 10, `{"seq":${pos}}`);
    legacy.close();

    const store = openStore(file);
    expect(store.journal.prepare('SELECT pos, seq, payload FROM journal ORDER BY pos').all()).toEqual([5, 6, 9].map((pos) => ({ pos, seq: pos, payload: `{"seq":${pos}}` })));
    expect(store.sqlite.prepare("SELECT name FROM sqlite_master WHERE name = 'journal'").get()).toBeUndefined();
    // New rows continue after the moved ones.
    const first = new JournalInserter(store.journal).insert(batchOf([{ seq: 10, payload: '{}' }]));
    expect(first).toBe(10);
    store.close();
    // Opening again moves nothing twice.
    const again = openStore(file);
    expect((again.journal.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n).toBe(4);
    again.close();
  });

  it('a batch is one transaction: rows in order, consecutive positions, each payload exactly its bytes (chunks of 32 and the rest)', () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'journal-db-')), 'forecare.db'));
    const rows = Array.from({ length: 70 }, (_, i) => ({ seq: i + 1, payload: `{"seq":${i + 1},"pad":"${'x'.repeat(i)}"}` }));
    const first = new JournalInserter(store.journal).insert(batchOf(rows));
    const stored = store.journal.prepare('SELECT pos, seq, hub_id, appliance_id, kind, payload FROM journal ORDER BY pos').all() as { pos: number; seq: number; hub_id: string; appliance_id: string; kind: string; payload: Buffer | string }[];
    expect(new Set(stored.map((r) => `${r.hub_id} ${r.appliance_id} ${r.kind}`))).toEqual(new Set(['h1 h1.fridge telemetry']));
    expect(stored.map((r) => r.pos)).toEqual(rows.map((_, i) => first + i));
    expect(stored.map((r) => r.seq)).toEqual(rows.map((r) => r.seq));
    expect(stored.map((r) => r.payload.toString())).toEqual(rows.map((r) => r.payload));
    store.close();
  });
});
