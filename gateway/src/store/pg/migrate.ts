import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

export const pgMigrationsFolder = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'drizzle-pg');

/**
 * Applies the committed PostgreSQL migrations (`forecare migrate` with FORECARE_DATABASE_URL).
 * Nodes of a cluster start together: an advisory lock lets one migrate while the others wait.
 */
export async function migratePg(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('forecare:migrate'))");
    await migrate(drizzle(client), { migrationsFolder: pgMigrationsFolder });
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext('forecare:migrate'))").catch(() => undefined);
    await client.end();
  }
}
