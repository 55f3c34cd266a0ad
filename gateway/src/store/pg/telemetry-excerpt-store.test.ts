import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryExcerptStoreContract } from '../contract/telemetry-excerpt-store.contract.js';
import type { PgStore } from './pg-store.js';
import { telemetry } from './schema.js';
import { PgTelemetryExcerptStore } from './telemetry-excerpt-store.js';
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

telemetryExcerptStoreContract('PostgreSQL', async () => {
  await db.empty(store, ['telemetry']);
  return {
    excerpts: new PgTelemetryExcerptStore(store),
    insertRaw: async (p, metrics) => void (await store.db.insert(telemetry).values({ ...p, metrics })),
    close: () => Promise.resolve(),
  };
});

const T0 = Date.UTC(2026, 10, 24, 12, 0);

describe('PostgreSQL telemetry excerpts', () => {
  it('two nodes writing the same points at once (a takeover replays what the old owner wrote): each kept once, no error, one of the two whole', async () => {
    await db.empty(store, ['telemetry']);
    const [a, b] = [new PgTelemetryExcerptStore(db.store()), new PgTelemetryExcerptStore(db.store())];
    const point = (i: number, node: string) => ({ id: i * 1024, hubId: 'home-a', applianceId: 'fridge-1', at: T0 + i * 10_000, deviceTs: T0 + i * 10_000 - 3, metrics: { fridge_temp_c: i, door_open: node === 'b' } });
    await Promise.all(Array.from({ length: 50 }, (_, i) => [a.add(point(i, 'a')), b.add(point(i, 'b'))]).flat());
    const got = await a.points('home-a', 'fridge-1', 0, Number.MAX_SAFE_INTEGER, 1000);
    expect(got.map((p) => p.id)).toEqual(Array.from({ length: 50 }, (_, i) => i * 1024));
    for (const p of got) expect([point(p.id / 1024, 'a'), point(p.id / 1024, 'b')]).toContainEqual(p);
  });

  it('answers nothing, rather than a PostgreSQL error, for a negative or non-number limit', async () => {
    await db.empty(store, ['telemetry']);
    const excerpts = new PgTelemetryExcerptStore(store);
    await excerpts.add({ id: 1024, hubId: 'h', applianceId: 'a', at: T0, deviceTs: T0, metrics: { t: 1 } });
    for (const limit of [-1, Number.NaN]) expect(await excerpts.points('h', 'a', 0, Number.MAX_SAFE_INTEGER, limit)).toEqual([]);
    expect((await excerpts.points('h', 'a', 0, Number.MAX_SAFE_INTEGER, 1.5)).map((p) => p.id)).toEqual([1024]);
  });
});
