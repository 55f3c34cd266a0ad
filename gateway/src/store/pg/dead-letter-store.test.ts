import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterStoreContract } from '../contract/dead-letter-store.contract.js';
import { PgDeadLetterStore } from './dead-letter-store.js';
import type { PgStore } from './pg-store.js';
import { deadLetters } from './schema.js';
import { MigratedTestDatabase } from './test-store.js';

let db: MigratedTestDatabase;
let store: PgStore;
beforeAll(async () => {
  db = await MigratedTestDatabase.create();
  store = db.store();
});
afterAll(async () => {
  await db?.drop();
});

const kept = async (): Promise<{ receivedAt: number; hubId: string | null }[]> => (await store.db.select().from(deadLetters).orderBy(asc(deadLetters.id))).map((r) => ({ receivedAt: r.receivedAt, hubId: r.hubId }));

deadLetterStoreContract('PostgreSQL', async () => {
  await db.empty(store, ['dead_letters']);
  return {
    deadLetters: new PgDeadLetterStore(store),
    kept: async () =>
      (await store.db.select().from(deadLetters).orderBy(asc(deadLetters.id))).map((r) => ({
        receivedAt: r.receivedAt,
        letter: { hubId: r.hubId, clientId: r.clientId, topic: r.topic, reason: r.reason, errors: JSON.parse(r.errors) as { pointer: string; message: string }[], payload: r.payload as Buffer },
      })),
    close: () => Promise.resolve(),
  };
});

describe('PostgreSQL dead letters, from two nodes at once (each on a pool of its own)', () => {
  it('keeps every letter of both nodes, each multi-statement batch whole, and a failing batch on one node costs the other nothing', async () => {
    await db.empty(store, ['dead_letters']);
    const [a, b] = [new PgDeadLetterStore(db.store()), new PgDeadLetterStore(db.store())];
    const batch = (hub: string, n: number, at: number) => Array.from({ length: n }, (_, i) => ({ letter: { hubId: hub, clientId: hub, topic: `forecare/v1/${hub}/status`, reason: 'not-json', errors: [], payload: Buffer.from([i & 0xff]) }, receivedAt: at + i }));
    // 6,000 letters take two statements; the broken one fails in its second statement, after its first went in.
    const broken = batch('hub-x', 6000, 0);
    broken[5500] = { ...broken[5500], letter: { ...broken[5500]!.letter, topic: null as unknown as string } } as (typeof broken)[number];
    const results = await Promise.allSettled([a.append(batch('hub-a', 6000, 0)), b.append(batch('hub-b', 6000, 0)), a.append(broken), b.append(batch('hub-c', 10, 0))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const all = await kept();
    const count = (hub: string): number => all.filter((r) => r.hubId === hub).length;
    expect([count('hub-a'), count('hub-b'), count('hub-c'), count('hub-x')]).toEqual([6000, 6000, 10, 0]);
    // Each node's batch in its own order (ids from one sequence; a batch's statements run in order).
    for (const hub of ['hub-a', 'hub-b']) expect(all.filter((r) => r.hubId === hub).map((r) => r.receivedAt)).toEqual(Array.from({ length: 6000 }, (_, i) => i));
  });
});
