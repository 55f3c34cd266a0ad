import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type EngineInput } from '@forecare/rules';
import { PartitionLeases, StaleLeaseError, type Lease } from '../../cluster/leases.js';
import { engineOfCheckpoint } from '../../engine/checkpoint-data.js';
import { loadRuleFiles } from '../../engine/rule-files.js';
import { checkpointStoreContract } from '../contract/checkpoint-store.contract.js';
import { PgCheckpointStore } from './checkpoint-store.js';
import type { PgStore } from './pg-store.js';
import { MigratedTestDatabase } from './test-store.js';

const TABLES = ['partition_state', 'partition_checkpoints', 'partition_readers'];
let db: MigratedTestDatabase;
let store: PgStore;
/** The node whose leases the contract's stores write under. */
let owner: PartitionLeases;

beforeAll(async () => {
  db = await MigratedTestDatabase.create();
  store = db.store();
  owner = new PartitionLeases(store.pool, { nodeId: 'node-contract', partitions: 2, ttlMs: 120_000 });
  await owner.init();
  await owner.rebalance();
});
afterAll(async () => {
  await db?.drop();
});

const leaseOf = (node: PartitionLeases, partition: number): Lease => ({ partition, token: node.tokenOf(partition) ?? -1 });

checkpointStoreContract('PostgreSQL', async () => {
  await db.empty(store, TABLES);
  return {
    checkpoints: new PgCheckpointStore(store, leaseOf(owner, 0)),
    corrupt: async () => void (await store.pool.query(`UPDATE partition_state SET value = '{"lastSeen":' WHERE partition = 0`)),
    close: () => Promise.resolve(),
  };
});

const T0 = Date.UTC(2026, 10, 24, 12, 0);
const opts = { rules: loadRuleFiles(''), overrides: { 'hub-offline': { silentFor: 60_000 } }, trackChanges: true };
const fault = (appliance: number, at: number): EngineInput => ({ kind: 'fault', hubId: `h${appliance % 3}`, applianceId: `a${appliance}`, applianceType: 'refrigerator', seq: 1, deviceTs: at, at, code: 'E-CMP-01', active: true });
const keysOf = (e: Engine): string[] => e.alarms().map((a) => a.alarmKey).sort();
async function loadedKeys(cps: PgCheckpointStore): Promise<{ pos: number; keys: string[] } | undefined> {
  const data = await cps.load();
  return data === undefined ? undefined : { pos: data.pos, keys: keysOf(engineOfCheckpoint(data, opts)) };
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('PostgreSQL checkpoints, one partition each', () => {
  it('keeps two partitions’ checkpoints and reader positions apart', async () => {
    await db.empty(store, TABLES);
    const [p0, p1] = [new PgCheckpointStore(store, leaseOf(owner, 0)), new PgCheckpointStore(store, leaseOf(owner, 1))];
    const e0 = new Engine(opts);
    e0.ingest(fault(1, T0));
    const e1 = new Engine(opts);
    e1.ingest(fault(2, T0));
    e1.ingest(fault(4, T0));
    await p0.save(e0.takeChanges(), 5, T0);
    await p1.save(e1.takeChanges(), 9, T0);
    await p0.savePosition('influx', 50, T0);
    expect(await loadedKeys(p0)).toEqual({ pos: 5, keys: keysOf(e0) });
    expect(await loadedKeys(p1)).toEqual({ pos: 9, keys: keysOf(e1) });
    expect(await p1.position('influx')).toBeUndefined();
    await p0.reset();
    expect(await p0.load()).toBeUndefined();
    expect(await loadedKeys(p1)).toEqual({ pos: 9, keys: keysOf(e1) });
    expect(await p0.position('influx')).toBe(50);
  });

  it('saves the checkpoint of a large fleet in several statements and loads it whole; the next save writes only what changed', async () => {
    await db.empty(store, TABLES);
    const cps = new PgCheckpointStore(store, leaseOf(owner, 0));
    const engine = new Engine(opts);
    for (let i = 0; i < 6000; i++) engine.ingest(fault(i, T0 + i));
    const changes = engine.takeChanges();
    // Over the 5,000 rows one statement takes, in more than one kind.
    expect([changes.appliances.length, changes.alarms.length]).toEqual([6000, 6000]);
    const started = performance.now();
    await cps.save(changes, 6000, T0);
    const fullMs = performance.now() - started;
    expect(await loadedKeys(cps)).toEqual({ pos: 6000, keys: keysOf(engine) });
    engine.ingest(fault(7, T0 + 10_000));
    const one = engine.takeChanges();
    const rowsBefore = Number((await store.pool.query<{ n: string }>('SELECT count(*) AS n FROM partition_state')).rows[0]?.n);
    const again = performance.now();
    await cps.save(one, 6001, T0 + 10_000);
    const deltaMs = performance.now() - again;
    expect(Number((await store.pool.query<{ n: string }>('SELECT count(*) AS n FROM partition_state')).rows[0]?.n)).toBe(rowsBefore);
    // The rows the last save wrote carry its transaction id, as its meta row does: a few, not the fleet.
    const written = await store.pool.query<{ n: string }>('SELECT count(*) AS n FROM partition_state s, partition_checkpoints c WHERE c.partition = 0 AND s.xmin::text = c.xmin::text');
    expect(Number(written.rows[0]?.n)).toBeGreaterThan(0);
    expect(Number(written.rows[0]?.n)).toBeLessThan(10);
    expect(await loadedKeys(cps)).toEqual({ pos: 6001, keys: keysOf(engine) });
    console.info(`PostgreSQL checkpoint: ${rowsBefore} parts saved in ${fullMs.toFixed(0)} ms; one appliance's change in ${deltaMs.toFixed(1)} ms`);
  });

  it('refuses every write under a lease token the partition does not have', async () => {
    await db.empty(store, TABLES);
    const forged = new PgCheckpointStore(store, { partition: 0, token: leaseOf(owner, 0).token + 1 });
    const engine = new Engine(opts);
    engine.ingest(fault(1, T0));
    await expect(forged.save(engine.takeChanges(), 1, T0)).rejects.toBeInstanceOf(StaleLeaseError);
    await expect(forged.savePosition('influx', 1, T0)).rejects.toBeInstanceOf(StaleLeaseError);
    await expect(forged.reset()).rejects.toBeInstanceOf(StaleLeaseError);
    // A partition without a lease row at all is refused too.
    await expect(new PgCheckpointStore(store, { partition: 99, token: 0 }).savePosition('influx', 1, T0)).rejects.toBeInstanceOf(StaleLeaseError);
    expect(await forged.load()).toBeUndefined();
    expect(await forged.position('influx')).toBeUndefined();
  });
});

describe('PostgreSQL checkpoints after a paused owner lost its partition (fencing, two nodes on pools of their own)', () => {
  const TTL = 600;
  let a: PartitionLeases;
  let b: PartitionLeases;
  let storeA: PgStore;
  let storeB: PgStore;

  beforeAll(async () => {
    await owner.releaseAll(); // the contract's node leaves: these two nodes are the cluster
    await db.empty(store, TABLES);
    storeA = db.store();
    storeB = db.store();
    a = new PartitionLeases(storeA.pool, { nodeId: 'node-a', partitions: 2, ttlMs: TTL });
    b = new PartitionLeases(storeB.pool, { nodeId: 'node-b', partitions: 2, ttlMs: TTL });
    await a.init();
    await b.init();
  });

  it('the paused node’s late save, reset and reader position are refused; the new owner’s checkpoint stays, and racing saves keep only the owner’s', async () => {
    await a.rebalance(); // a alone: it owns both partitions
    const old = leaseOf(a, 0);
    expect(old.token).toBeGreaterThan(0);
    const onA = new PgCheckpointStore(storeA, old);
    const engineA = new Engine(opts);
    for (let i = 0; i < 6; i++) engineA.ingest(fault(i, T0 + i));
    await onA.save(engineA.takeChanges(), 10, T0);
    await onA.savePosition('influx', 10, T0);

    await sleep(TTL + 150); // a is paused: no heartbeat, no renewal
    await b.rebalance();
    const taken = leaseOf(b, 0);
    expect(taken.token).toBeGreaterThan(old.token);
    const onB = new PgCheckpointStore(storeB, taken);
    const data = await onB.load();
    expect(data?.pos).toBe(10);
    const engineB = engineOfCheckpoint(data as never, opts);
    engineB.ingest(fault(20, T0 + 100));
    await onB.save(engineB.takeChanges(), 20, T0 + 100);
    const afterB = { pos: 20, keys: keysOf(engineB) };

    // a wakes up and writes what it had before it noticed.
    engineA.ingest(fault(30, T0 + 200));
    await expect(onA.save(engineA.takeChanges(), 15, T0 + 200)).rejects.toBeInstanceOf(StaleLeaseError);
    await expect(onA.savePosition('influx', 15, T0 + 200)).rejects.toBeInstanceOf(StaleLeaseError);
    await expect(onA.reset()).rejects.toBeInstanceOf(StaleLeaseError);
    expect(await loadedKeys(onB)).toEqual(afterB);
    expect(await onB.position('influx')).toBe(10);

    // Both nodes save at once, round after round, on connections of their own: only b's land.
    for (let round = 0; round < 10; round++) {
      engineA.ingest(fault(40 + round, T0 + 300 + round));
      engineB.ingest(fault(60 + round, T0 + 300 + round));
      const [fromA, fromB] = await Promise.allSettled([onA.save(engineA.takeChanges(), 100 + round, T0), onB.save(engineB.takeChanges(), 30 + round, T0)]);
      expect(fromA).toMatchObject({ status: 'rejected', reason: expect.any(StaleLeaseError) as unknown });
      expect(fromB.status).toBe('fulfilled');
    }
    expect(await loadedKeys(onB)).toEqual({ pos: 39, keys: keysOf(engineB) });
    expect((await a.rebalance()).lost.map((l) => l.partition).sort()).toEqual([0, 1]);
    await a.releaseAll();
    await b.releaseAll();
  });
});
