import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openStore, rowColumns } from './db.js';
import { customers, outbox, tickets } from './schema.js';

describe('rowColumns', () => {
  it('gives a raw statement the row drizzle selects, field for field', () => {
    const store = openStore(':memory:');
    store.sqlite
      .prepare(`INSERT INTO tickets (ticket_id, status, hub_id, appliance_id, customer_id, fault_class, fault_code, severity, title, details, alarm_key, region, model, opened_at, updated_at, slot_start) VALUES ('t1', 'open', 'h1', 'h1.fridge', NULL, 'compressor', 'E-CMP-01', 'critical', 'Compressor', '{}', 'k', 'north', 'RF-1', 5, 6, 7)`)
      .run();
    const raw = store.sqlite.prepare(`SELECT ${rowColumns(tickets)} FROM tickets WHERE ticket_id = 't1' LIMIT 1`).get();
    expect(raw).toEqual(store.db.select().from(tickets).where(eq(tickets.ticketId, 't1')).get());
    expect(Object.keys(raw as object)).toEqual(Object.keys(store.db.select().from(tickets).get() ?? {}));
    expect(rowColumns(outbox)).toContain('"next_attempt_at" AS "nextAttemptAt"');
    // A table with columns drizzle converts (booleans) is refused rather than read wrong.
    expect(() => rowColumns(customers)).toThrow(/consent_repair is a SQLiteBoolean/);
    store.close();
  });
});
