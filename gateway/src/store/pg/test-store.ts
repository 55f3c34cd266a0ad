import { createTestDatabase, type TestDatabase } from '../../cluster/pg-test-database.js';
import { migratePg } from './migrate.js';
import { PgStore } from './pg-store.js';

/**
 * For the PostgreSQL stores' tests: a fresh database of the test file's own on the machine's
 * PostgreSQL, migrated with the committed migrations, and as many stores (pools) over it as the
 * test wants — two stores are two nodes, each racing on connections of its own.
 */
export class MigratedTestDatabase {
  private readonly stores: PgStore[] = [];

  private constructor(readonly database: TestDatabase) {}

  static async create(): Promise<MigratedTestDatabase> {
    const database = await createTestDatabase();
    await migratePg(database.url);
    return new MigratedTestDatabase(database);
  }

  /** A store of its own pool; closed by `drop()`. */
  store(max = 4): PgStore {
    const s = PgStore.open(this.database.url, max);
    this.stores.push(s);
    return s;
  }

  /** Empties tables between tests (the contract wants a store with nothing in it). */
  async empty(store: PgStore, tables: readonly string[]): Promise<void> {
    await store.pool.query(`TRUNCATE ${tables.map((t) => `"${t}"`).join(', ')} RESTART IDENTITY`);
  }

  async drop(): Promise<void> {
    await Promise.all(this.stores.map((s) => s.close().catch(() => undefined)));
    await this.database.drop();
  }
}
