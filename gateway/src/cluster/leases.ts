import type { Pool, PoolClient } from 'pg';

/**
 * Who runs the rules for which partition of the fleet, one owner at a time. A partition is
 * leased in PostgreSQL for `ttlMs`, renewed while its owner lives; every new grant increments
 * the partition's fencing token. Every effect the owner writes (alarm, ticket, outbox row)
 * runs `fence()` inside its transaction: a node that lost its lease while paused (a long GC,
 * SIGSTOP, a partition of the network) finds a newer token and its late write is refused.
 *
 * Partitions are spread by rendezvous hashing over the nodes that heartbeat: each node takes
 * what hashes highest for it and lets go of what hashes higher for another live node, so
 * ownership moves only where a node joined or left. Times are PostgreSQL's, so node clocks
 * may disagree.
 */
export interface LeaseOptions {
  readonly nodeId: string;
  readonly partitions: number;
  readonly ttlMs: number;
}

export interface Lease {
  readonly partition: number;
  readonly token: number;
}

export class StaleLeaseError extends Error {
  constructor(
    readonly partition: number,
    readonly token: number,
  ) {
    super(`lease of partition ${partition} with token ${token} is no longer held: the write is refused`);
    this.name = 'StaleLeaseError';
  }
}

/** Tables of the lease protocol; created by the PostgreSQL migrations, and here for a store not yet migrated. */
export const LEASE_DDL = [
  `CREATE TABLE IF NOT EXISTS cluster_nodes (node_id text PRIMARY KEY, seen_at timestamptz NOT NULL, started_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE IF NOT EXISTS partition_leases (partition integer PRIMARY KEY, owner text, token bigint NOT NULL DEFAULT 0, expires_at timestamptz NOT NULL DEFAULT 'epoch')`,
];

/** FNV-1a 32-bit: stable across processes, platforms and versions. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The rendezvous weight of (node, partition). */
const weight = (nodeId: string, partition: number): number => fnv1a(`${nodeId}#${partition}`);

/** The live node a partition belongs to under rendezvous hashing. */
export function preferredOwner(nodes: readonly string[], partition: number): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const n of nodes) {
    const w = weight(n, partition);
    if (w > bestWeight || (w === bestWeight && best !== undefined && n < best)) {
      best = n;
      bestWeight = w;
    }
  }
  return best;
}

export interface LeaseChanges {
  readonly acquired: readonly Lease[];
  readonly lost: readonly Lease[];
}

export class PartitionLeases {
  private readonly held = new Map<number, number>();

  constructor(
    private readonly pool: Pool,
    private readonly options: LeaseOptions,
  ) {}

  get nodeId(): string {
    return this.options.nodeId;
  }

  /** Creates the tables (when the migrations have not) and one row per partition. */
  async init(): Promise<void> {
    // Nodes start together: CREATE TABLE IF NOT EXISTS races itself, so one node at a time does this.
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtext('forecare:leases:init'))");
      for (const ddl of LEASE_DDL) await client.query(ddl);
      await client.query('INSERT INTO partition_leases (partition) SELECT g FROM generate_series(0, $1::int - 1) g ON CONFLICT DO NOTHING', [this.options.partitions]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    } finally {
      client.release();
    }
  }

  /** Partitions held now, with their fencing tokens. */
  leases(): Lease[] {
    return [...this.held].map(([partition, token]) => ({ partition, token }));
  }

  tokenOf(partition: number): number | undefined {
    return this.held.get(partition);
  }

  /**
   * One round: heartbeat, renew what is held (what cannot be renewed is lost), let go of what
   * another live node is preferred for, and take the free partitions this node is preferred for.
   */
  async rebalance(): Promise<LeaseChanges> {
    const { nodeId, ttlMs } = this.options;
    await this.pool.query('INSERT INTO cluster_nodes (node_id, seen_at) VALUES ($1, now()) ON CONFLICT (node_id) DO UPDATE SET seen_at = now()', [nodeId]);
    const nodes = (await this.pool.query<{ node_id: string }>("SELECT node_id FROM cluster_nodes WHERE seen_at > now() - make_interval(secs => $1::double precision / 1000)", [ttlMs])).rows.map((r) => r.node_id);
    const lost: Lease[] = [];
    const acquired: Lease[] = [];
    // Renew everything held in one statement; what did not come back is no longer ours.
    const heldNow = [...this.held.keys()];
    if (heldNow.length > 0) {
      const renewed = await this.pool.query<{ partition: number; token: string }>(
        "UPDATE partition_leases SET expires_at = now() + make_interval(secs => $2::double precision / 1000) WHERE owner = $1 AND partition = ANY($3::int[]) AND expires_at > now() RETURNING partition, token",
        [nodeId, ttlMs, heldNow],
      );
      const ok = new Map(renewed.rows.map((r) => [r.partition, Number(r.token)]));
      for (const p of heldNow) {
        const token = this.held.get(p) as number;
        if (ok.get(p) !== token) {
          this.held.delete(p);
          lost.push({ partition: p, token });
        }
      }
    }
    for (let p = 0; p < this.options.partitions; p++) {
      const mine = preferredOwner(nodes, p) === nodeId;
      if (!mine && this.held.has(p)) {
        const token = this.held.get(p) as number;
        await this.release(p, token);
        lost.push({ partition: p, token });
      } else if (mine && !this.held.has(p)) {
        const got = await this.pool.query<{ token: string }>(
          "UPDATE partition_leases SET owner = $1, token = token + 1, expires_at = now() + make_interval(secs => $3::double precision / 1000) WHERE partition = $2 AND (expires_at <= now() OR owner IS NULL) RETURNING token",
          [nodeId, p, ttlMs],
        );
        const row = got.rows[0];
        if (row !== undefined) {
          this.held.set(p, Number(row.token));
          acquired.push({ partition: p, token: Number(row.token) });
        }
      }
    }
    return { acquired, lost };
  }

  /** Gives a partition up at once (a clean shutdown, or a rebalance), so its next owner need not wait for the lease to run out. */
  async release(partition: number, token: number): Promise<void> {
    this.held.delete(partition);
    await this.pool.query("UPDATE partition_leases SET owner = NULL, expires_at = 'epoch' WHERE partition = $1 AND owner = $2 AND token = $3", [partition, this.options.nodeId, token]);
  }

  async releaseAll(): Promise<void> {
    for (const { partition, token } of this.leases()) await this.release(partition, token);
    await this.pool.query('DELETE FROM cluster_nodes WHERE node_id = $1', [this.options.nodeId]);
  }

  /**
   * Inside an effect's transaction: holds the lease row (a new grant waits for this transaction)
   * and refuses the write when a newer token was granted since `token`.
   */
  static async fence(client: PoolClient, partition: number, token: number): Promise<void> {
    const r = await client.query<{ token: string }>('SELECT token FROM partition_leases WHERE partition = $1 FOR SHARE', [partition]);
    if (r.rows[0] === undefined || Number(r.rows[0].token) !== token) throw new StaleLeaseError(partition, token);
  }
}

/** The partition of a hub: a stable hash of its id, modulo the partition count fixed when the stream was made. */
export function partitionOf(hubId: string, partitions: number): number {
  return fnv1a(hubId) % partitions;
}
