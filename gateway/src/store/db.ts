import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { GatewayError } from '../errors.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface Store {
  /** The raw connection, for prepared statements on hot paths (journal appends). */
  readonly sqlite: Database.Database;
  /** drizzle over the same connection, for everything else. */
  readonly db: Db;
  readonly file: string;
  /** Runs fn in one IMMEDIATE transaction (one writer; no deadlocks on upgrade). */
  transaction<T>(fn: () => T): T;
  close(): void;
}

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
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  return {
    sqlite,
    db,
    file,
    transaction: <T>(fn: () => T): T => sqlite.transaction(fn).immediate(),
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}
