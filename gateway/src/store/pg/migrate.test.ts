import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../cluster/pg-test-database.js';
import { migratePg } from './migrate.js';

describe('PostgreSQL migrations, on the real PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('create every table of the store, and three nodes migrating at once apply them once', async () => {
    await Promise.all([migratePg(db.url), migratePg(db.url), migratePg(db.url)]);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const tables = (await c.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")).rows.map((r) => r.table_name);
      for (const t of ['alarms', 'appliances', 'customers', 'hubs', 'live_events', 'outbox', 'partition_leases', 'tickets', 'users']) expect(tables).toContain(t);
      const applied = await c.query<{ n: string }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
      expect(Number(applied.rows[0]?.n)).toBeGreaterThan(0);
      await c.query("INSERT INTO appliances (hub_id, appliance_id, type, created_at) VALUES ('h1', 'fridge-1', 'refrigerator', 1), ('h2', 'fridge-1', 'refrigerator', 1)");
      await expect(c.query("INSERT INTO appliances (hub_id, appliance_id, type, created_at) VALUES ('h1', 'fridge-1', 'refrigerator', 2)")).rejects.toThrow(/duplicate key/);
    } finally {
      await c.end();
    }
  });
});
