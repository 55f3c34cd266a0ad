import type { Store } from './db.js';

/** Whether the database answers a query (the health check's "store"). */
export async function storeAnswers(store: Store): Promise<boolean> {
  try {
    store.sqlite.prepare('SELECT 1').get();
    return true;
  } catch {
    return false;
  }
}
