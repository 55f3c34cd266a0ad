import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { getTableColumns } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { GatewayError } from '../errors.js';
import { journalFileBeside, openJournalDb } from './journal-db.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface Store {
  /** The raw connection, for prepared statements on hot paths. */
  readonly sqlite: Database.Database;
  /**
   * The journal file (journal-db.ts), for reading the journal and pruning it. Its writes come
   * from the journal writer: in the gateway a thread of its own with its own connection.
   */
  readonly journal: Database.Database;
  /** drizzle over the same connection, for everything else. */
  readonly db: Db;
  readonly file: string;
  /** Runs fn in one IMMEDIATE transaction (one writer; no deadlocks on upgrade). */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/**
 * `"column" AS "field"` for every column of a table, so a raw statement returns the row shape
 * drizzle's select does — for tables whose columns drizzle reads as they are (text, integer,
 * blob; no boolean, timestamp or JSON modes). For hot lookups: drizzle binds a limit as a
 * parameter, and `LIMIT ?` made an indexed miss seven times dearer than `LIMIT 1` (21 against 3 µs).
 */
export function rowColumns(table: SQLiteTable): string {
  return Object.entries(getTableColumns(table))
    .map(([field, column]) => {
      if (!AS_STORED.has(column.columnType)) throw new Error(`rowColumns: ${column.name} is a ${column.columnType}, which drizzle converts when read`);
      return `"${column.name}" AS "${field}"`;
    })
    .join(', ');
}

/** Column types drizzle hands back as SQLite stores them. */
const AS_STORED = new Set(['SQLiteText', 'SQLiteInteger', 'SQLiteReal', 'SQLiteNumeric', 'SQLiteBlobBuffer']);

export const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'drizzle');

/**
 * Opens (creating when absent) the SQLite file in WAL mode and applies the committed
 * migrations. WAL with synchronous=NORMAL survives a killed process; FULL adds power-loss
 * safety at the cost of an fsync per commit.
 */
export function openStore(file: string, options: { synchronous?: 'NORMAL' | 'FULL' } = {}): Store {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file);
  } catch (err) {
    throw new GatewayError('GW_ERR_STORE', `cannot open database ${file}: ${(err as Error).message}`, { cause: err });
  }
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('cache_size = -32000');
  let journal: Database.Database;
  try {
    journal = file === ':memory:' ? openJournalDb(':memory:') : openJournalDb(journalFileBeside(file), options.synchronous);
  } catch (err) {
    sqlite.close();
    throw new GatewayError('GW_ERR_STORE', `cannot open the journal beside ${file}: ${(err as Error).message}`, { cause: err });
  }
  moveLegacyJournal(sqlite, journal);
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  return {
    sqlite,
    journal,
    db,
    file,
    transaction: <T>(fn: () => T): T => sqlite.transaction(fn).immediate(),
    close: () => {
      if (journal.open) journal.close();
      if (sqlite.open) sqlite.close();
    },
  };
}

/**
 * Data directories from before the journal had a file of its own keep it in the main
 * database (migration 0007 drops that table): its rows move over first, positions kept, so
 * nothing acknowledged is lost and the rules' checkpoint positions still point at them.
 */
function moveLegacyJournal(main: Database.Database, journal: Database.Database): void {
  const legacy = main.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'journal'").get();
  if (legacy === undefined) return;
  const rows = main.prepare('SELECT pos, received_at, hub_id, appliance_id, kind, seq, device_ts, payload FROM journal ORDER BY pos').all() as Record<string, unknown>[];
  if (rows.length === 0) return;
  const insert = journal.prepare('INSERT OR IGNORE INTO journal (pos, received_at, hub_id, appliance_id, kind, seq, device_ts, payload) VALUES (@pos, @received_at, @hub_id, @appliance_id, @kind, @seq, @device_ts, @payload)');
  journal.transaction(() => {
    for (const r of rows) insert.run(r);
  }).immediate();
  main.prepare('DELETE FROM journal').run();
}
