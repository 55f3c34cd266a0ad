import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleVersionStoreContract } from '../contract/rule-version-store.contract.js';
import type { RuleVersionRecord } from '../ports/rule-versions.js';
import type { PgStore } from './pg-store.js';
import { PgRuleVersionStore } from './rule-version-store.js';
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

ruleVersionStoreContract('PostgreSQL', async () => {
  await db.empty(store, ['rule_versions']);
  return { versions: new PgRuleVersionStore(store), close: () => Promise.resolve() };
});

const record = (version: number, author: string): RuleVersionRecord => ({ version, author, message: `by ${author}`, createdAt: version, rules: JSON.stringify([{ id: `r${version}`, author }]), diff: '' });

describe('PostgreSQL rule versions, deployed from several nodes at once (each on a pool of its own)', () => {
  it('two nodes recording the same number: one is kept whole, the other is refused as stale, round after round', async () => {
    await db.empty(store, ['rule_versions']);
    const [a, b] = [new PgRuleVersionStore(db.store()), new PgRuleVersionStore(db.store())];
    for (let v = 1; v <= 20; v++) {
      const [fromA, fromB] = await Promise.allSettled([a.add(record(v, 'node-a')), b.add(record(v, 'node-b'))]);
      const outcomes = [fromA, fromB].map((r) => (r.status === 'fulfilled' ? 'kept' : (r.reason as { code?: string }).code));
      expect(outcomes.sort()).toEqual(['GW_ERR_RULES_STALE', 'kept']);
      const winner = fromA.status === 'fulfilled' ? 'node-a' : 'node-b';
      expect(await b.get(v)).toEqual(record(v, winner));
    }
    expect((await a.list()).map((r) => r.version)).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i));
  });

  it('three nodes each deploying "latest + 1" until they have ten versions: thirty versions, one after another, none overwritten', async () => {
    await db.empty(store, ['rule_versions']);
    const nodes = ['node-a', 'node-b', 'node-c'].map((name) => ({ name, versions: new PgRuleVersionStore(db.store()) }));
    await Promise.all(
      nodes.map(async ({ name, versions }) => {
        for (let mine = 0; mine < 10; ) {
          const next = ((await versions.latest())?.version ?? 0) + 1;
          try {
            await versions.add(record(next, name));
            mine++;
          } catch (err) {
            expect((err as { code?: string }).code).toBe('GW_ERR_RULES_STALE');
          }
        }
      }),
    );
    const all = await nodes[0]?.versions.list();
    expect(all?.map((r) => r.version)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    for (const { name } of nodes) expect(all?.filter((r) => r.author === name)).toHaveLength(10);
    for (const r of all ?? []) expect(r).toEqual(record(r.version, r.author));
  });
});
