import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';

/** drizzle over the pool, or over one connection inside a transaction. */
export type PgDb = NodePgDatabase;

/**
 * The PostgreSQL system of record as the stores use it: a connection pool, drizzle over it, and
 * transactions on one connection of their own. A transaction holds its raw connection too, so a
 * store can run the lease fence (cluster/leases.ts) inside the same transaction as its write.
 */
export class PgStore {
  readonly db: PgDb;

  constructor(readonly pool: pg.Pool) {
    this.db = drizzle(pool);
  }

  static open(url: string, max = 10): PgStore {
    const pool = new pg.Pool({ connectionString: url, max });
    // An idle connection that dies (a PostgreSQL restart) is dropped by the pool and the next
    // query gets a new one; without a listener node-postgres would crash the process on it.
    pool.on('error', () => undefined);
    return new PgStore(pool);
  }

  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it rejects. */
  async transaction<T>(fn: (tx: PgDb, client: pg.PoolClient) => Promise<T>, isolation: 'read committed' | 'repeatable read' = 'read committed'): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A connection lost while checked out (PostgreSQL restarted, the backend killed) emits 'error'
    // besides failing its query; unheard, that event would crash the process. The query's
    // rejection carries the failure, and the connection goes back broken.
    const lost = (err: Error): void => void (broken = err);
    client.on('error', lost);
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`);
      const result = await fn(drizzle(client), client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      // A connection that cannot even roll back is given back broken, so the pool closes it.
      await client.query('ROLLBACK').catch((e: unknown) => (broken = e as Error));
      throw err;
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** Splits rows into statements of at most `size` (PostgreSQL takes at most 65,535 parameters per statement). */
export function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
