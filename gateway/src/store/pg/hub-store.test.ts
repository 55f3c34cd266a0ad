import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubStoreContract } from '../contract/hub-store.contract.js';
import { PgHubStore } from './hub-store.js';
import type { PgStore } from './pg-store.js';
import { MigratedTestDatabase } from './test-store.js';

const TABLES = ['hubs', 'mqtt_clients'];
let db: MigratedTestDatabase;
let store: PgStore;
beforeAll(async () => {
  db = await MigratedTestDatabase.create();
  store = db.store();
});
afterAll(async () => {
  await db?.drop();
});

hubStoreContract('PostgreSQL', async () => {
  await db.empty(store, TABLES);
  return { hubs: new PgHubStore(store), close: () => Promise.resolve() };
});

const T0 = Date.UTC(2026, 10, 24, 12, 0);

describe('PostgreSQL hubs, written from two nodes at once (each on a pool of its own)', () => {
  it('provisioning the same hubs and accounts on two nodes at once: each id is kept once, with the winner’s hash, and the loser is told', async () => {
    await db.empty(store, TABLES);
    const [a, b] = [new PgHubStore(db.store()), new PgHubStore(db.store())];
    const ids = Array.from({ length: 20 }, (_, i) => `hub-${i}`);
    const results = await Promise.all(ids.flatMap((hubId) => [a, b].map(async (node, n) => ({ hubId, node: n, added: await node.addHub({ hubId, passwordHash: `hash-from-${n}`, customerId: null, createdAt: T0 }) }))));
    for (const hubId of ids) {
      const winners = results.filter((r) => r.hubId === hubId && r.added);
      expect(winners, hubId).toHaveLength(1);
      expect((await a.hub(hubId))?.passwordHash).toBe(`hash-from-${winners[0]?.node}`);
    }
    expect((await b.hubs()).map((h) => h.hubId)).toEqual([...ids].sort());
    const accounts = await Promise.all([a, b].map((node, n) => node.addMqttClient({ name: 'svc', role: n === 0 ? 'service' : 'admin', passwordHash: `p${n}`, createdAt: T0 })));
    expect(accounts.filter(Boolean)).toHaveLength(1);
    expect((await a.mqttClient('svc'))?.role).toBe(accounts[0] === true ? 'service' : 'admin');
  });

  it('two nodes marking a hub seen at once, out of order: its last-seen time ends at the latest, never moved back', async () => {
    await db.empty(store, TABLES);
    const [a, b] = [new PgHubStore(db.store()), new PgHubStore(db.store())];
    await a.addHub({ hubId: 'h1', passwordHash: 'x', customerId: null, createdAt: T0 });
    // A shuffled spread of times, the latest early in the list, split between the nodes.
    const times = Array.from({ length: 60 }, (_, i) => T0 + ((i * 37) % 60) * 1000);
    await Promise.all(times.map((at, i) => (i % 2 === 0 ? a : b).markHubSeen('h1', at)));
    expect((await b.hub('h1'))?.lastSeenAt).toBe(T0 + 59_000);
    await a.markHubSeen('h1', T0);
    expect((await b.hub('h1'))?.lastSeenAt).toBe(T0 + 59_000);
  });

  it('keeps ids and hashes of any text byte for byte (quotes, non-ASCII, SQL)', async () => {
    await db.empty(store, TABLES);
    const hubs = new PgHubStore(store);
    const hubId = `h'; DROP TABLE hubs; --"ü😀`;
    expect(await hubs.addHub({ hubId, passwordHash: 'scrypt$a$b\\c', customerId: 'kunde-ö', createdAt: T0 })).toBe(true);
    expect(await hubs.hub(hubId)).toMatchObject({ hubId, passwordHash: 'scrypt$a$b\\c', customerId: 'kunde-ö' });
    expect(await hubs.hub(hubId.toUpperCase())).toBeUndefined();
  });
});
