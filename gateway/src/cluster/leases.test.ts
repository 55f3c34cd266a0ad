import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionOf, PartitionLeases, preferredOwner, StaleLeaseError } from './leases.js';
import { createTestDatabase, type TestDatabase } from './pg-test-database.js';

const P = 16;
const TTL = 800;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('partition leases with fencing tokens, on the real PostgreSQL', () => {
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 8 });
    await pool.query('CREATE TABLE effects (partition int, token bigint, what text)');
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const node = async (id: string): Promise<PartitionLeases> => {
    const l = new PartitionLeases(pool, { nodeId: id, partitions: P, ttlMs: TTL });
    await l.init();
    return l;
  };
  async function settle(nodes: readonly PartitionLeases[], rounds = 3): Promise<void> {
    for (let i = 0; i < rounds; i++) for (const n of nodes) await n.rebalance();
  }
  const owners = async (): Promise<Map<number, string | null>> =>
    new Map((await pool.query<{ partition: number; owner: string | null }>('SELECT partition, owner FROM partition_leases WHERE expires_at > now() ORDER BY partition')).rows.map((r) => [r.partition, r.owner]));

  /** One effect written the way the store writes one: in a transaction that fences first. */
  async function write(partition: number, token: number, what: string): Promise<void> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await PartitionLeases.fence(client, partition, token);
      await client.query('INSERT INTO effects VALUES ($1, $2, $3)', [partition, token, what]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    } finally {
      client.release();
    }
  }

  it('spreads every partition over the live nodes, one owner each, as rendezvous hashing says', async () => {
    const nodes = await Promise.all(['node-a', 'node-b', 'node-c'].map(node));
    await settle(nodes);
    const held = nodes.flatMap((n) => n.leases().map((l) => l.partition)).sort((x, y) => x - y);
    expect(held).toEqual(Array.from({ length: P }, (_, i) => i));
    const byOwner = await owners();
    for (let p = 0; p < P; p++) expect(byOwner.get(p)).toBe(preferredOwner(['node-a', 'node-b', 'node-c'], p));
    for (const n of nodes) expect(n.leases().length).toBeGreaterThan(0);
    for (const n of nodes) await n.releaseAll();
  });

  it('a node that stops renewing loses its partitions to the others after the lease time, with newer tokens', async () => {
    const [a, b, c] = await Promise.all(['n1', 'n2', 'n3'].map(node));
    if (a === undefined || b === undefined || c === undefined) throw new Error('nodes');
    await settle([a, b, c]);
    const ofC = c.leases();
    expect(ofC.length).toBeGreaterThan(0);
    await sleep(TTL + 100); // c is "dead": it neither heartbeats nor renews
    await settle([a, b]);
    for (const l of ofC) {
      const taken = a.tokenOf(l.partition) ?? b.tokenOf(l.partition);
      expect(taken, `partition ${l.partition} taken over`).toBeGreaterThan(l.token);
    }
    // c wakes up: its renewal fails and it learns it lost them.
    const woke = await c.rebalance();
    expect(woke.lost.map((l) => l.partition).sort()).toEqual(ofC.map((l) => l.partition).sort());
    await a.releaseAll();
    await b.releaseAll();
    await c.releaseAll();
  });

  it("a paused owner's late write is refused by the fence; the new owner's is kept", async () => {
    const [a, b] = await Promise.all(['pause-a', 'pause-b'].map(node));
    if (a === undefined || b === undefined) throw new Error('nodes');
    await settle([a, b]);
    const lease = a.leases()[0];
    if (lease === undefined) throw new Error('a holds nothing');
    await write(lease.partition, lease.token, 'before the pause');
    await sleep(TTL + 100); // a is paused past its lease
    await settle([b]);
    const newToken = b.tokenOf(lease.partition);
    expect(newToken).toBe(lease.token + 1);
    await expect(write(lease.partition, lease.token, 'late write of the paused node')).rejects.toBeInstanceOf(StaleLeaseError);
    await write(lease.partition, newToken as number, 'new owner');
    const rows = (await pool.query<{ what: string }>('SELECT what FROM effects WHERE partition = $1 ORDER BY what', [lease.partition])).rows.map((r) => r.what);
    expect(rows).toEqual(['before the pause', 'new owner']);
    await a.releaseAll();
    await b.releaseAll();
  });

  it('a grant waits for a fenced transaction in flight, so no write lands under a token already superseded', async () => {
    const [a, b] = await Promise.all(['race-a', 'race-b'].map(node));
    if (a === undefined || b === undefined) throw new Error('nodes');
    await settle([a, b]);
    const lease = a.leases()[0];
    if (lease === undefined) throw new Error('a holds nothing');
    const client = await pool.connect();
    await client.query('BEGIN');
    await PartitionLeases.fence(client, lease.partition, lease.token);
    await sleep(TTL + 100);
    let granted = false;
    const taking = settle([b], 1).then(() => (granted = b.tokenOf(lease.partition) !== undefined));
    await sleep(200);
    expect(granted).toBe(false); // blocked on the row a's transaction holds
    await client.query('INSERT INTO effects VALUES ($1, $2, $3)', [lease.partition, lease.token, 'in flight']);
    await client.query('COMMIT');
    client.release();
    await taking;
    expect(b.tokenOf(lease.partition)).toBe(lease.token + 1);
    await a.releaseAll();
    await b.releaseAll();
  });

  it('a clean release hands partitions over at once, without waiting for the lease to run out', async () => {
    const [a, b] = await Promise.all(['rel-a', 'rel-b'].map(node));
    if (a === undefined || b === undefined) throw new Error('nodes');
    await settle([a, b]);
    const ofA = a.leases().map((l) => l.partition);
    await a.releaseAll();
    await settle([b], 1);
    for (const p of ofA) expect(b.tokenOf(p)).toBeDefined();
    await b.releaseAll();
  });

  it('hashes a hub to one partition, the same in every process', () => {
    expect(partitionOf('hub-0001', 64)).toBe(partitionOf('hub-0001', 64));
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8_000; i++) counts[partitionOf(`hub-${i}`, 8)] = (counts[partitionOf(`hub-${i}`, 8)] ?? 0) + 1;
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });
});
