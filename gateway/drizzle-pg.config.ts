import { defineConfig } from 'drizzle-kit';

/** The PostgreSQL store's migrations (cluster mode); the SQLite ones are in drizzle.config.ts. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/pg/schema.ts',
  out: './drizzle-pg',
});
